/**
 * The writing side of the protocol, byte for byte as FreeSWITCH writes it: events in the three
 * formats (`switch_event_serialize`, `switch_event_serialize_json`, `switch_event_xmlize` +
 * `switch_xml_toxml`) and the frames `mod_event_socket` sends. The simulator speaks through
 * these; the conformance test re-serialises every recorded event and compares bytes.
 *
 * Headers are passed as `[name, value]` pairs in wire order, duplicates allowed (FreeSWITCH
 * repeats `Hangup-Cause` in `CHANNEL_HANGUP_COMPLETE`). A value `ARRAY::a|:b` is a FreeSWITCH
 * multi-value header: plain writes it as it is, JSON as an array, XML as repeated elements.
 *
 * @module
 */
import type { EslEvent, EventFormat } from './event.js';
import { urlEncode } from './url-codec.js';

/** Header pairs in wire order. */
export type HeaderList = Iterable<readonly [string, string]>;

const ARRAY_PREFIX = 'ARRAY::';
const BODY_LENGTH = 'Content-Length';

function arrayItems(value: string): string[] | undefined {
  return value.startsWith(ARRAY_PREFIX) ? value.slice(ARRAY_PREFIX.length).split('|:') : undefined;
}

/**
 * `text/event-plain` text (`switch_event_serialize`): `Name: value` lines with URL-encoded values
 * (an empty value is written `_undef_`), then either a blank line, or, when the event has a
 * non-empty body, `Content-Length: N`, a blank line and the body.
 */
export function serializePlainEvent(headers: HeaderList, body?: string): string {
  let out = '';
  for (const [name, value] of headers) {
    const encoded = urlEncode(value);
    out += `${name}: ${encoded === '' ? '_undef_' : encoded}\n`;
  }
  if (body !== undefined && body.length > 0) return `${out}${BODY_LENGTH}: ${Buffer.byteLength(body)}\n\n${body}`;
  return `${out}\n`;
}

/**
 * `text/event-json` text (cJSON, unformatted): one object, every value a string (multi-value
 * headers an array of strings), keys in header order, repeated keys repeated. A body (even an
 * empty one) adds `"Content-Length"` and `"_body"` at the end.
 */
export function serializeJsonEvent(headers: HeaderList, body?: string): string {
  const parts: string[] = [];
  for (const [name, value] of headers) {
    const items = arrayItems(value);
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(items ?? value)}`);
  }
  if (body !== undefined) parts.push(`"${BODY_LENGTH}":"${Buffer.byteLength(body)}"`, `"_body":${JSON.stringify(body)}`);
  return `{${parts.join(',')}}`;
}

/**
 * Character data as `switch_xml_ampencode` writes it: `&`, `<`, `>` and CR escaped, every
 * non-ASCII character as `&#xHEX;`, `"`, `'`, LF and tab left alone; after `<!` the rest is
 * copied verbatim (FreeSWITCH treats it as a CDATA/comment opener).
 */
export function xmlText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    if (code > 0xffff) i++;
    switch (code) {
      case 0x26:
        out += '&amp;';
        break;
      case 0x3c:
        if (text[i + 1] === '!') return out + text.slice(i);
        out += '&lt;';
        break;
      case 0x3e:
        out += '&gt;';
        break;
      case 0x0d:
        out += '&#xD;';
        break;
      default:
        out += code > 0x7f ? `&#x${code.toString(16).toUpperCase()};` : String.fromCharCode(code);
    }
  }
  return out;
}

/**
 * `text/event-xml` text: `<event>`, `<headers>` with one element per value (URL-encoded,
 * two-space indentation), and for a non-empty body `<Content-Length>` and `<body>` after
 * `</headers>`. A body ending in a newline gets its closing tag indented, as `switch_xml_toxml`
 * does.
 */
export function serializeXmlEvent(headers: HeaderList, body?: string): string {
  let out = '<event>\n  <headers>\n';
  for (const [name, value] of headers) {
    for (const item of arrayItems(value) ?? [value]) out += `    <${name}>${xmlText(urlEncode(item))}</${name}>\n`;
  }
  out += '  </headers>\n';
  if (body !== undefined && body.length > 0) {
    const text = xmlText(body);
    out += `  <${BODY_LENGTH}>${Buffer.byteLength(body)}</${BODY_LENGTH}>\n  <body>${text}${text.endsWith('\n') ? '  ' : ''}</body>\n`;
  }
  return `${out}</event>\n`;
}

/** Serialises an event in `format`. */
export function serializeEvent(format: EventFormat, headers: HeaderList, body?: string): string {
  if (format === 'json') return serializeJsonEvent(headers, body);
  if (format === 'xml') return serializeXmlEvent(headers, body);
  return serializePlainEvent(headers, body);
}

/**
 * An event's own headers, ready to be serialised again: a decoded plain or JSON event also
 * holds the `Content-Length` FreeSWITCH appended for its body (the last header), which the
 * serialisers add themselves. A `content-length` the sender put in a `sendevent` is kept.
 */
export function eventOwnHeaders(event: EslEvent): [string, string][] {
  const out = [...event.headers.entries()];
  const last = out[out.length - 1];
  if (event.body !== '' && last !== undefined && last[0] === BODY_LENGTH) out.pop();
  return out;
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

/** The text of FreeSWITCH's disconnect notice when it closes a connection. */
export const DISCONNECT_TEXT = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

/** Options of {@link disconnectNoticeFrame}. */
export interface DisconnectNoticeOptions {
  /**
   * The channel the connection controls (outbound `socket` connections, inbound after
   * `myevents <uuid>`): adds `Controlled-Session-UUID` and `Content-Disposition: disconnect`.
   */
  sessionUuid?: string;
  /** The notice's text; default {@link DISCONNECT_TEXT}. */
  text?: string;
}

/** A `text/disconnect-notice` frame (`exit`, failed auth, ACL rejection, shutdown). */
export function disconnectNoticeFrame(options: DisconnectNoticeOptions = {}): string {
  const text = options.text ?? DISCONNECT_TEXT;
  const session =
    options.sessionUuid === undefined ? '' : `Controlled-Session-UUID: ${options.sessionUuid}\nContent-Disposition: disconnect\n`;
  return `Content-Type: text/disconnect-notice\n${session}Content-Length: ${Buffer.byteLength(text)}\n\n${text}`;
}

/**
 * The notice a connection controlling a channel gets when the channel hangs up while lingering:
 * no body; FreeSWITCH closes the socket `lingerSeconds` later.
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

/** One log line as `log/data` carries it. */
export interface LogDataLine {
  /** 0 (console) .. 7 (debug). */
  level: number;
  /** `Text-Channel`: 0 for the core log, 3 for a session's log. */
  channel?: number;
  /** `Log-File`. */
  file: string;
  /** `Log-Func`. */
  func: string;
  /** `Log-Line`. */
  line: number;
  /** `User-Data`: the channel uuid of a session's log line, else empty. */
  userData?: string;
  /** The formatted line, with its trailing newline. */
  text: string;
}

/** A `log/data` frame. */
export function logDataFrame(line: LogDataLine): string {
  return (
    `Content-Type: log/data\nContent-Length: ${Buffer.byteLength(line.text)}\nLog-Level: ${line.level}\n` +
    `Text-Channel: ${line.channel ?? 0}\nLog-File: ${line.file}\nLog-Func: ${line.func}\nLog-Line: ${line.line}\n` +
    `User-Data: ${line.userData ?? ''}\n\n${line.text}`
  );
}
