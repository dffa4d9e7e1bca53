import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixtures = (path: string): string => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));

/** One message of a recorded Live API session: who sent it and its JSON. */
export interface RecordedMessage {
  readonly dir: 'client' | 'server';
  readonly json: any;
}

/**
 * Reads one of Google's recorded Live API sessions (test/fixtures/gemini, copied unchanged from
 * googleapis/js-genai test/system/recordings): records `>LEN json` (client to server) and
 * `<LEN json` (server to client), LEN being the length of the record's text.
 */
export function geminiRecording(name: string): RecordedMessage[] {
  const text = readFileSync(fixtures(`gemini/${name}.websocket.log`), 'utf8');
  const out: RecordedMessage[] = [];
  let at = 0;
  while (at < text.length) {
    const head = /^([<>])(\d+) /.exec(text.slice(at, at + 16));
    if (!head) throw new Error(`${name}: no record header at offset ${at}`);
    const start = at + head[0].length;
    const body = text.slice(start, start + Number(head[2]));
    out.push({ dir: head[1] === '>' ? 'client' : 'server', json: JSON.parse(body) });
    at = start + body.length;
    while (text[at] === '\n') at++;
  }
  return out;
}

/** The realtime event examples OpenAI publishes (test/fixtures/openai/realtime-events.json). */
export function openaiExamples(): Record<string, { event: string; example: string }> {
  return JSON.parse(readFileSync(fixtures('openai/realtime-events.json'), 'utf8')).examples;
}

/**
 * One published example, parsed. A few are not strict JSON (comments, trailing commas): those
 * are loosened just enough to parse (comment lines dropped, trailing commas removed); the first
 * object of an example showing several is returned.
 */
export function openaiExample(schema: string): any {
  const raw = openaiExamples()[schema]?.example;
  if (raw === undefined) throw new Error(`no published example ${schema}`);
  try {
    return JSON.parse(raw);
  } catch {
    const loose = raw
      .split('\n')
      .filter((l) => !l.trim().startsWith('//'))
      .join('\n')
      .replace(/\/\/[^\n"]*$/gm, '')
      .replace(/,(\s*[}\]])/g, '$1');
    const end = firstObjectEnd(loose);
    return JSON.parse(loose.slice(loose.indexOf('{'), end));
  }
}

function firstObjectEnd(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = text.indexOf('{'); i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return text.length;
}
