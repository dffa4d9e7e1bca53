import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  // The examples import the package by name, as users do; tests run them against the source.
  resolve: {
    alias: [
      { find: /^freeswitch-voice-ai\/testing$/, replacement: src('testing/index.ts') },
      { find: /^freeswitch-voice-ai$/, replacement: src('index.ts') },
    ],
  },
  test: {
    // The guides' vitest examples (docs/testing.md, docs/writing-a-provider.md) are tests too.
    include: ['test/**/*.test.ts', 'docs/snippets/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
    pool: 'forks',
    // Most tests wait on real time (20 ms audio, timers), not the CPU: more workers than cores keep the suite short.
    maxWorkers: 4,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
  },
});
