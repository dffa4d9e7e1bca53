/**
 * What FreeSWITCH derives from a channel: the CDR variables of `CHANNEL_HANGUP_COMPLETE` and a
 * row of `show channels`.
 *
 * @module
 */
import { BITS_PER_SAMPLE, Q850, type SimulatedChannel } from './channel-model.js';
import { localStamp, nowMicros } from './event-templates.js';

/** `SWITCH_DTMF_LOG_LEN`: how many digits a channel remembers for `digits_dialed`. */
export const DTMF_LOG_LEN = 1000;

/**
 * `digits_dialed`: the digits the channel received (`none` without any), each substring the
 * `digits_dialed_filter` regex captures (the whole match included) replaced by as many `X`.
 */
export function digitsDialed(channel: SimulatedChannel): string {
  const digits = channel.dtmfLog.slice(0, DTMF_LOG_LEN).join('');
  if (digits === '') return 'none';
  const filter = channel.variables.get('digits_dialed_filter');
  if (!filter) return digits;
  let match: RegExpExecArray | null;
  try {
    match = new RegExp(filter).exec(digits);
  } catch {
    return digits;
  }
  let out = digits;
  for (const captured of match ?? []) if (captured) out = out.split(captured).join('X'.repeat(captured.length));
  return out;
}

/**
 * Sets the variables `CHANNEL_HANGUP_COMPLETE` carries, in FreeSWITCH's order:
 * `hangup_cause` and `hangup_cause_q850` (`switch_core_session_hangup_state`), then what
 * `switch_channel_set_timestamps` writes — `digits_dialed`, the stamps of the times that are set,
 * every epoch, `last_app`/`last_arg`, `caller_id`, and the durations. As there, a duration in
 * seconds (or ms) is the difference of the two times cut to seconds (ms) — a call from x.85 s to
 * (x+6).17 s lasts 7 s and 6320 ms — a wait is counted to the bridge (0 without one), and bill and
 * flow-bill times only for an answered call.
 */
export function writeCdrVariables(channel: SimulatedChannel): void {
  const created = channel.createdMicros;
  const answered = channel.answeredMicros;
  const bridged = channel.bridgedMicros;
  // No ringing is modelled before an answer (no CHANNEL_PROGRESS): progress stamps stay unset, its times zero.
  const progress = 0;
  const progressMedia = channel.progressMediaMicros;
  const hungup = channel.hangupMicros || nowMicros();
  const sec = (us: number): number => Math.floor(us / 1e6);
  const ms = (us: number): number => Math.floor(us / 1000);
  const stamp = (us: number): string | undefined => (us > 0 ? localStamp(us) : undefined);
  /** [seconds, ms, µs] from `from` to `to`, the first two as differences of cut times. */
  const span = (from: number, to: number): [number, number, number] => [sec(to) - sec(from), ms(to) - ms(from), to - from];
  const zero: [number, number, number] = [0, 0, 0];
  const all = span(created, hungup);
  const bill = answered ? span(answered, hungup) : zero;
  const flowBill = answered ? all : zero;
  const answer = answered ? span(created, answered) : zero;
  const wait = bridged > created ? span(created, bridged) : zero;
  const prog = zero;
  const media = progressMedia ? span(created, progressMedia) : zero;
  const epochs = (name: string, us: number): [string, string][] => [[`${name}_epoch`, String(sec(us))], [`${name}_uepoch`, String(us)]];
  const vars: [string, string | undefined][] = [
    ['hangup_cause', channel.hangupCause ?? 'NORMAL_CLEARING'],
    ['hangup_cause_q850', String(Q850[channel.hangupCause ?? ''] ?? 16)],
    ['digits_dialed', digitsDialed(channel)],
    ['start_stamp', localStamp(created)],
    ['profile_start_stamp', localStamp(created)],
    ['answer_stamp', stamp(answered)],
    ['bridge_stamp', stamp(bridged)],
    ['progress_stamp', stamp(progress)],
    ['progress_media_stamp', stamp(progressMedia)],
    ['end_stamp', localStamp(hungup)],
    ...epochs('start', created),
    ...epochs('profile_start', created),
    ...epochs('answer', answered),
    ...epochs('bridge', bridged),
    ...epochs('last_hold', 0),
    ['hold_accum_seconds', '0'], ['hold_accum_usec', '0'], ['hold_accum_ms', '0'],
    ...epochs('resurrect', 0),
    ...epochs('progress', progress),
    ...epochs('progress_media', progressMedia),
    ...epochs('end', hungup),
    ['last_app', channel.variables.get('current_application')],
    ['last_arg', channel.variables.get('current_application_data')],
    ['caller_id', channel.profile.callerIdName ? `"${channel.profile.callerIdName}" <${channel.profile.callerIdNumber ?? ''}>` : channel.profile.callerIdNumber],
  ];
  const units = ['sec', 'msec', 'usec'] as const;
  for (const [i, unit] of units.entries()) {
    const first = i === 0 ? 'duration' : i === 1 ? 'mduration' : 'uduration';
    vars.push(
      [first, String(all[i])],
      [`bill${unit}`, String(bill[i])],
      [`progress${unit}`, String(prog[i])],
      [`answer${unit}`, String(answer[i])],
      [`wait${unit}`, String(wait[i])],
      [`progress_media${unit}`, String(media[i])],
      [`flow_bill${unit}`, String(flowBill[i])],
    );
  }
  vars.push(['is_loopback', channel.variables.has('loopback_leg') ? '1' : undefined]);
  for (const [k, v] of vars) if (v !== undefined && v !== '') channel.setVariable(k, v);
}


