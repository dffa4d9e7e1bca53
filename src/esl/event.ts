import { type Headers, LazyHeaders, MapHeaders } from './header-block.js';
import { LazyJsonHeaders, looksLikeJsonObject } from './json-headers.js';
import { urlDecode } from './url-codec.js';

/** The wire format an event arrived in (`event plain|json|xml ...`). */
export type EventFormat = 'plain' | 'json' | 'xml';

const BLANK_LINE = '\n\n';

/**
 * A FreeSWITCH event, whatever format it arrived in.
 *
 * Header values are decoded on first read. Lookups are case-insensitive like FreeSWITCH's
 * (`event.get('unique-id')` works), the exact spelling is fastest. Typed getters cover the
 * headers voice applications read most.
 */
export class EslEvent {
  private bodyText: string | undefined;

  constructor(
    /** The event's headers (`Event-Name`, `Unique-ID`, `variable_*`, ...). */
    readonly headers: Headers,
    /** The body: bytes, text, or a function that reads it on first use. */
    private readonly rawBody: Buffer | string | (() => string | undefined) | undefined,
    /** The wire format it arrived in. */
    readonly format: EventFormat,
  ) {}

  /** Builds an event from plain values (tests, simulators, `sendevent`). */
  static from(headers: Record<string, string> | Iterable<[string, string]>, body?: string): EslEvent {
    const map = new Map(Symbol.iterator in headers ? (headers as Iterable<[string, string]>) : Object.entries(headers));
    return new EslEvent(new MapHeaders(map), body, 'plain');
  }

  /** A header's decoded value. */
  get(name: string): string | undefined {
    return this.headers.get(name);
  }

  /** A channel variable: `getVariable('domain_uuid')` reads `variable_domain_uuid`. */
  getVariable(name: string): string | undefined {
    return this.headers.get(`variable_${name}`);
  }

  /** `Event-Name`, e.g. `CHANNEL_ANSWER`, `CUSTOM`, `BACKGROUND_JOB`; `''` if absent. */
  get name(): string {
    return this.headers.get('Event-Name') ?? '';
  }

  /** `Event-Subclass` of a `CUSTOM` event, e.g. `sofia::register`. */
  get subclass(): string | undefined {
    return this.headers.get('Event-Subclass');
  }

  /** The channel's `Unique-ID`. */
  get uuid(): string | undefined {
    return this.headers.get('Unique-ID');
  }

  /** `Job-UUID` of a `BACKGROUND_JOB`. */
  get jobUuid(): string | undefined {
    return this.headers.get('Job-UUID');
  }

  /** `Event-Sequence` as a number. */
  get sequence(): number | undefined {
    const v = this.headers.get('Event-Sequence');
    return v === undefined ? undefined : Number(v);
  }

  /** `Event-Date-Timestamp`: microseconds since the epoch, as a number. */
  get timestampMicros(): number | undefined {
    const v = this.headers.get('Event-Date-Timestamp');
    return v === undefined ? undefined : Number(v);
  }

  /** `Hangup-Cause`, e.g. `NORMAL_CLEARING`. */
  get hangupCause(): string | undefined {
    return this.headers.get('Hangup-Cause');
  }

  /** `Application` of `CHANNEL_EXECUTE[_COMPLETE]`. */
  get application(): string | undefined {
    return this.headers.get('Application');
  }

  /** `Application-UUID`: the `Event-UUID` a `sendmsg execute` carried. */
  get applicationUuid(): string | undefined {
    return this.headers.get('Application-UUID');
  }

  /** `Application-Response` of `CHANNEL_EXECUTE_COMPLETE`. */
  get applicationResponse(): string | undefined {
    return this.headers.get('Application-Response');
  }

  /** `DTMF-Digit` of a `DTMF` event (`#` arrives encoded as `%23` and is decoded). */
  get dtmfDigit(): string | undefined {
    return this.headers.get('DTMF-Digit');
  }

