/**
 * How `mod_event_socket` reads a command off a socket, ported for the simulator from
 * `read_packet` (mod_event_socket.c) so that a client's framing mistakes do in the simulator what
 * they do on a real FreeSWITCH — the SDK's own frame parser would hide them.
 *
 * What `read_packet` does, byte by byte:
 *
 * - CR and LF before the first byte of a command are dropped.
 * - The header block ends at the second LF of a run of LFs and CRs (`crcount == 2`: CRs neither
 *   count nor break the run), or after `max_len` (10,485,760) bytes, whatever they are: the rest
 *   is read as the next command.
 * - The block is then a C string: it ends at its first NUL. It is split into lines with
 *   `strchr(cur, '\r') || strchr(cur, '\n')` — the first CR anywhere further on wins over an
 *   earlier LF — and each line cut by `strip_cr` the same way.
 * - The first line's text is the command: the whole string, of which `parse_command` uses what
 *   `strip_cr` leaves. Each later line `Name: value` (leading spaces of the value skipped) is a
 *   header; a line without a `:` is ignored.
 * - A `Content-Length` header (any case) is read with `atoi` the moment its line is parsed: out
 *   of 0..`MAX_CONTENT_LENGTH` (16 MiB) and FreeSWITCH drops the connection; above 0, that many
 *   bytes are read from the socket at once as the body — a second `Content-Length` reads a second
 *   body, which replaces the first. The body is kept as a C string (up to its first NUL).
 *
 * So a NUL in a header value hides every later header, `Content-Length` included, and the body
 * runs as the next command; a `Content-Length` header the client did not mean swallows the next
 * command; a line over 10 MiB runs its tail as a command.
 *
 * @module
 */
/** `max_len` of `read_packet`: a header block is cut after this many bytes. */
export const READ_PACKET_MAX_LEN = 10_485_760;

/** `MAX_CONTENT_LENGTH` of mod_event_socket.c: a larger `Content-Length` drops the connection. */
export const MAX_CONTENT_LENGTH = 16 * 1024 * 1024;

/** A command as read, before the simulator stamps its connection. */
export interface ReadCommand {
  /**
   * The command line, e.g. `api status`: the header block up to its first NUL, cut by
   * `strip_cr` (at the first CR anywhere in it, else at the first LF), which is what
   * `parse_command` acts on.
   */
  line: string;
  /** Its headers by name (the last one wins), values as sent (FreeSWITCH does not decode them). */
  headers: Record<string, string>;
  /** Its headers in order, duplicates kept. */
  headerList: [string, string][];
  /** Its body, if it had a `Content-Length` (up to its first NUL, as FreeSWITCH keeps it). */
  body: string | undefined;
}

/** A command as the simulator received it: a {@link ReadCommand} and the connection it came on. */
export interface ReceivedCommand extends ReadCommand {
  /** {@link SimulatedListener.id} of the connection it came from. */
  connectionId: number;
}

