/**
 * The writing side of the protocol, byte for byte as FreeSWITCH writes it: events in the three
 * formats (`switch_event_serialize`, `switch_event_serialize_json`, `switch_event_xmlize`) and
 * the frames mod_event_socket sends. The simulator speaks through these; the conformance test
 * re-serialises every recorded event and compares bytes.
 *
 * @module
 */
import type { EventFormat } from './event.js';
import { urlEncode } from './url-codec.js';

/** Header pairs in wire order. */
export type HeaderList = Iterable<readonly [string, string]>;

/** FreeSWITCH writes this header itself, after the others, when an event has a body. */
const BODY_LENGTH = 'Content-Length';

/** `text/event-plain` text: URL-encoded `Name: value` lines, a blank line, the body. */
export function serializePlainEvent(headers: HeaderList, body?: string): string {
  let out = '';
  for (const [name, value] of headers) {
    if (name === BODY_LENGTH) continue;
    out += `${name}: ${urlEncode(value)}\n`;
  }
  if (body !== undefined && body.length > 0) return `${out}${BODY_LENGTH}: ${Buffer.byteLength(body)}\n\n${body}`;
  return `${out}\n`;
}

/** `text/event-json` text: one compact object, values as strings, the body under `_body`. */
export function serializeJsonEvent(headers: HeaderList, body?: string): string {
  const parts: string[] = [];
  for (const [name, value] of headers) {
    if (name === BODY_LENGTH || name === '_body') continue;
    const json = value.startsWith('ARRAY::') ? JSON.stringify(value.slice(7).split('|:')) : JSON.stringify(value);
    parts.push(`${JSON.stringify(name)}:${json}`);
  }
  if (body !== undefined && body.length > 0) {
    parts.push(`"${BODY_LENGTH}":"${Buffer.byteLength(body)}"`, `"_body":${JSON.stringify(body)}`);
  }
  return `{${parts.join(',')}}`;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch]!);
}

/** `text/event-xml` text: `<event><headers>` with URL-encoded values, two-space indentation. */
export function serializeXmlEvent(headers: HeaderList, body?: string): string {
  let out = '<event>\n  <headers>\n';
  for (const [name, value] of headers) {
    if (name === BODY_LENGTH) continue;
    out += `    <${name}>${escapeXml(urlEncode(value))}</${name}>\n`;
  }
  out += '  </headers>\n';
  if (body !== undefined && body.length > 0) out += `  <body>${escapeXml(body)}</body>\n`;
  return `${out}</event>\n`;
}

/** Serialises an event in `format`. */
export function serializeEvent(format: EventFormat, headers: HeaderList, body?: string): string {
  if (format === 'json') return serializeJsonEvent(headers, body);
  if (format === 'xml') return serializeXmlEvent(headers, body);
  return serializePlainEvent(headers, body);
}

/** The outer frame of an event: `Content-Length` first, then `Content-Type: text/event-<format>`. */
export function eventFrame(format: EventFormat, text: string): string {
  return `Content-Length: ${Buffer.byteLength(text)}\nContent-Type: text/event-${format}\n\n${text}`;
}

/** A `command/reply` frame; extra headers (e.g. `Job-UUID`) follow `Reply-Text`. */
export function commandReplyFrame(replyText: string, extra: HeaderList = []): string {
  let out = `Content-Type: command/reply\nReply-Text: ${replyText}\n`;
  for (const [name, value] of extra) out += `${name}: ${value}\n`;
  return `${out}\n`;
}

/** An `api/response` frame. */
export function apiResponseFrame(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

/** The `auth/request` FreeSWITCH sends on accept. */
export const AUTH_REQUEST_FRAME = 'Content-Type: auth/request\n\n';

/** The text of FreeSWITCH's disconnect notice. */
export const DISCONNECT_TEXT = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

/** A `text/disconnect-notice` frame as an inbound listener gets it (`exit`, failed auth, ACL). */
export function disconnectNoticeFrame(): string {
  return `Content-Type: text/disconnect-notice\nContent-Length: ${Buffer.byteLength(DISCONNECT_TEXT)}\n\n${DISCONNECT_TEXT}`;
}

/**
 * The notice an outbound (`socket` app) connection gets when its channel hangs up while
 * lingering: no body; FreeSWITCH closes the socket `lingerSeconds` later.
 */
export function lingerNoticeFrame(channel: { uuid: string; name: string; lingerSeconds: number }): string {
  return (
    `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${channel.uuid}\nContent-Disposition: linger\n` +
    `Channel-Name: ${channel.name}\nLinger-Time: ${channel.lingerSeconds}\nContent-Length: 0\n\n`
  );
}

/** The `text/rude-rejection` frame an ACL-denied peer gets. */
export function rudeRejectionFrame(text = 'Access Denied, go away.\n'): string {
  return `Content-Type: text/rude-rejection\nContent-Length: ${Buffer.byteLength(text)}\n\n${text}`;
}

/** A `log/data` frame. */
export function logDataFrame(line: {
  level: number;
  channel?: number;
  file: string;
  func: string;
  line: number;
  userData?: string;
  text: string;
}): string {
  return (
    `Content-Type: log/data\nContent-Length: ${Buffer.byteLength(line.text)}\nLog-Level: ${line.level}\n` +
    `Text-Channel: ${line.channel ?? 0}\nLog-File: ${line.file}\nLog-Func: ${line.func}\nLog-Line: ${line.line}\n` +
    `User-Data: ${line.userData ?? ''}\n\n${line.text}`
  );
}
