import { AudioFormats, type AudioFormat } from '../../src/realtime/audio-format.js';
import { type ProviderConnectOptions, type ProviderUsage, type RealtimeCapabilities, RealtimeProvider, type ResponseRequest, type SessionUpdate } from '../../src/realtime/provider.js';

/**
 * A provider the test drives by hand: µ-law 8 kHz both ways (a PCMU call's passthrough), every
 * call the session makes logged in order, and methods that play the vendor's side.
 */
export class ManualProvider extends RealtimeProvider {
  readonly name = 'manual';
  readonly capabilities: RealtimeCapabilities;
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K];
  readonly outputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K];
  inputFormat: AudioFormat | undefined = AudioFormats.MULAW_8K;
  outputFormat: AudioFormat | undefined = AudioFormats.MULAW_8K;
  /** What the session asked, in order: `text:..`, `say:..`, `reply:..`, `result:<id>:<json>`, `interrupt:<ms>`, `update:<json>`, `pause`. */
  readonly log: string[] = [];
  /** Caller frames received. */
  frames = 0;
  private waiters: (() => void)[] = [];

  constructor(capabilities: Partial<RealtimeCapabilities> = {}) {
    super();
    this.capabilities = { truncation: true, turnDetection: true, userTranscription: true, autoToolReply: true, sessionUpdate: 'live', say: 'native', ...capabilities };
  }

  async connect(_options: ProviderConnectOptions): Promise<void> {}
  sendAudio(frame: Uint8Array): void {
    this.frames++;
    this.countSent(frame.byteLength);
    this.notify();
  }
  sendToolResult(callId: string, result: unknown): void {
    this.record(`result:${callId}:${JSON.stringify(result)}`);
  }
  interrupt(options: { playedMs: number }): void {
    this.record(`interrupt:${options.playedMs}`);
  }
  sendText(text: string): void {
    this.record(`text:${text}`);
  }
  override say(text: string): void {
    if (this.capabilities.say === 'native') this.record(`say:${text}`);
    else super.say(text);
  }
  override requestResponse(request: ResponseRequest = {}): void {
    this.record(`reply:${request.instructions ?? ''}`);
  }
  override updateSession(update: SessionUpdate): Promise<void> {
    if (!this.capabilities.sessionUpdate) return super.updateSession(update);
    this.record(`update:${JSON.stringify({ instructions: update.instructions, tools: update.tools?.map((t) => t.name) })}`);
    return Promise.resolve();
  }
  override pauseInput(): void {
    this.record('pause');
  }
  async close(): Promise<void> {
    this.emit('close', {});
  }

  /** The vendor streams `ms` of answer audio (µ-law bytes of `fill`) for `responseId`, in 100 ms chunks. */
  speak(responseId: string, ms: number, fill = 0x55): void {
    for (let at = 0; at < ms; at += 100) this.emit('audio', { data: Buffer.alloc(Math.min(100, ms - at) * 8, fill), responseId, itemId: `item_${responseId}` });
  }

  /** The vendor ends an answer. */
  done(responseId: string, status = 'completed', usage?: ProviderUsage): void {
    this.emit('responseDone', { responseId, status, ...(usage && { usage }) });
  }

  /** Resolves once the log has an entry matching `pred`. */
  async waitFor(pred: (entry: string) => boolean): Promise<string> {
    for (;;) {
      const hit = this.log.find(pred);
      if (hit !== undefined) return hit;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Resolves once `n` caller frames have arrived. */
  async waitForFrames(n: number): Promise<void> {
    while (this.frames < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  private record(entry: string): void {
    this.log.push(entry);
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