const NUL = 0x00;
const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/** C's `atoi`: leading whitespace, a sign, digits; 0 when there are none. */
function atoi(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** `strchr(s, '\r') || strchr(s, '\n')` on `buf[from..]`: -1 when neither is there. */
function lineEnd(buf: Buffer, from: number): number {
  const cr = buf.indexOf(CR, from);
  return cr !== -1 ? cr : buf.indexOf(LF, from);
}

const enum State {
  /** Reading a header block. */
  Header,
  /** Reading `Content-Length` bodies. */
  Body,
  /** The connection is to be dropped; nothing more is read. */
  Closed,
}

/**
 * A streaming reader of client commands that follows `read_packet` exactly (see the module
 * comment). {@link CommandReader.push} returns `'close'` when FreeSWITCH would drop the connection
 * (a `Content-Length` out of range).
 */
export class CommandReader {
  private state = State.Header;
  private parts: Buffer[] = [];
  private headLength = 0;
  private crcount = 0;
  private command: ReadCommand | undefined;
  /** Body lengths still to read, in header order. */
  private bodies: number[] = [];
  private bodyParts: Buffer[] = [];
  private bodyLength = 0;

  constructor(private readonly onCommand: (command: ReadCommand) => void) {}

  /** Reads a chunk; returns `'close'` when FreeSWITCH would drop the connection. */
  push(chunk: Buffer): 'close' | undefined {
    let i = 0;
    while (i < chunk.length && this.state !== State.Closed) {
      i = this.state === State.Header ? this.readHeader(chunk, i) : this.readBody(chunk, i);
    }
    return this.state === State.Closed ? 'close' : undefined;
  }

  private readHeader(chunk: Buffer, from: number): number {
    let start = from;
    let i = from;
    while (i < chunk.length) {
      const b = chunk[i++]!;
      if (this.headLength === 0 && (b === CR || b === LF)) {
        start = i; // `if (*mbuf == '\r' || *mbuf == '\n')`: a leading line end is dropped
        continue;
      }
      this.headLength++;
      if (b === LF) this.crcount++;
      else if (b !== CR) this.crcount = 0;
      if (this.headLength >= READ_PACKET_MAX_LEN) this.crcount = 2;
      if (this.crcount === 2) {
        this.parts.push(chunk.subarray(start, i));
        this.endHeader();
        return i;
      }
    }
    if (i > start) this.parts.push(chunk.subarray(start, i));
    return i;
  }

  /** The `while (cur)` loop of `read_packet` over the finished block. */
  private endHeader(): void {
    const block = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.headLength = 0;
    this.crcount = 0;
    const nul = block.indexOf(NUL);
    const text = nul === -1 ? block : block.subarray(0, nul);
    const headerList: [string, string][] = [];
    let count = 0;
    let cur: number | undefined = 0;
    while (cur !== undefined) {
      const end = lineEnd(text, cur);
      let next: number | undefined;
      if (end !== -1) {
        next = end;
        while (next < text.length && (text[next] === CR || text[next] === LF)) next++;
      }
      if (++count > 1) {
        const line = text.subarray(cur, end === -1 ? text.length : end);
        const colon = line.indexOf(COLON);
        if (line.length > 0 && colon !== -1) {
          let v = colon + 1;
          while (line[v] === SPACE) v++;
          const name = line.toString('utf8', 0, colon);
          const value = line.toString('utf8', v);
          headerList.push([name, value]);
          if (name.toLowerCase() === 'content-length') {
            const length = atoi(value);
            if (length < 0 || length > MAX_CONTENT_LENGTH) {
              this.state = State.Closed;
              return;
            }
            if (length > 0) this.bodies.push(length);
          }
        }
      }
      cur = next;
    }
    const cut = lineEnd(text, 0);
    this.command = {
      line: text.toString('utf8', 0, cut === -1 ? text.length : cut),
      headers: Object.fromEntries(headerList),
      headerList,
      body: undefined,
    };
    if (this.bodies.length > 0) this.state = State.Body;
    else this.emit();
  }

  private readBody(chunk: Buffer, from: number): number {
    const want = this.bodies[0]! - this.bodyLength;
    const take = Math.min(want, chunk.length - from);
    this.bodyParts.push(chunk.subarray(from, from + take));
    this.bodyLength += take;
    if (this.bodyLength === this.bodies[0]) {
      const bytes = this.bodyParts.length === 1 ? this.bodyParts[0]! : Buffer.concat(this.bodyParts);
      const nul = bytes.indexOf(NUL);
      // switch_event_add_body(event, "%s", body): a C string, and the last body read wins.
      this.command!.body = bytes.toString('utf8', 0, nul === -1 ? bytes.length : nul);
      this.bodies.shift();
      this.bodyParts = [];
      this.bodyLength = 0;
      if (this.bodies.length === 0) {
        this.state = State.Header;
        this.emit();
      }
    }
    return from + take;
  }

  private emit(): void {
    const command = this.command!;
    this.command = undefined;
    this.onCommand(command);
  }
}
