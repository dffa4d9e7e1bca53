/**
 * What FreeSWITCH derives from a channel: the CDR variables of `CHANNEL_HANGUP_COMPLETE` and a
 * row of `show channels`.
 *
 * @module
 */
import { BITS_PER_SAMPLE, Q850, type SimulatedChannel } from './channel-model.js';
import { localStamp, nowMicros } from './event-templates.js';

/** Sets the CDR variables `CHANNEL_HANGUP_COMPLETE` carries, in FreeSWITCH's order. */
export function writeCdrVariables(channel: SimulatedChannel): void {
  const end = channel.hangupMicros || nowMicros();
  const created = channel.createdMicros;
  const answered = channel.answeredMicros;
  const sec = (us: number): string => String(Math.floor(us / 1e6));
  const ms = (us: number): string => String(Math.floor(us / 1000));
  const wait = answered > 0 ? answered - created : 0;
  const bill = answered > 0 ? end - answered : 0;
  const vars: [string, string | undefined][] = [
    ['hangup_cause', channel.hangupCause ?? 'NORMAL_CLEARING'],
    ['hangup_cause_q850', String(Q850[channel.hangupCause ?? ''] ?? 16)],
    ['digits_dialed', 'none'],
    ['start_stamp', localStamp(created)],
    ['profile_start_stamp', localStamp(created)],
    ['answer_stamp', answered > 0 ? localStamp(answered) : undefined],
    ['end_stamp', localStamp(end)],
    ['start_epoch', sec(created)],
    ['start_uepoch', String(created)],
    ['profile_start_epoch', sec(created)],
    ['profile_start_uepoch', String(created)],
    ['answer_epoch', sec(answered)],
    ['answer_uepoch', String(answered)],
    ['bridge_epoch', sec(channel.bridgedMicros)],
    ['bridge_uepoch', String(channel.bridgedMicros)],
    ['last_hold_epoch', '0'], ['last_hold_uepoch', '0'], ['hold_accum_seconds', '0'], ['hold_accum_usec', '0'],
    ['hold_accum_ms', '0'], ['resurrect_epoch', '0'], ['resurrect_uepoch', '0'], ['progress_epoch', '0'],
    ['progress_uepoch', '0'],
    ['progress_media_epoch', sec(channel.progressMediaMicros)],
    ['progress_media_uepoch', String(channel.progressMediaMicros)],
    ['end_epoch', sec(end)],
    ['end_uepoch', String(end)],
    ['last_app', channel.variables.get('current_application')],
    ['last_arg', channel.variables.get('current_application_data')],
    ['caller_id', channel.profile.callerIdName ? `"${channel.profile.callerIdName}" <${channel.profile.callerIdNumber ?? ''}>` : channel.profile.callerIdNumber],
    ['duration', sec(end - created)], ['billsec', sec(bill)], ['progresssec', '0'], ['answersec', sec(wait)],
    ['waitsec', sec(wait)], ['progress_mediasec', '0'], ['flow_billsec', sec(end - created)],
    ['mduration', ms(end - created)], ['billmsec', ms(bill)], ['progressmsec', '0'], ['answermsec', ms(wait)],
    ['waitmsec', ms(wait)], ['progress_mediamsec', '0'], ['flow_billmsec', ms(end - created)],
    ['uduration', String(end - created)], ['billusec', String(bill)], ['progressusec', '0'], ['answerusec', String(wait)],
    ['waitusec', String(wait)], ['progress_mediausec', '0'], ['flow_billusec', String(end - created)],
    ['is_loopback', channel.variables.has('loopback_leg') ? '1' : undefined],
  ];
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
