/**
 * Strict frame comparison for the conformance tests: header names, order and duplicates as
 * written, values compared raw (URL-encoded, as on the wire), with only what cannot be equal
 * between two runs normalised — uuids FreeSWITCH picks at random (numbered by first appearance,
 * so equal uuids must stay equal), clocks (zero must stay zero), counters and durations.
 */
import { expect } from 'vitest';
import type { RawFrame } from './raw-esl.js';

/** Every uuid in a text. */
export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Names the uuids of one side of a conversation in order of first appearance (`<uuid#1>`, ...);
 * uuids both sides chose (the client's `Event-UUID`, an `origination_uuid`) are kept as they are.
 */
export class UuidNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly chosen: ReadonlySet<string>) {}

  /** Replaces every uuid in `text` by its name. */
  apply(text: string): string {
    return text.replace(UUID, (u) => {
      if (this.chosen.has(u)) return u;
      let name = this.names.get(u);
      if (name === undefined) this.names.set(u, (name = `<uuid#${this.names.size + 1}>`));
      return name;
    });
  }
}

/** One side's normalisation: its uuid names, and a rewrite of run-specific text (ports) before anything else. */
export interface Side {
  uuids: UuidNames;
  rewrite?: (text: string) => string;
}

/** Both sides of a conversation, and header names whose values this conversation cannot repeat. */
export interface Sides {
  ours: Side;
  recorded: Side;
  /** E.g. `playback_*` of a tone a `uuid_break` cut at some point. */
  volatile?: RegExp;
}

/** Fresh sides for a conversation: uuids the client chose are compared as they are. */
export function sidesFor(chosen: ReadonlySet<string>, options: Omit<Sides, 'ours' | 'recorded'> & { rewriteOurs?: (text: string) => string } = {}): Sides {
  const { rewriteOurs, ...rest } = options;
  return { ours: { uuids: new UuidNames(chosen), ...(rewriteOurs && { rewrite: rewriteOurs }) }, recorded: { uuids: new UuidNames(chosen) }, ...rest };
}

/** Header name and raw value, in wire order. */
export type RawHeader = [name: string, value: string];

/** `Name: value` lines of a header block, values left as written (URL-encoded). */
export function headerLines(block: string): RawHeader[] {
  return block
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const colon = line.indexOf(': ');
      return colon === -1 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 2)];
    });
}

/** Headers (and body) of an event frame or of a `connect` reply (channel data in the frame's own head). */
export function eventParts(frame: RawFrame): { headers: RawHeader[]; body: string } | undefined {
  if (frame.type === 'text/event-plain') {
    const text = frame.body?.toString('utf8') ?? '';
    const blank = text.indexOf('\n\n');
    return { headers: headerLines(blank === -1 ? text : text.slice(0, blank)), body: blank === -1 ? '' : text.slice(blank + 2) };
  }
  if (frame.head.startsWith('Event-Name: ')) return { headers: headerLines(frame.head), body: frame.body?.toString('utf8') ?? '' };
  return undefined;
}

/** Clocks: only whether they are set can be compared. */
const CLOCK = /(-Time|-Timestamp|_epoch|_uepoch)$|^Caller-Channel-Last-Hold$|^Caller-Channel-Hold-Accum$/;
/** Local time stamps: their shape. */
const STAMP = /^(Event-Date-Local|variable_\w+_stamp)$/;
/** Counters and durations of this run (their rules are tested against the recorded times separately). */
const VOLATILE =
  /^(Event-Sequence|Content-Length|variable_session_id|variable_(duration|mduration|uduration|(bill|progress|answer|wait|progress_media|flow_bill)(sec|msec|usec)))$/;
const GMT = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** A header value as far as two runs can agree on it. */
export function comparableValue(name: string, value: string, side: Side, volatile?: RegExp): string {
  if (VOLATILE.test(name) || volatile?.test(name)) return '<volatile>';
  if (CLOCK.test(name)) return value === '0' ? '0' : '<time>';
  if (STAMP.test(name)) return value.replace(/\d/g, '9');
  if (name === 'Event-Date-GMT') return GMT.test(decodeURIComponent(value)) ? '<gmt>' : value;
  return side.uuids.apply(value);
}

/**
 * Compares one frame the simulator wrote with the recorded one: content type; for events and
 * channel data every header name in order and every comparable value; anything else byte for
 * byte once uuids are named.
 */
export function compareRawFrame(ours: RawFrame, recorded: RawFrame, sides: Sides, where: string): void {
  expect(ours.type, `${where}: content type`).toBe(recorded.type);
  const rewrite = (frame: RawFrame, side: Side): RawFrame => {
    if (!side.rewrite) return frame;
    const head = side.rewrite(frame.head);
    const body = frame.body === undefined ? undefined : Buffer.from(side.rewrite(frame.body.toString('utf8')));
    return { type: frame.type, head, body, bytes: side.rewrite(frame.bytes) };
  };
  const a = rewrite(recorded, sides.recorded);
  const b = rewrite(ours, sides.ours);
  const expected = eventParts(a);
  if (expected === undefined) {
    expect(sides.ours.uuids.apply(b.bytes), where).toBe(sides.recorded.uuids.apply(a.bytes));
    return;
  }
  const actual = eventParts(b);
  expect(actual, `${where}: an event`).toBeDefined();
  const name = expected.headers.find(([k]) => k === 'Event-Name')?.[1] ?? '?';
  expect(actual!.headers.map(([k]) => k), `${where} ${name}: header names and order`).toEqual(expected.headers.map(([k]) => k));
  const values = (list: RawHeader[], side: Side): string[] => list.map(([k, v]) => `${k}: ${comparableValue(k, v, side, sides.volatile)}`);
  expect(values(actual!.headers, sides.ours), `${where} ${name}: header values`).toEqual(values(expected.headers, sides.recorded));
  expect(sides.ours.uuids.apply(actual!.body), `${where} ${name}: body`).toBe(sides.recorded.uuids.apply(expected.body));
}
