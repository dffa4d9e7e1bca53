import { EslProtocolError } from '../errors.js';
import { type Headers, LazyHeaders } from './header-block.js';

/** One Event Socket frame: a header block and, when it had a `Content-Length`, a body. */
export interface EslFrame {
  /** The frame's own header block (`Content-Type`, `Reply-Text`, ...). */
  readonly headers: Headers;
  /** `Content-Type`, e.g. `command/reply`; `undefined` if the frame has none. */
  readonly contentType: string | undefined;
  /** The body (`Content-Length` bytes), or `undefined`. */
  readonly body: Buffer | undefined;
  /** The undecoded header block (a view, without the blank line): for peers that read commands. */
  readonly raw: Buffer;
}

/** Limits of the {@link FrameParser}. */
export interface FrameParserOptions {
  /**
   * Largest header block accepted, in bytes. The biggest FreeSWITCH sends is the outbound
   * `connect` reply (the whole channel data: typically 5–30 KB). Default 1 MiB.
   */
  maxHeaderBytes?: number;
  /**
   * Largest body accepted, in bytes (an event, an `api` response). Default 16 MiB, the size of
   * the largest command body FreeSWITCH itself accepts.
   */
  maxBodyBytes?: number;
}

/** Default {@link FrameParserOptions.maxHeaderBytes}. */
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;
/** Default {@link FrameParserOptions.maxBodyBytes}. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const DIGITS = /^\d{1,10}$/;

const enum State {
  /** Looking for the blank line that ends a header block. */
  Headers,
  /** Waiting for `bodyLength` bytes of body. */
  Body,
  /** The stream broke the protocol; nothing more is parsed. */
  Failed,
}

/**
 * A streaming Event Socket frame parser.
 *
 * Feed it socket chunks of any size with {@link FrameParser.push}; it calls `onFrame` once per
 * complete frame, in order. A frame that lies inside one chunk is delivered as views into that
 * chunk (no copy); bytes are copied only when a frame spans chunks. Header values are not
 * decoded here (see {@link LazyHeaders}).
 *
 * On a protocol violation (a bad `Content-Length`, a header block or body over the limits)
 * `push` returns an {@link EslProtocolError} and the parser stops: framing is lost, so the
 * connection must be closed.
 */
export class FrameParser {
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;
  private readonly buffers: Buffer[] = [];
  private buffered = 0;
  private state = State.Headers;
  // Header scan position, kept across pushes so no byte is scanned twice.
  private scanBuffer = 0;
  private scanOffset = 0;
  private scanned = 0;
  /** 0: mid-line; 1: just after a LF; 2: after a LF and a CR (a CRLF blank line may follow). */
  private scanAfterLf: 0 | 1 | 2 = 0;
  /** The last header block ended with `\r\n\r\n`. */
  private blankIsCrlf = false;
  // The frame being assembled while in State.Body.
  private pendingHeaders: LazyHeaders | undefined;
  private pendingRaw: Buffer | undefined;
  private pendingType: string | undefined;
  private bodyLength = 0;

