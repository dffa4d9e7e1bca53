/**
 * A local, deterministic provider for the demo and for tests: no network, no model. It hears
 * the caller through an energy VAD and answers each utterance with the next turn of a script,
 * speaking prepared clips or generated tones.
 *
 * @module
 */
import { ByteAligner } from '../../media/byte-aligner.js';
import { pcmFromLE, pcmToLE } from '../../media/pcm.js';
import { AudioFormats, type AudioFormat } from '../audio-format.js';
import { type ProviderConnectOptions, type RealtimeCapabilities, RealtimeProvider, type ResponseRequest, type SessionUpdate } from '../provider.js';
import { EnergyVad, type EnergyVadOptions } from './energy-vad.js';

/** One answer of the script. */
export interface ScriptTurn {
  /** What the caller said, as a transcription would give it: emitted as the `user` transcript of the utterance this turn answers. */
  heard?: string;
  /** What the assistant says (its audio: a clip from `clips`, else tones). */
  say?: string;
  /** A tool the assistant calls after speaking. */
  tool?: { name: string; args?: Record<string, unknown> };
  /** What it says once the tool result comes back. */
  afterTool?: string;
}

/** Options of {@link ScriptedProvider}. */
export interface ScriptedProviderOptions {
  /** Said when the session asks for the greeting (`sendText`). */
  greeting?: string;
  /** Said when asked for an answer without instructions (`requestResponse()`, the watchdog). Default "Are you still there?". */
  reprompt?: string;
  /** One turn per caller utterance, in order; after the last, the last repeats. */
  turns?: readonly ScriptTurn[];
  /** Prepared speech: text → 8 kHz PCM. */
  clips?: Readonly<Record<string, Int16Array>>;
  /** Tone speech length per character, ms (default 50), capped at `maxUtteranceMs` (default 3000). */
  msPerChar?: number;
  /** Longest tone utterance, ms. Default 3000. */
  maxUtteranceMs?: number;
  /** Audio chunk size, ms (default 100): answers arrive in bursts faster than real time, like a cloud vendor's. */
  chunkMs?: number;
  /** The caller's voice detector. */
  vad?: EnergyVadOptions;
}

const RATE = 8000;
/** Bytes of one 20 ms frame of PCM16 at 8 kHz. */
const FRAME_BYTES = 320;

/** Deterministic "speech": a few tones per word, the same text always giving the same audio. */
export function toneSpeech(text: string, msPerChar = 50, maxMs = 3000): Int16Array {
  const total = Math.min(maxMs, Math.max(200, text.length * msPerChar));
  const samples = new Int16Array(Math.round((total * RATE) / 1000));
  const per = Math.max(1, Math.floor(samples.length / Math.max(1, text.length)));
  for (let i = 0; i < samples.length; i++) {
    const ch = text.charCodeAt(Math.min(text.length - 1, Math.floor(i / per))) || 97;
    const hz = 300 + (ch % 24) * 25;
    const envelope = Math.min(1, (i % per) / 40, (per - (i % per)) / 40);
    samples[i] = Math.round(6000 * envelope * Math.sin((2 * Math.PI * hz * i) / RATE));
  }
  return samples;
}

/**
 * A scripted speech-to-speech "AI". Input and output are 16-bit PCM at 8 kHz.
 *
 * ```ts
 * const provider = new ScriptedProvider({
 *   greeting: 'Hello, you reached the secretary.',
 *   turns: [{ say: 'Who would you like to talk to?' }, { say: 'Transferring you.', tool: { name: 'transfer_call', args: { destination: '1001' } } }],
 * });
 * ```
 */
