/**
 * Replays the FreeSWITCH side of a recorded WebSocket audio stream (`test/fixtures/ws/*.json`)
 * against a server, byte for byte: the HTTP upgrade request exactly as the module sent it
 * (request line, header names in their case and order, the same `Sec-WebSocket-Key`), then
 * every message the module sent, in order, with the recorded payloads (masked, as a client
 * must), spaced as recorded (or faster), and the recorded close. What the server sends back
 * is collected.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { type Socket, connect } from 'node:net';

/** One message of a recording. */
export interface WsRecordedMessage {
  /** Ms since the module's `start` command. */
  t: number;
  /** Direction: from FreeSWITCH's module to the server, or back. */
  dir: 'fs->server' | 'server->fs';
  /** WebSocket message type. */
  type: 'text' | 'binary';
  /** Payload length, bytes. */
  len: number;
  /** A text payload. */
  text?: string;
  /** Base64 of a binary payload. */
  b64?: string;
}

/** The parts of a recording the replay uses (the fixture files have more). */
export interface WsRecording {
  /** The module recorded. */
  module: string;
  /** The HTTP upgrade: request line and headers, response lines, subprotocol; `t` in ms. */
  handshake: { t: number; requestLine: string; requestHeaders: string[]; response: string[]; subprotocol: string | null };
  /** The messages, in order. */
  messages: WsRecordedMessage[];
  /** How the socket closed; `t` in ms. */
  close: { t: number; code: number; reason: string };
  /** When the recorded close was the module's (`stop`, hangup) rather than the server's. */
  call?: { stopMode?: string };
}

/** Options of {@link replayWsRecording}. */
export interface WsReplayOptions {
  /** Time scale: 1 replays at the recorded pace, 4 four times faster, `Infinity` back to back. Default 1. */
  speed?: number;
  /** Ms to wait for the server's close after the module's close frame. Default 2000. */
  closeTimeoutMs?: number;
}

/** What the server did during a replay. */
export interface WsReplayResult {
  /** The response head, line by line (status line first). */
  response: string[];
  /** Messages the server sent, in order. */
  received: { type: 'text' | 'binary'; data: string | Buffer }[];
  /** The server's close frame, if it sent one. */
  close: { code: number; reason: string } | undefined;
}

/** A masked client frame (FIN set): `opcode` 1 text, 2 binary, 8 close. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 126;
    head.writeUInt16BE(n, 2);
  } else if (n >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  const mask = randomBytes(4);
  const body = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

/** Reads unmasked server frames out of a byte stream. */
class ServerFrames {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentType: 'text' | 'binary' = 'binary';

  constructor(private readonly onMessage: (type: 'text' | 'binary' | 'close', data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const fin = (this.buffer[0]! & 0x80) !== 0;
      const opcode = this.buffer[0]! & 0x0f;
      let len = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + len) return;
      const payload = this.buffer.subarray(offset, offset + len);
      this.buffer = this.buffer.subarray(offset + len);
      if (opcode === 8) this.onMessage('close', Buffer.from(payload));
      else if (opcode === 1 || opcode === 2 || opcode === 0) {
        if (opcode !== 0) this.fragmentType = opcode === 1 ? 'text' : 'binary';
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          this.onMessage(this.fragmentType, Buffer.concat(this.fragments));
          this.fragments = [];
        }
      }
    }
  }
}

/**
 * Connects to `target`, replays `recording`'s FreeSWITCH side and resolves with what the server
 * did. `onMessage` sees each server message as it arrives (to answer it).
 */
export async function replayWsRecording(
  recording: WsRecording,
  target: { host: string; port: number },
  options: WsReplayOptions = {},
  onMessage?: (message: { type: 'text' | 'binary'; data: string | Buffer }) => void,
): Promise<WsReplayResult> {
  const speed = options.speed ?? 1;
  const socket: Socket = connect(target.port, target.host);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const result: WsReplayResult = { response: [], received: [], close: undefined };
  let head = Buffer.alloc(0);
  let upgraded: () => void = () => {};
  const upgradedP = new Promise<void>((resolve) => (upgraded = resolve));
  let closed: () => void = () => {};
  const closedP = new Promise<void>((resolve) => (closed = resolve));
  let sentClose = false;
  const frames = new ServerFrames((type, data) => {
    if (type === 'close') {
      result.close = { code: data.length >= 2 ? data.readUInt16BE(0) : 1005, reason: data.subarray(2).toString('utf8') };
      // A client answers the server's close with its own (the modules echo the code).
      if (!sentClose && !socket.destroyed) {
        sentClose = true;
        socket.write(clientFrame(8, data.subarray(0, 2)));
      }
      return;
    }
    const message = { type, data: type === 'text' ? data.toString('utf8') : data };
    result.received.push(message);
    onMessage?.(message);
  });
  socket.on('data', (chunk: Buffer) => {
    if (result.response.length > 0) return frames.push(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) return;
    result.response = head.subarray(0, end).toString('latin1').split('\r\n');
    upgraded();
    if (head.length > end + 4) frames.push(head.subarray(end + 4));
  });
  socket.on('close', () => {
    upgraded();
    closed();
  });
  socket.on('error', () => {});

  const request = [recording.handshake.requestLine, ...recording.handshake.requestHeaders].join('\r\n') + '\r\n\r\n';
  socket.write(request, 'latin1');
  await upgradedP;
  if (!result.response[0]?.includes(' 101 ')) {
    socket.destroy();
    return result;
  }
  const t0 = performance.now();
  const base = recording.handshake.t;
  for (const m of recording.messages) {
    if (m.dir !== 'fs->server') continue;
    const due = (m.t - base) / speed;
    const wait = t0 + due - performance.now();
    if (Number.isFinite(wait) && wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (socket.destroyed) break;
    const payload = m.type === 'text' ? Buffer.from(m.text ?? '', 'utf8') : Buffer.from(m.b64 ?? '', 'base64');
    socket.write(clientFrame(m.type === 'text' ? 1 : 2, payload));
  }
  // The recorded close: the module's own (stop, hangup); when the server closed first, answer its close.
  if (!socket.destroyed && !sentClose && recording.call?.stopMode !== 'server') {
    sentClose = true;
    const reason = Buffer.from(recording.close.reason, 'utf8');
    const body = Buffer.alloc(2 + reason.length);
    body.writeUInt16BE(recording.close.code, 0);
    reason.copy(body, 2);
    socket.write(clientFrame(8, body));
  }
  const timer = setTimeout(() => socket.destroy(), options.closeTimeoutMs ?? 2000);
  await closedP;
  clearTimeout(timer);
  return result;
}
