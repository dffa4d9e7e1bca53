/**
 * Option values the commands share, checked one way: a bad value is a {@link CliError} that
 * names the flag and what it expects.
 *
 * @module
 */
import { CliError } from './errors.js';

/** An integer option from `min` to `max`; `undefined` when it was not given. */
export function intOption(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} ${value}: expected an integer from ${min} to ${max}`);
  return n;
}

/** A positive number of seconds (fractions allowed); `undefined` when it was not given. */
export function secondsOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} ${value}: expected a number of seconds above 0`);
  return n;
}

/** `host:port` (an IPv6 host in brackets): the host without brackets and the port (1–65535). */
export function hostPortOption(value: string, flag: string, example = ''): { host: string; port: number } {
  const m = /^(\[[0-9a-f:]+\]|[\w.-]+):(\d{1,5})$/i.exec(value);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) throw new CliError(`${flag} ${value}: expected host:port${example}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
