import type { EslFrame } from './frame-parser.js';
import { type Headers, LazyHeaders } from './header-block.js';

/**
 * FreeSWITCH's answer to one command: a `command/reply` (text in `Reply-Text`) or an
 * `api/response` (text in the body).
 */
export class EslReply {
  private textCache: string | undefined;

  constructor(private readonly frame: EslFrame) {}

  /** The reply's headers (`Reply-Text`, `Job-UUID`, and on an outbound `connect` the channel data). */
  get headers(): Headers {
    return this.frame.headers;
  }

  /** `command/reply` or `api/response`. */
  get contentType(): string | undefined {
    return this.frame.contentType;
  }

  /**
   * The reply text: `Reply-Text` for a command, the body for an api, with one trailing newline
   * removed. A `command/reply` carries `Reply-Text` verbatim (`-ERR 100%` stays as is); only the
   * outbound `connect` reply is a serialised event whose headers — `Reply-Text: %2BOK%0A`
   * included — are URL-encoded, and is decoded.
   */
  get text(): string {
    if (this.textCache === undefined) {
      const headers = this.frame.headers;
      const raw =
        this.frame.contentType === 'api/response' || this.frame.body !== undefined
          ? (this.frame.body?.toString('utf8') ?? '')
          : headers.has('Event-Name') || !(headers instanceof LazyHeaders)
            ? (headers.get('Reply-Text') ?? '')
            : (headers.raw('Reply-Text') ?? '');
      this.textCache = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    }
    return this.textCache;
  }

  /** The raw body bytes of an `api/response`. */
  get body(): Buffer | undefined {
    return this.frame.body;
  }

  /** `false` when the text starts with `-ERR` (or `-USAGE`). */
  get ok(): boolean {
    const t = this.text;
    return !(t.startsWith('-ERR') || t.startsWith('-USAGE'));
  }

  /** The `Job-UUID` header of a `bgapi` reply. */
  get jobUuid(): string | undefined {
    return this.frame.headers.get('Job-UUID');
  }
}
