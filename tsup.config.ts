import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      // RTCP and werift-rtp interop: a subpath of its own, so werift-rtp (an optional peer) loads only there.
      'rtcp/index': 'src/media/rtcp.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    // No source maps: the bundle is readable as it is (not minified, names kept), and maps would
    // add 3.9 MB to the package (1.5 MB without the sources) for line numbers in stack traces.
    sourcemap: false,
    clean: true,
    target: 'node20',
    splitting: true,
    treeshake: true,
  },
  {
    // The `freeswitch-voice-ai` command. It uses the library through the package's own name (as
    // any user does), so it shares dist/index.js instead of carrying a copy; the secretary's
    // example code it runs for `demo` is bundled, its SQL files copied beside it.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: false,
    clean: false,
    target: 'node20',
    splitting: false,
    banner: { js: '#!/usr/bin/env node' },
    external: ['freeswitch-voice-ai', 'freeswitch-voice-ai/testing', 'pg', '@electric-sql/pglite'],
    onSuccess: async () => {
      cpSync('examples/secretary/db/sql', 'dist/sql', { recursive: true });
    },
  },
]);