/** One row of `show channels as json` (same keys, same order as FreeSWITCH). */
export function channelRow(channel: SimulatedChannel, hostname: string): Record<string, string> {
  const p = channel.profile;
  const i = channel.initial;
  const app = channel.currentApp;
  const codec = (k: string, d: string): string => channel.variables.get(k) ?? d;
  const bits = (dir: string): string =>
    String(Number(codec(`${dir}_rate`, '8000')) * (BITS_PER_SAMPLE[codec(`${dir}_codec`, 'L16')] ?? 8));
  return {
    uuid: channel.uuid,
    direction: channel.direction,
    created: localStamp(channel.createdMicros),
    created_epoch: String(Math.floor(channel.createdMicros / 1e6)),
    name: channel.name,
    state: channel.runningState,
    cid_name: p.callerIdName ?? '',
    cid_num: p.callerIdNumber ?? '',
    ip_addr: p.networkAddr ?? '',
    dest: p.destinationNumber,
    application: app?.name ?? '',
    application_data: app?.data ?? '',
    dialplan: p.dialplan,
    context: p.context,
    read_codec: codec('read_codec', 'L16'),
    read_rate: codec('read_rate', '8000'),
    read_bit_rate: bits('read'),
    write_codec: codec('write_codec', 'L16'),
    write_rate: codec('write_rate', '8000'),
    write_bit_rate: bits('write'),
    secure: '',
    hostname,
    presence_id: channel.variables.get('presence_id') ?? '',
    presence_data: '',
    accountcode: '',
    callstate: channel.callState,
    callee_name: p.calleeIdName ?? '',
    callee_num: p.calleeIdNumber ?? '',
    callee_direction: channel.direction === 'outbound' && channel.answered ? 'RECV' : '',
    call_uuid: channel.direction === 'outbound' ? channel.uuid : '',
    sent_callee_name: '',
    sent_callee_num: '',
    initial_cid_name: i.callerIdName ?? '',
    initial_cid_num: i.callerIdNumber ?? '',
    initial_ip_addr: i.networkAddr ?? '',
    initial_dest: i.destinationNumber,
    initial_dialplan: i.dialplan,
    initial_context: i.context,
  };
}
