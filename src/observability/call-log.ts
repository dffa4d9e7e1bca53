/**
 * The log fields of a call: every line about a call carries `call_uuid`, `domain_uuid` (the
 * tenant) and `node` (the FreeSWITCH it is on), so one query finds all of a call across the
 * outbound server, its media and its AI session, whichever process or node it was on.
 *
 * @module
 */
import { type Logger, silentLogger } from '../logger.js';

/** The fields every log line about a call carries. */
export interface CallLogFields {
  /** The channel's `Unique-ID`. */
  call_uuid: string;
  /** `variable_domain_uuid` (the tenant, FusionPBX style), when set. */
  domain_uuid?: string;
  /** The FreeSWITCH the call is on: `FreeSWITCH-Switchname`, else `-Hostname`. */
  node?: string;
}

/** What {@link callLogFields} reads: an outbound call, or anything with its uuid and channel data. */
export interface CallLike {
  /** The call's uuid (`call_uuid`). */
  readonly uuid: string;
  /** Its channel data: the tenant (`domain_uuid`) and the FreeSWITCH node. */
  readonly channel?: {
    readonly domainUuid: string | undefined;
    readonly freeswitch?: { readonly switchname: string | undefined; readonly hostname: string | undefined };
  };
}

/** A call's log fields (`call_uuid`, `domain_uuid`, `node`); absent ones are left out. */
export function callLogFields(call: CallLike): CallLogFields {
  const fields: CallLogFields = { call_uuid: call.uuid };
  const domain = call.channel?.domainUuid;
  if (domain !== undefined) fields.domain_uuid = domain;
  const node = call.channel?.freeswitch?.switchname ?? call.channel?.freeswitch?.hostname;
  if (node !== undefined) fields.node = node;
  return fields;
}

/** A logger with a `child` method (pino's). */
interface ChildLogger extends Logger {
  child(bindings: object): Logger;
}

/**
 * A logger that adds `fields` to every line: pino's `child(fields)` when the logger has one,
 * otherwise a wrapper that merges them into each line's object (a line's own fields win).
 */
export function withLogFields(logger: Logger, fields: object): Logger {
  if (logger === silentLogger) return logger;
  if (typeof (logger as Partial<ChildLogger>).child === 'function') return (logger as ChildLogger).child(fields);
  const wrap =
    (fn: Logger['debug']): Logger['debug'] =>
    (objOrMsg: object | string, msg?: string) =>
      typeof objOrMsg === 'string' ? fn(fields, objOrMsg) : fn({ ...fields, ...objOrMsg }, msg);
  return { debug: wrap(logger.debug.bind(logger)), info: wrap(logger.info.bind(logger)), warn: wrap(logger.warn.bind(logger)), error: wrap(logger.error.bind(logger)) };
}

/** `logger` with the call's fields on every line (the convention for anything that logs about a call). */
export function callLogger(logger: Logger, call: CallLike): Logger {
  return withLogFields(logger, callLogFields(call));
}
