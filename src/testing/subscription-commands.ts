/**
 * The commands that change what a connection receives: `event`, `nixevent`, `filter`, and the
 * event list `myevents` subscribes to. Each returns FreeSWITCH's reply text.
 *
 * @module
 */
import { canonicalEventName, EVENT_NAMES } from './event-templates.js';
import type { SimulatedListener } from './listener.js';

/** The channel events `myevents` subscribes to. */
export const MYEVENTS = [
  'CHANNEL_ANSWER', 'CHANNEL_APPLICATION', 'CHANNEL_BRIDGE', 'CHANNEL_CREATE', 'CHANNEL_DATA', 'CHANNEL_DESTROY',
  'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_ORIGINATE',
  'CHANNEL_UUID', 'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_STATE',
  'CHANNEL_UNBRIDGE', 'CHANNEL_UNPARK', 'DETECTED_SPEECH', 'DTMF', 'NOTALK', 'TALK',
];

/** `filter [add|delete] <header> [<value>]`: returns FreeSWITCH's reply text. */
export function filter(l: SimulatedListener, args: string): string {
  const trimmed = args.replace(/^ +/, '');
  const space = trimmed.indexOf(' ');
  let name = space === -1 ? trimmed : trimmed.slice(0, space);
  let value: string | undefined = space === -1 ? undefined : trimmed.slice(space + 1);
  const split = (text: string): [string, string | undefined] => {
    const s = text.indexOf(' ');
    return s === -1 ? [text, undefined] : [text.slice(0, s), text.slice(s + 1)];
  };
  if (name.toLowerCase() === 'delete' && value !== undefined) {
    [name, value] = split(value);
    if (name.toLowerCase() === 'all') l.filters.length = 0;
    for (let i = l.filters.length - 1; i >= 0; i--) {
      const [h, v] = l.filters[i]!;
      if (h.toLowerCase() === name.toLowerCase() && (value === undefined || v === value)) l.filters.splice(i, 1);
    }
    return `+OK filter deleted. [${name}][${value ?? ''}]`;
  }
  if (value === undefined) return '-ERR invalid syntax';
  if (name.toLowerCase() === 'add') [name, value] = split(value);
  if (value !== undefined) l.filters.push([name, value]);
  return `+OK filter added. [${name}]=[${value ?? '(null)'}]`;
}

/** `event [plain|json|xml] <names> [CUSTOM <subclasses>]`: returns FreeSWITCH's reply text. */
export function subscribe(l: SimulatedListener, cmd: string): string {
  const space = cmd.indexOf(' ', 5);
  const tokens = space === -1 ? [] : cmd.slice(space + 1).split(' ');
  let keys = 0;
  let custom = false;
  tokens.forEach((token, i) => {
    const format = token.toLowerCase();
    if (i === 0 && (format === 'plain' || format === 'json' || format === 'xml')) {
      l.format = format;
      return;
    }
    if (custom) {
      if (token !== '') l.subclasses.add(token);
      return;
    }
    const name = canonicalEventName(token);
    if (name === undefined) return;
    keys++;
    if (name === 'ALL') l.subscribeAll();
    else l.events.add(name);
    if (name === 'CUSTOM') custom = true;
  });
  if (keys === 0) return '-ERR no keywords supplied';
  l.eventsEnabled = true;
  return `+OK event listener enabled ${l.format}`;
}

/** `nixevent <names> [CUSTOM <subclasses>]`: returns FreeSWITCH's reply text. */
export function nixevent(l: SimulatedListener, cmd: string): string {
  const space = cmd.indexOf(' ', 5);
  const tokens = space === -1 ? [] : cmd.slice(space + 1).split(' ');
  let keys = 0;
  let custom = false;
  for (const token of tokens) {
    if (custom) {
      l.subclasses.delete(token);
      continue;
    }
    const name = canonicalEventName(token);
    if (name === undefined) continue;
    keys++;
    if (name === 'CUSTOM') custom = true;
    else if (name === 'ALL') {
      l.allEvents = false;
      l.events.clear();
    } else {
      if (l.allEvents) {
        l.allEvents = false;
        for (const n of EVENT_NAMES) if (n !== 'ALL') l.events.add(n);
      }
      l.events.delete(name);
    }
  }
  if (keys === 0) return '-ERR no keywords supplied';
  l.eventsEnabled = true;
  return '+OK events nixed';
}
