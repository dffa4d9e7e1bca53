/**
 * The end-to-end checks, with a loopback call through FreeSWITCH's own dialplan: `originate
 * loopback/<number>/<context> &echo()` — the dialplan's `socket` must reach the service (the
 * doctor itself when the port is free, else the running secretary, which answers the probe),
 * and, when the doctor answers, a 1 kHz tone sent through `unicast` must come back through the
 * echo on the other leg: FreeSWITCH's media reaches this host's RTP ports and back.
 */
import { randomUUID } from 'node:crypto';
import { type AsyncESLClient, type EslEvent, OriginateError, type OutboundCall, PortAllocator, pcmFromLE, pcmToLE, startCallMedia } from 'freeswitch-voice-ai';
import { tone, toneShare } from './tone.js';

/** The variable that marks the doctor's calls (the secretary answers such calls as a probe). */
export const DOCTOR_VARIABLE = 'voice_ai_doctor';

/** What the test call showed. */
export interface TestCallResult {
  /** The originate failed before the dialplan ran: its cause (`NO_ROUTE_DESTINATION`, ...). */
  originateCause?: string;
  /** The dialplan ran the `socket` application, with this data. */
  socketData?: string;
  /** Who took the socket connection: this doctor, or a running service that answered the probe. */
  answeredBy?: 'doctor' | 'service';
  /** The audio check (only when the doctor took the call). */
  audio?: { heardAfterMs: number | undefined; error?: string };
}

/** Hands the doctor's probe calls to the running check: the outbound server's handler. */
export class ProbeCalls {
  private readonly waiting = new Map<string, (call: OutboundCall) => void>();

  /** The server handler: a probe call goes to its check; anything else is hung up. */
  readonly handler = (call: OutboundCall): void => {
    const token = call.channel.getVariable(DOCTOR_VARIABLE);
    const take = token === undefined ? undefined : this.waiting.get(token);
    if (take) take(call);
    else void call.hangup('NORMAL_CLEARING').catch(() => {});
  };

  /** Waits for the probe call carrying `token`. */
  expect(token: string, take: (call: OutboundCall) => void): () => void {
    this.waiting.set(token, take);
    return () => this.waiting.delete(token);
  }
}

/** Options of {@link testCall}. */
export interface TestCallOptions {
  client: AsyncESLClient;
  number: string;
  context: string;
  /** Set when the doctor listens on the service's port (it is free): the probe comes here. */
  probes: ProbeCalls | undefined;
  rtp: { min: number; max: number; bindAddress: string };
  timeoutMs: number;
}

/** Places the test call and reports what happened. */
export async function testCall(o: TestCallOptions): Promise<TestCallResult> {
  const token = randomUUID();
  const result: TestCallResult = {};
  const events: EslEvent[] = [];
  await o.client.subscribe(['CHANNEL_EXECUTE', 'CHANNEL_HANGUP_COMPLETE']);
  const listener = (e: EslEvent): void => void events.push(e);
  const ids = [o.client.on('CHANNEL_EXECUTE', listener), o.client.on('CHANNEL_HANGUP_COMPLETE', listener)];
  let audioDone: Promise<void> = Promise.resolve();
  const arrived = new Promise<void>((resolve) => {
    const stop = o.probes?.expect(token, (call) => {
      result.answeredBy = 'doctor';
      audioDone = audioCheck(call, o.rtp).then((audio) => void (result.audio = audio));
      resolve();
    });
    setTimeout(() => (stop?.(), resolve()), o.timeoutMs).unref();
  });
  let aLeg: string | undefined;
  try {
    try {
      aLeg = await o.client.originate({
        dialString: `loopback/${o.number}/${o.context}`,
        app: 'echo',
        variables: { [DOCTOR_VARIABLE]: token, loopback_export: DOCTOR_VARIABLE },
        callerIdName: 'freeswitch-voice-ai doctor',
        callerIdNumber: '0000000000',
        timeoutSeconds: Math.ceil(o.timeoutMs / 1000),
        jobTimeout: o.timeoutMs + 5000,
      });
    } catch (error) {
      result.originateCause = error instanceof OriginateError ? (error.hangupCause ?? 'UNKNOWN') : (error as Error).message;
      return result;
    }
    const bLeg = await o.client.uuidGetvar(aLeg, 'other_loopback_leg_uuid').catch(() => undefined);
    const mine = (e: EslEvent): boolean => e.uuid === bLeg || e.getVariable(DOCTOR_VARIABLE) === token;
    if (o.probes) await arrived;
    await audioDone;
    // A running service answers the probe by setting voice_ai_doctor_reply and hanging up: wait for that leg's end.
    const until = performance.now() + o.timeoutMs;
    while (!result.answeredBy && performance.now() < until) {
      const done = events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && mine(e));
      if (done) {
        if (done.getVariable('voice_ai_doctor_reply')) result.answeredBy = 'service';
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const socket = events.find((e) => e.name === 'CHANNEL_EXECUTE' && mine(e) && e.application === 'socket');
    if (socket) result.socketData = socket.get('Application-Data') ?? '';
    return result;
  } finally {
    for (const id of ids) o.client.off(id);
    if (aLeg) await o.client.uuidKill(aLeg).catch(() => {});
  }
}

/** Sends 1 s of a 1 kHz tone through the call's unicast and listens for it to come back. */
async function audioCheck(call: OutboundCall, rtp: { min: number; max: number; bindAddress: string }): Promise<{ heardAfterMs: number | undefined; error?: string }> {
  try {
    const { bridge } = await startCallMedia(call, { ports: new PortAllocator({ min: rtp.min, max: rtp.max, bindAddress: rtp.bindAddress }) });
    const started = performance.now();
    const heard = await new Promise<number | undefined>((resolve) => {
      let hits = 0;
      const timer = setTimeout(() => resolve(undefined), 4000);
      bridge.on('audio', (frame) => {
        if (toneShare(pcmFromLE(frame)) > 0.5 && ++hits >= 5) {
          clearTimeout(timer);
          resolve(Math.round(performance.now() - started));
        }
      });
      bridge.write(pcmToLE(tone(1000)));
      bridge.endOfAnswer();
    });
    return { heardAfterMs: heard };
  } catch (error) {
    return { heardAfterMs: undefined, error: (error as Error).message };
  } finally {
    await call.hangup('NORMAL_CLEARING').catch(() => {});
  }
}
