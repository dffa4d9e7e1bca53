/**
 * Caller audio on its way to the provider. A provider message is a WebSocket write — JSON or a
 * binary frame, base64, TLS, a TCP system call — and one per 20 ms caller frame was the largest
 * single cost of a session. So the frames the media hands out are gathered and sent **after**
 * the media clock's tick (one `setImmediate` for every session of the process): no provider
 * write runs inside the tick that sends every call's frames to FreeSWITCH. Frames that come out
 * together (a bridge reading ahead: `readAheadFrames`) go in one message, at most
 * `framesPerMessage`; a frame never waits for the next one, so batching adds no latency.
 *
 * @module
 */
import { getMediaClock } from '../media/media-clock.js';

/** How a session sends the caller's audio to its provider. */
export interface ProviderInputOptions {
  /**
   * Caller frames (20 ms each) per provider message, at most. The session's media hands out
   * the frames that have already arrived in order up to this many at a time (its jitter buffer
   * reads ahead, see `RtpBridgeOptions.readAheadFrames`), so a message carries what is there and
   * leaves at once: messages are fewer and frames reach the provider sooner, never later. 1
   * sends each frame as it is due. Default {@link DEFAULT_FRAMES_PER_MESSAGE}.
   */
  framesPerMessage?: number;
}

/**
 * Caller frames per provider message by default: 5 (100 ms). Measured in `bench/sessions.ts`
 * (see docs/benchmarks.md): with the default 100 ms jitter target about five frames are waiting
 * at each tick, so messages carry 3–5 frames and a session sends 10–17 messages a second
 * instead of 50.
 */
export const DEFAULT_FRAMES_PER_MESSAGE = 5;

/** Inputs with frames to send at the end of this turn of the event loop. */
let due: ProviderInput[] = [];
let spare: ProviderInput[] = [];
let scheduled = false;

/** Provider writes stop when the media clock's next tick is this close, ms (the rest go after it). */
const YIELD_BEFORE_TICK_MS = 1;

/**
 * Sends every gathered input; runs once per turn of the event loop that gathered frames. When
 * the clock's next tick comes close, the rest wait for the next turn (after the tick, first in
 * line): a provider write never delays a call's frame to FreeSWITCH.
 */
function deliverAll(): void {
  scheduled = false;
  const inputs = due;
  due = spare;
  const clock = getMediaClock();
  let i = 0;
  for (; i < inputs.length; i++) {
    if ((i & 7) === 7 && clock.msUntilNextTick() < YIELD_BEFORE_TICK_MS) break;
    inputs[i]!.deliver();
  }
  if (i < inputs.length) {
    for (let k = i; k < inputs.length; k++) due.push(inputs[k]!);
    scheduled = true;
    setImmediate(deliverAll);
  }
  inputs.length = 0;
  spare = inputs;
}

/**
 * One session's caller audio to its provider: {@link ProviderInput.push} in the media's tick,
 * the message goes after it.
 */
export class ProviderInput {
  /** Messages sent. */
  messages = 0;
  /** Frames sent. */
  frames = 0;
  readonly framesPerMessage: number;
  private readonly gathered: Uint8Array[] = [];
  private queued = false;
  private closed = false;

  /**
   * @param send - the provider's `sendAudio` (called after the tick, with one or more frames).
   * @param onError - what `send` threw (the other sessions' audio still goes).
   */
  constructor(
    private readonly send: (audio: Uint8Array) => void,
    private readonly onError: (error: unknown) => void,
    options: ProviderInputOptions = {},
  ) {
    this.framesPerMessage = options.framesPerMessage ?? DEFAULT_FRAMES_PER_MESSAGE;
    if (!(Number.isInteger(this.framesPerMessage) && this.framesPerMessage >= 1)) {
      throw new RangeError(`providerInput.framesPerMessage must be a positive integer, not ${options.framesPerMessage}`);
    }
  }

  /** A caller frame (kept, not copied: the media hands out buffers of the listener's own). */
  push(frame: Uint8Array): void {
    if (this.closed) return;
    this.gathered.push(frame);
    if (this.queued) return;
    this.queued = true;
    due.push(this);
    if (!scheduled) {
      scheduled = true;
      setImmediate(deliverAll);
    }
  }

  /** Drops what is gathered and not sent yet (the caller was muted). */
  discard(): void {
    this.gathered.length = 0;
  }

  /** Sends nothing more. */
  close(): void {
    this.closed = true;
    this.gathered.length = 0;
  }

  /** @internal Sends what was gathered: messages of at most `framesPerMessage` frames. */
  deliver(): void {
    this.queued = false;
    const frames = this.gathered;
    for (let at = 0; at < frames.length; at += this.framesPerMessage) {
      const n = Math.min(this.framesPerMessage, frames.length - at);
      const audio = n === 1 ? frames[at]! : join(frames, at, n);
      this.messages++;
      this.frames += n;
      try {
        this.send(audio);
      } catch (error) {
        this.onError(error);
      }
    }
    frames.length = 0;
  }
}

/** `n` frames from `at`, one after the other in one buffer. */
function join(frames: readonly Uint8Array[], at: number, n: number): Buffer {
  let bytes = 0;
  for (let i = at; i < at + n; i++) bytes += frames[i]!.length;
  const out = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = at; i < at + n; i++) {
    out.set(frames[i]!, offset);
    offset += frames[i]!.length;
  }
  return out;
}