  constructor(
    private readonly onFrame: (frame: EslFrame) => void,
    options: FrameParserOptions = {},
  ) {
    this.maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Bytes received but not yet part of a delivered frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Whether the parser stopped on a protocol error. */
  get failed(): boolean {
    return this.state === State.Failed;
  }

  /**
   * Parses a chunk. Returns `undefined`, or the protocol error that stopped the parser (it is
   * returned, not thrown, so a socket data handler can never throw).
   */
  push(chunk: Buffer): EslProtocolError | undefined {
    if (this.state === State.Failed || chunk.length === 0) return undefined;
    this.buffers.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.state === State.Headers) {
        this.skipLeadingNewlines();
        const end = this.findHeaderEnd();
        if (end === -1) {
          if (this.scanned > this.maxHeaderBytes) {
            return this.fail(`header block exceeds ${this.maxHeaderBytes} bytes without a blank line`);
          }
          return undefined;
        }
        if (end > this.maxHeaderBytes) return this.fail(`header block of ${end} bytes exceeds ${this.maxHeaderBytes}`);
        const block = this.consume(end + 1);
        const blockEnd = this.blankIsCrlf ? end - 2 : end - 1;
        const headers = new LazyHeaders(block, 0, blockEnd);
        const lengthText = headers.get('Content-Length');
        const contentType = headers.get('Content-Type');
        if (lengthText === undefined) {
          this.onFrame({ headers, contentType, body: undefined, raw: block.subarray(0, blockEnd) });
          continue;
        }
        if (!DIGITS.test(lengthText)) return this.fail(`invalid Content-Length: ${JSON.stringify(lengthText.slice(0, 32))}`);
        const length = Number(lengthText);
        if (length > this.maxBodyBytes) return this.fail(`body of ${length} bytes exceeds ${this.maxBodyBytes}`);
        if (length === 0) {
          this.onFrame({ headers, contentType, body: Buffer.alloc(0), raw: block.subarray(0, blockEnd) });
          continue;
        }
        this.pendingHeaders = headers;
        this.pendingRaw = block.subarray(0, blockEnd);
        this.pendingType = contentType;
        this.bodyLength = length;
        this.state = State.Body;
      }
      if (this.state === State.Body) {
        if (this.buffered < this.bodyLength) return undefined;
        const body = this.consume(this.bodyLength);
        const frame: EslFrame = { headers: this.pendingHeaders!, contentType: this.pendingType, body, raw: this.pendingRaw! };
        this.pendingHeaders = undefined;
        this.pendingRaw = undefined;
        this.pendingType = undefined;
        this.state = State.Headers;
        this.onFrame(frame);
        continue;
      }
      return undefined;
    }
  }

  /** Drops everything buffered and starts over (used when a connection is replaced). */
  reset(): void {
    this.buffers.length = 0;
    this.buffered = 0;
    this.state = State.Headers;
    this.pendingHeaders = undefined;
    this.pendingRaw = undefined;
    this.pendingType = undefined;
    this.resetScan();
  }

  private fail(message: string): EslProtocolError {
    this.state = State.Failed;
    this.buffers.length = 0;
    this.buffered = 0;
    return new EslProtocolError(message);
  }

  private resetScan(): void {
    this.scanBuffer = 0;
    this.scanOffset = 0;
    this.scanned = 0;
    this.scanAfterLf = 0;
  }

  /** FreeSWITCH ignores blank lines between frames; so do we. */
  private skipLeadingNewlines(): void {
    while (this.scanned === 0 && this.buffered > 0 && this.buffers[0]![0] === LF) this.consume(1);
  }

  /**
   * Continues the scan for `\n\n` across the buffered chunks. Returns the stream offset of the
   * second `\n`, or -1.
   */
  private findHeaderEnd(): number {
    const buffers = this.buffers;
    let bi = this.scanBuffer;
    let off = this.scanOffset;
    let pos = this.scanned;
    let afterLf = this.scanAfterLf;
    while (bi < buffers.length) {
      const b = buffers[bi]!;
      while (off < b.length) {
        if (afterLf !== 0 && b[off] === LF) {
          this.blankIsCrlf = afterLf === 2;
          this.resetScan();
          return pos;
        }
        if (afterLf === 1 && b[off] === CR) {
          // `\r\n\r\n`: FreeSWITCH sends bare LF, but libesl's reader accepts CRLF; so do we.
          afterLf = 2;
          pos++;
          off++;
          continue;
        }
        afterLf = 0;
        const nl = b.indexOf(LF, off);
        if (nl === -1) {
          pos += b.length - off;
          off = b.length;
          break;
        }
        pos += nl + 1 - off;
        off = nl + 1;
        afterLf = 1;
      }
      bi++;
      off = 0;
    }
    // Remember where we stopped: the next push resumes at the first unscanned byte.
    this.scanBuffer = buffers.length;
    this.scanOffset = 0;
    this.scanned = pos;
    this.scanAfterLf = afterLf;
    return -1;
  }

  /**
   * Takes `n` bytes off the front: a view when they lie in one chunk, a copy when they span.
   * Only called between header scans, so the scan position never needs rebasing.
   */
  private consume(n: number): Buffer {
    this.buffered -= n;
    const first = this.buffers[0]!;
    if (n === first.length) {
      this.buffers.shift();
      return first;
    }
    if (n < first.length) {
      this.buffers[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const b = this.buffers[0]!;
      const take = Math.min(b.length, n - written);
      b.copy(out, written, 0, take);
      written += take;
      if (take === b.length) {
        this.buffers.shift();
      } else {
        this.buffers[0] = b.subarray(take);
      }
    }
    return out;
  }
}