  /** `Caller-Caller-ID-Number`. */
  get callerIdNumber(): string | undefined {
    return this.headers.get('Caller-Caller-ID-Number');
  }

  /** `Caller-Destination-Number`. */
  get destinationNumber(): string | undefined {
    return this.headers.get('Caller-Destination-Number');
  }

  /** The event's body (a `BACKGROUND_JOB`'s command output, a `sendevent` body); `''` if none. */
  get body(): string {
    if (this.bodyText === undefined) {
      const raw = this.rawBody;
      this.bodyText = raw === undefined ? '' : typeof raw === 'string' ? raw : typeof raw === 'function' ? (raw() ?? '') : raw.toString('utf8');
    }
    return this.bodyText;
  }

  /** Every header as a plain object, with the body under `_body` (FreeSWITCH's JSON shape). */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.headers.entries()) if (!(k in out)) out[k] = v;
    const body = this.body;
    if (body !== '') out._body = body;
    return out;
  }
}

/**
 * Decodes a `text/event-plain` body: URL-encoded `Name: value` lines, then optionally a blank
 * line and the event's own body. The body is everything after the first blank line (an event
 * re-sent with `sendevent` can carry two content-length headers; the outer frame already
 * bounds the bytes, so neither is needed).
 */
export function parsePlainEvent(buf: Buffer): EslEvent {
  const blank = buf.indexOf(BLANK_LINE);
  const end = blank === -1 ? buf.length : blank;
  const bodyStart = blank === -1 ? -1 : blank + 2;
  const body = bodyStart !== -1 && bodyStart < buf.length ? buf.subarray(bodyStart) : undefined;
  return new EslEvent(new LazyHeaders(buf, 0, end), body, 'plain');
}

/**
 * Decodes a `text/event-json` body lazily (see {@link LazyJsonHeaders}): nothing is parsed until
 * a header is read. Returns `undefined` when the bytes cannot be a JSON object.
 */
export function parseJsonEvent(buf: Buffer): EslEvent | undefined {
  if (!looksLikeJsonObject(buf)) return undefined;
  const headers = new LazyJsonHeaders(buf);
  return new EslEvent(headers, () => headers.get('_body'), 'json');
}

const XML_HEADER = /<([A-Za-z0-9_.:-]+)>([^<]*)<\/\1>/g;
const XML_ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  if (text.indexOf('&') === -1) return text;
  return text.replace(XML_ENTITY, (whole, dec?: string, hex?: string, named?: string) => {
    if (named !== undefined) return NAMED_ENTITIES[named] ?? whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * Decodes a `text/event-xml` body: `<event><headers><Name>value</Name>...</headers>
 * <body>...</body></event>`, with URL-encoded header values (`switch_event_xmlize`). This is
 * a flat document FreeSWITCH writes itself; a full XML parser is not needed for it. Returns
 * `undefined` when there is no `<headers>` element.
 */
export function parseXmlEvent(buf: Buffer): EslEvent | undefined {
  const xml = buf.toString('utf8');
  const open = xml.indexOf('<headers>');
  const close = xml.indexOf('</headers>', open);
  if (open === -1 || close === -1) return undefined;
  const section = xml.slice(open + 9, close);
  const map = new Map<string, string>();
  XML_HEADER.lastIndex = 0;
  for (let m = XML_HEADER.exec(section); m !== null; m = XML_HEADER.exec(section)) {
    const name = m[1]!;
    if (!map.has(name)) map.set(name, urlDecode(decodeXmlText(m[2]!)));
  }
  let body: string | undefined;
  const bodyOpen = xml.indexOf('<body>', close);
  if (bodyOpen !== -1) {
    const bodyClose = xml.lastIndexOf('</body>');
    if (bodyClose > bodyOpen) body = decodeXmlText(xml.slice(bodyOpen + 6, bodyClose));
  }
  return new EslEvent(new MapHeaders(map), body, 'xml');
}