export class ScriptedProvider extends RealtimeProvider {
  readonly name = 'scripted';
  readonly capabilities: RealtimeCapabilities = {
    truncation: true,
    turnDetection: true,
    userTranscription: false,
    autoToolReply: true,
    sessionUpdate: 'live',
    say: 'native',
    replyInstructions: 'prompted',
  };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.PCM16_8K];
  readonly outputFormats: readonly AudioFormat[] = [AudioFormats.PCM16_8K];
  inputFormat: AudioFormat | undefined;
  /** The format it speaks in, once connected. */
  outputFormat: AudioFormat | undefined;
  /** Utterances heard so far. */
  utterances = 0;
  /** What the last interruption cut: the response, and the ms the caller heard. */
  lastInterruption: { responseId: string; playedMs: number } | undefined;
  /** Instructions and tools in effect (from `connect`, then `updateSession`). */
  session: { instructions: string; tools: readonly string[] } = { instructions: '', tools: [] };
  private readonly vad: EnergyVad;
  private readonly turns: readonly ScriptTurn[];
  private responseSeq = 0;
  private toolSeq = 0;
  private speaking: { responseId: string; timer: NodeJS.Timeout | undefined } | undefined;
  private readonly pendingTools = new Map<string, ScriptTurn>();
  private connected = false;
  private lastResponseId: string | undefined;
  /** Caller audio cut into 20 ms frames (320 bytes of PCM16 at 8 kHz). */
  private readonly frames = new ByteAligner(FRAME_BYTES);

  constructor(private readonly options: ScriptedProviderOptions = {}) {
    super();
    this.vad = new EnergyVad(options.vad);
    this.turns = options.turns ?? [];
  }

  async connect(options: ProviderConnectOptions): Promise<void> {
    if (options.signal?.aborted) throw options.signal.reason;
    this.session = { instructions: options.instructions, tools: (options.tools ?? []).map((t) => t.name) };
    this.inputFormat = AudioFormats.PCM16_8K;
    this.outputFormat = AudioFormats.PCM16_8K;
    this.connected = true;
  }

  sendAudio(frame: Uint8Array): void {
    if (!this.connected) return;
    const bytes = this.frames.push(frame);
    for (let at = 0; at < bytes.length; at += FRAME_BYTES) this.onFrame(pcmFromLE(bytes.slice(at, at + FRAME_BYTES)));
  }

  sendToolResult(callId: string, _result: unknown): void {
    const turn = this.pendingTools.get(callId);
    this.pendingTools.delete(callId);
    if (turn?.afterTool) this.respond(turn.afterTool);
  }

  /** Stops the answer being generated, and (like a vendor's truncate) records what the caller heard of the last one. */
  interrupt(options: { playedMs: number }): void {
    const current = this.speaking;
    if (current?.timer) clearTimeout(current.timer);
    this.speaking = undefined;
    if (this.lastResponseId) this.lastInterruption = { responseId: this.lastResponseId, playedMs: options.playedMs };
    if (current) this.emit('responseDone', { responseId: current.responseId, status: 'cancelled' });
  }

  sendText(text: string): void {
    if (this.connected) this.respond(this.options.greeting ?? text);
  }

  /** Speaks `text` exactly (the scripted voice is its own text-to-speech). */
  override say(text: string): void {
    if (this.connected) this.respond(text);
  }

  /** Answers with the instructions' words, or `reprompt` without instructions. */
  override requestResponse(request: ResponseRequest = {}): void {
    if (this.connected) this.respond(request.instructions ?? this.options.reprompt ?? 'Are you still there?');
  }

  /** Takes new instructions and tools at once (they change nothing the script says). */
  override async updateSession(update: SessionUpdate): Promise<void> {
    this.session = { instructions: update.instructions ?? this.session.instructions, tools: update.tools ? update.tools.map((t) => t.name) : this.session.tools };
  }

  /** Muted caller: what the detector half-heard is forgotten. */
  override pauseInput(): void {
    this.vad.reset();
    this.frames.reset();
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    if (this.speaking?.timer) clearTimeout(this.speaking.timer);
    this.speaking = undefined;
    this.pendingTools.clear();
    this.emit('close', {});
  }

  private onFrame(samples: Int16Array): void {
    const change = this.vad.push(samples);
    if (change === 'start') this.emit('speechStarted', {});
    if (change === 'stop') {
      this.emit('speechStopped', {});
      const turn = this.turns[Math.min(this.utterances, this.turns.length - 1)];
      this.utterances++;
      if (turn?.heard) this.emit('transcript', { role: 'user', text: turn.heard, final: true, itemId: `heard_${this.utterances}` });
      if (turn) this.play(turn);
    }
  }

  private play(turn: ScriptTurn): void {
    const responseId = this.respond(turn.say ?? '', () => {
      if (!turn.tool) return;
      const id = `call_${++this.toolSeq}`;
      this.pendingTools.set(id, turn);
      this.emit('toolCall', { id, name: turn.tool.name, args: turn.tool.args ?? {}, responseId });
    });
    void responseId;
  }

  /** Speaks `text` as one response, in chunks; `then` runs after its last chunk. */
  private respond(text: string, then?: () => void): string {
    const responseId = `resp_${++this.responseSeq}`;
    this.lastResponseId = responseId;
    const itemId = `item_${this.responseSeq}`;
    if (this.speaking?.timer) clearTimeout(this.speaking.timer);
    const audio = text === '' ? new Int16Array(0) : (this.options.clips?.[text] ?? toneSpeech(text, this.options.msPerChar, this.options.maxUtteranceMs));
    const chunk = Math.round(((this.options.chunkMs ?? 100) * RATE) / 1000);
    let at = 0;
    const state: { responseId: string; timer: NodeJS.Timeout | undefined } = { responseId, timer: undefined };
    this.speaking = state;
    const step = (): void => {
      if (this.speaking !== state) return;
      if (at < audio.length) {
        const piece = audio.slice(at, at + chunk);
        at += chunk;
        this.emit('audio', { data: Uint8Array.from(pcmToLE(piece)), responseId, itemId });
        state.timer = setTimeout(step, 0);
        return;
      }
      this.speaking = undefined;
      if (text) this.emit('transcript', { role: 'assistant', text, final: true, itemId });
      this.emit('responseDone', { responseId, status: 'completed' });
      then?.();
    };
    state.timer = setTimeout(step, 0);
    return responseId;
  }
}
