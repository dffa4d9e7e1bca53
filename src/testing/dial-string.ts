/**
 * FreeSWITCH's tokenizer (`switch_separate_string` and `cleanup_separated_string` in
 * switch_utils.c), ported statement by statement, so the simulator reads an originate line
 * exactly as a real switch does: what a client escapes must arrive as it meant.
 *
 * @module
 */

const ESCAPE = '\\';
const UNESCAPE: Record<string, string> = { n: '\n', r: '\r', t: '\t', s: ' ' };

/** `cleanup_separated_string`: strips quotes and surrounding blanks, resolves escapes. */
export function cleanupSeparated(text: string, delim: string | undefined): string {
  let out = '';
  let end = 0;
  let inQuotes = false;
  let i = 0;
  while (text[i] === ' ') i++;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ESCAPE) {
      const next = text[i + 1];
      if (next !== undefined && (next === "'" || next === '"' || next === delim || next === ESCAPE || next in UNESCAPE)) {
        out += UNESCAPE[next] ?? next;
        end = out.length;
        i++;
        continue;
      }
    }
    if (ch === "'" && (inQuotes || text.indexOf("'", i + 1) !== -1)) {
      inQuotes = !inQuotes;
      if (inQuotes) end = out.length;
      continue;
    }
    out += ch;
    if (ch !== ' ' || inQuotes) end = out.length;
  }
  return out.slice(0, end);
}

/** `separate_string_blank_delim`: splits on spaces outside single quotes, then cleans each part. */
export function separateBlank(text: string): string[] {
  const parts: string[] = [];
  let start = -1;
  let inQuotes = false;
  let i = 0;
  const flush = (endAt: number): void => {
    if (start !== -1) parts.push(text.slice(start, endAt));
    start = -1;
  };
  while (i < text.length) {
    if (start === -1) {
      while (text[i] === ' ') i++;
      if (i >= text.length) break;
      start = i;
    }
    const ch = text[i]!;
    if (ch === ESCAPE) i++;
    else if (ch === "'") inQuotes = !inQuotes;
    else if (ch === ' ' && !inQuotes) {
      flush(i);
    }
    i++;
  }
  flush(text.length);
  return parts.map((p) => cleanupSeparated(p, undefined));
}

/** `separate_string_char_delim`: splits on `delim` outside quotes and escapes, then cleans. */
export function separateChar(text: string, delim: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ESCAPE) i++;
    else if (ch === "'" && (inQuotes || text.indexOf("'", i + 1) !== -1)) inQuotes = !inQuotes;
    else if (ch === delim && !inQuotes) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => cleanupSeparated(p, delim));
}

/** The variables and endpoint of one dial string. */
export interface ParsedDialString {
  /** The `{...}` variables, after FreeSWITCH's unescaping. */
  variables: Record<string, string>;
  /** The endpoint after the variables, e.g. `loopback/9000/default`. */
  endpoint: string;
}

/** Reads a leading `{...}` block as `switch_event_create_brackets` does (`^^X` switches the separator). */
export function parseDialString(dial: string): ParsedDialString {
  const variables: Record<string, string> = {};
  if (!dial.startsWith('{')) return { variables, endpoint: dial };
  let depth = 0;
  let close = -1;
  for (let i = 0; i < dial.length && close === -1; i++) {
    if (dial[i] === '{') depth++;
    else if (dial[i] === '}' && --depth === 0) close = i;
  }
  if (close === -1) return { variables, endpoint: dial };
  let inner = dial.slice(1, close);
  let delim = ',';
  if (inner.startsWith('^^') && inner.length > 3) {
    delim = inner[2]!;
    inner = inner.slice(3);
  }
  for (const part of separateChar(inner, delim)) {
    const eq = part.indexOf('=');
    if (eq > 0) variables[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { variables, endpoint: dial.slice(close + 1) };
}

/** An originate line (`<dial> <target> [dialplan] [context] ...`) after FreeSWITCH's two passes. */
export function parseOriginateLine(args: string): { dial: ParsedDialString; target: string | undefined; rest: string[] } {
  const [dial = '', target, ...rest] = separateBlank(args);
  return { dial: parseDialString(dial), target, rest };
}
