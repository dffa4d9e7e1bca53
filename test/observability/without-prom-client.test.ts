import { describe, expect, it, vi } from 'vitest';

// As in an application that did not install the optional peer dependency.
vi.mock('prom-client', () => {
  throw new Error("Cannot find package 'prom-client'");
});

describe('without prom-client', () => {
  it('the SDK loads and runs; only createMetrics fails, saying how to install it', async () => {
    const sdk = await import('../../src/index.js');
    expect(typeof sdk.createOutboundServer).toBe('function');
    expect(sdk.readiness({}).ready).toBe(true);
    const error = await sdk.createMetrics().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(sdk.ConfigError);
    expect((error as Error).message).toContain('npm install prom-client');
  });
});
