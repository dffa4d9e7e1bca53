/**
 * The numbers a dialplan extension answers: one number (`8000`), a range (`8000-8099`, turned
 * into an exact regular expression), or a regular expression as FreeSWITCH takes it
 * (`^(8\d{3})$`).
 */
import { CliError } from './errors.js';

/** What `--number` became. */
export interface NumberPattern {
  /** The condition's `expression`, e.g. `^(80\d\d)$`. */
  expression: string;
  /** FusionPBX's `dialplan_number` (what its lists show): `8000`, `8000-8099`, or the expression. */
  label: string;
  /** One dialable number (a range's first): the number `doctor` and test calls dial. */
  example: string | undefined;
  /** A single number: FusionPBX may offer it as a destination (`dialplan_destination`). */
  single: boolean;
}

/** Reads `--number`. */
export function numberPattern(input: string): NumberPattern {
  const text = input.trim();
  if (/^\+?\d+$/.test(text)) {
    return { expression: `^${text.replace('+', '\\+')}$`, label: text, example: text, single: true };
  }
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(text);
  if (range) {
    const [, lo, hi] = range as unknown as [string, string, string];
    if (lo.length !== hi.length) throw new CliError(`--number ${text}: both ends of a range need the same number of digits`);
    if (lo > hi) throw new CliError(`--number ${text}: the range is backwards`);
    return { expression: `^(${rangeAlternatives(lo, hi).join('|')})$`, label: `${lo}-${hi}`, example: lo, single: lo === hi };
  }
  if (text.startsWith('^')) {
    try {
      new RegExp(text);
    } catch (error) {
      throw new CliError(`--number ${text}: not a valid regular expression (${(error as Error).message})`);
    }
    return { expression: text, label: text, example: undefined, single: false };
  }
  throw new CliError(`--number ${JSON.stringify(input)}: expected a number (8000), a range (8000-8099) or a regular expression (^(8\\d{3})$)`);
}

/**
 * The alternatives matching exactly the numbers `lo..hi` (same length): shared prefixes kept,
 * whole digit spans as `\d`, e.g. `8000-8149` → `80\d\d`, `81[0-4]\d`.
 */
export function rangeAlternatives(lo: string, hi: string): string[] {
  if (lo === hi) return [lo];
  let common = 0;
  while (lo[common] === hi[common]) common++;
  if (common > 0) return rangeAlternatives(lo.slice(common), hi.slice(common)).map((p) => lo.slice(0, common) + p);
  const rest = lo.length - 1;
  const any = '\\d'.repeat(rest);
  if (rest === 0) return [digitClass(Number(lo), Number(hi))];
  const out: string[] = [];
  let first = Number(lo[0]);
  let last = Number(hi[0]);
  if (!/^0*$/.test(lo.slice(1))) {
    out.push(...rangeAlternatives(lo.slice(1), '9'.repeat(rest)).map((p) => lo[0] + p));
    first++;
  }
  const tail: string[] = [];
  if (!/^9*$/.test(hi.slice(1))) {
    tail.push(...rangeAlternatives('0'.repeat(rest), hi.slice(1)).map((p) => hi[0] + p));
    last--;
  }
  if (first <= last) out.push(digitClass(first, last) + any);
  return [...out, ...tail];
}

function digitClass(a: number, b: number): string {
  if (a === b) return String(a);
  if (a === 0 && b === 9) return '\\d';
  return `[${a}-${b}]`;
}
