/**
 * Every error the library throws, in one place, each with a stable `code`.
 *
 * Messages say what happened and what to check. Match on `code` (or `instanceof`), never on
 * the message text: codes are part of the public API and do not change between minor versions.
 *
 * @module
 */
import type { CallHandoff } from './esl/call-state.js';

/** Stable machine-readable error codes. */
export const ErrorCodes = {
  /** Wrong password or user, or the peer's ACL denied us. */
  ESL_AUTH_FAILED: 'ESL_AUTH_FAILED',
  /** The peer's ACL (`apply-inbound-acl`) rejected the connection (`text/rude-rejection`). */
  ESL_ACCESS_DENIED: 'ESL_ACCESS_DENIED',
  /** A command, connect or wait took longer than its timeout. */
  ESL_TIMEOUT: 'ESL_TIMEOUT',
  /** The socket could not be opened, or closed while a command was waiting. */
  ESL_CONNECTION: 'ESL_CONNECTION',
  /** A command was called while the client is not connected. */
  ESL_NOT_CONNECTED: 'ESL_NOT_CONNECTED',
  /** FreeSWITCH answered a command with `-ERR ...`. */
  ESL_COMMAND_FAILED: 'ESL_COMMAND_FAILED',
  /** An originate failed; `hangupCause` says why (e.g. `USER_BUSY`). */
  ESL_ORIGINATE_FAILED: 'ESL_ORIGINATE_FAILED',
  /** The peer sent bytes that are not the Event Socket protocol, or a frame over the size limit. */
  ESL_PROTOCOL: 'ESL_PROTOCOL',
  /**
   * A command argument contains NUL, LF or CR (command injection), names a header the framing
   * owns (`Content-Length`), or is otherwise unusable.
   */
  ESL_INVALID_ARGUMENT: 'ESL_INVALID_ARGUMENT',
  /** A command's line and headers (or its body) are over `maxCommandBytes` or FreeSWITCH's own limits. */
  ESL_COMMAND_TOO_LARGE: 'ESL_COMMAND_TOO_LARGE',
  /**
   * The connection that accepted a background job (`bgapi`) was lost before the job reported its
   * result: the job may or may not have run.
   */
  ESL_JOB_RESULT_UNKNOWN: 'ESL_JOB_RESULT_UNKNOWN',
  /** The call hung up or its socket closed while an operation on it was pending. */
  CALL_ENDED: 'CALL_ENDED',
  /** A configuration value (environment variable or option) is invalid. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** Every port of the configured RTP range is in use. */
  MEDIA_PORTS_EXHAUSTED: 'MEDIA_PORTS_EXHAUSTED',
  /** A media socket or codec failed. */
  MEDIA_ERROR: 'MEDIA_ERROR',
  /** A WebSocket audio stream (`mod_audio_stream` / `mod_audio_fork`) failed to connect, or broke mid-call. */
  MEDIA_STREAM_FAILED: 'MEDIA_STREAM_FAILED',
  /** A realtime AI provider failed or disconnected. */
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  /** A realtime AI provider cannot do what was asked (e.g. change its instructions mid-call). */
  PROVIDER_UNSUPPORTED: 'PROVIDER_UNSUPPORTED',
  /** An outbound call's handler threw or rejected; the call was hung up unless it had been handed off. */
  CALL_HANDLER_FAILED: 'CALL_HANDLER_FAILED',
  /** An originate was refused by the pool's per-node rate limit or concurrency cap (fail-fast mode). */
  ORIGINATE_RATE_LIMITED: 'ORIGINATE_RATE_LIMITED',
  /** No FreeSWITCH node of the pool can take the command (none connected, unknown name, unknown call). */
  ESL_NO_NODE: 'ESL_NO_NODE',
  /** A cluster worker exited before it was listening. */
  CLUSTER_WORKER_FAILED: 'CLUSTER_WORKER_FAILED',
} as const;

/** One of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class of every error thrown by freeswitch-voice-ai. */
export class VoiceAiError extends Error {
  /** Stable code; see {@link ErrorCodes}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Base class of the Event Socket errors. */
export class EslError extends VoiceAiError {}

/**
 * Authentication failed: FreeSWITCH answered `-ERR invalid` to `auth`/`userauth`, or rejected
 * the connection by ACL. Never retried: check `ESL_PASSWORD` (event_socket.conf.xml `password`)
 * or the `apply-inbound-acl` list.
 */
export class EslAuthError extends EslError {
  constructor(
    message: string,
    /** FreeSWITCH's reply text, e.g. `-ERR invalid`. */
    readonly replyText?: string,
    code: typeof ErrorCodes.ESL_AUTH_FAILED | typeof ErrorCodes.ESL_ACCESS_DENIED = ErrorCodes.ESL_AUTH_FAILED,
  ) {
    super(code, message);
  }
}

/** An operation exceeded its timeout. `timeoutMs` is the limit that was hit. */
export class EslTimeoutError extends EslError {
  constructor(
    message: string,
    /** The limit that was hit, ms. */
    readonly timeoutMs: number,
  ) {
    super(ErrorCodes.ESL_TIMEOUT, message);
  }
}

/**
 * The connection failed or dropped. A command that was written but not answered fails with
 * this error and is **never** sent again: it may or may not have run on FreeSWITCH.
 */
export class EslConnectionError extends EslError {
  constructor(
    message: string,
    options?: {
      cause?: unknown;
      code?: typeof ErrorCodes.ESL_CONNECTION | typeof ErrorCodes.ESL_NOT_CONNECTED | typeof ErrorCodes.ESL_JOB_RESULT_UNKNOWN;
    },
  ) {
    super(options?.code ?? ErrorCodes.ESL_CONNECTION, message, options);
  }
}

/**
 * A background job (`bgapi`, and so `originate`) was accepted, or its command written, on a
 * connection that was lost before the job's result arrived. FreeSWITCH may have run it, may be
 * running it still, or may have died with it: **its result is unknown**. Jobs are rejected with
 * this error when their connection drops, instead of waiting out their timeout; check the
 * outcome yourself (`uuid_exists`, your own records) before retrying. `originate()` does that
 * check itself (see {@link AsyncESLClientOptions.originateRecoveryTimeout}).
 */
export class EslJobResultUnknownError extends EslConnectionError {
  constructor(
    message: string,
    /** The job's `Job-UUID`. */
    readonly jobUuid: string,
    /** The command the job ran (`originate ...`). */
    readonly command: string,
    options?: { cause?: unknown },
  ) {
    super(message, { cause: options?.cause, code: ErrorCodes.ESL_JOB_RESULT_UNKNOWN });
  }
}

/** FreeSWITCH answered `-ERR ...`. `replyText` is the full reply, `command` what we sent. */
export class EslCommandError extends EslError {
  constructor(
    message: string,
    /** The command FreeSWITCH refused. */
    readonly command: string,
    /** FreeSWITCH's answer, e.g. `-ERR invalid session id`. */
    readonly replyText: string,
    code: typeof ErrorCodes.ESL_COMMAND_FAILED | typeof ErrorCodes.ESL_ORIGINATE_FAILED = ErrorCodes.ESL_COMMAND_FAILED,
  ) {
    super(code, message);
  }
}

/** An originate failed. `hangupCause` is FreeSWITCH's cause, e.g. `USER_BUSY`, `NO_ROUTE_DESTINATION`. */
export class OriginateError extends EslCommandError {
  constructor(
    command: string,
    replyText: string,
    /** Why the call failed, as FreeSWITCH names it (`USER_BUSY`, `NO_ANSWER`, ...). */
    readonly hangupCause: string,
  ) {
    super(`originate failed: ${hangupCause}`, command, replyText, ErrorCodes.ESL_ORIGINATE_FAILED);
  }
}

/** The peer broke the Event Socket protocol (malformed frame, bad Content-Length, oversized frame). */
export class EslProtocolError extends EslError {
  constructor(message: string) {
    super(ErrorCodes.ESL_PROTOCOL, message);
  }
}

/**
 * A command argument was rejected before anything was written: NUL, LF or CR would let it
 * inject a second command, a header name belongs to the framing (`Content-Length`), or the
 * value is empty where FreeSWITCH needs one.
 */
export class EslInvalidArgumentError extends EslError {
  constructor(
    message: string,
    /** Which argument, e.g. `uuid`, `variables.foo`. */
    readonly argument: string,
    code: typeof ErrorCodes.ESL_INVALID_ARGUMENT | typeof ErrorCodes.ESL_COMMAND_TOO_LARGE = ErrorCodes.ESL_INVALID_ARGUMENT,
  ) {
    super(code, message);
  }
}

/**
 * A command was refused before anything was written because it is too large: its line and
 * headers are over `maxCommandBytes` (or FreeSWITCH's own cut, 10,485,760 bytes, past which
 * FreeSWITCH runs the rest of the line as another command), or its body is over FreeSWITCH's
 * 16 MiB `MAX_CONTENT_LENGTH`. `argument` is `command` or `body`.
 */
export class EslCommandTooLargeError extends EslInvalidArgumentError {
  constructor(
    message: string,
    argument: string,
    /** The size, in bytes. */
    readonly bytes: number,
    /** The limit it is over, in bytes. */
    readonly limit: number,
  ) {
    super(message, argument, ErrorCodes.ESL_COMMAND_TOO_LARGE);
  }
}

/** The call ended (hangup or socket closed) while an operation on it was pending. */
export class CallEndedError extends VoiceAiError {
  constructor(
    message: string,
    /** The hangup cause, when FreeSWITCH told us one. */
    readonly hangupCause?: string,
  ) {
    super(ErrorCodes.CALL_ENDED, message);
  }
}

/** A configuration value is invalid. `variable` names the environment variable or option. */
export class ConfigError extends VoiceAiError {
  constructor(
    message: string,
    /** The variable (or option) at fault; the first one when there are several. */
    readonly variable: string,
    /** Its value as given; `undefined` when it must not be shown (a password). */
    readonly value?: string,
  ) {
    super(ErrorCodes.CONFIG_INVALID, message);
  }
}

/** No free port in the RTP range: widen `RTP_PORT_MIN..RTP_PORT_MAX` or use the shared-socket mode. */
export class PortExhaustedError extends VoiceAiError {
  constructor(
    /** First port of the exhausted range. */
    readonly min: number,
    /** Last port of the exhausted range. */
    readonly max: number,
  ) {
    super(
      ErrorCodes.MEDIA_PORTS_EXHAUSTED,
      `no free UDP port in ${min}..${max}: every port is in use; widen RTP_PORT_MIN..RTP_PORT_MAX or use the shared-socket mode`,
    );
  }
}

/** A media socket, codec or bridge failed. */
export class MediaError extends VoiceAiError {
  constructor(message: string, options?: { cause?: unknown; code?: typeof ErrorCodes.MEDIA_ERROR | typeof ErrorCodes.MEDIA_STREAM_FAILED }) {
    super(options?.code ?? ErrorCodes.MEDIA_ERROR, message, options);
  }
}

/** How a WebSocket audio stream failed (see {@link MediaStreamError}). */
export type MediaStreamFailure =
  /** FreeSWITCH answered `-ERR` to the start command (no such channel, module not loaded, bad arguments). */
  | 'refused'
  /** The module reported that it could not connect (`mod_audio_fork::connect_failed`, `mod_audio_stream::error`). */
  | 'connect-failed'
  /** No stream arrived within the connect timeout. */
  | 'timeout'
  /** The stream's WebSocket closed while the call was still up. */
  | 'closed'
  /** The stream connected but sent no audio for a while. */
  | 'no-audio';

/**
 * A call's WebSocket audio stream (`mod_audio_stream` / `mod_audio_fork`) failed: `reason`
 * says how, `uuid` which call, `module` which module. Check that the module is loaded
 * (`module_exists mod_audio_stream`), that FreeSWITCH reaches the URL we gave it
 * (`VOICE_AI_REALTIME_PORT` on the advertised address), and FreeSWITCH's log.
 */
export class MediaStreamError extends MediaError {
  constructor(
    message: string,
    /** The call's `Unique-ID`. */
    readonly uuid: string,
    /** `mod_audio_stream` or `mod_audio_fork`. */
    readonly module: string,
    /** What went wrong: see {@link MediaStreamFailure}. */
    readonly reason: MediaStreamFailure,
    options?: { cause?: unknown },
  ) {
    super(message, { ...options, code: ErrorCodes.MEDIA_STREAM_FAILED });
  }
}

/** A realtime provider failed, disconnected, or rejected a request. */
export class ProviderError extends VoiceAiError {
  constructor(
    message: string,
    /** The provider's own error code, when it sent one. */
    readonly providerCode?: string,
    options?: { cause?: unknown; code?: typeof ErrorCodes.PROVIDER_ERROR | typeof ErrorCodes.PROVIDER_UNSUPPORTED },
  ) {
    super(options?.code ?? ErrorCodes.PROVIDER_ERROR, message, options);
  }
}

/**
 * A provider was asked for something its vendor cannot do (see `RealtimeCapabilities`), e.g.
 * new instructions mid-call on a vendor that takes them only at setup. Nothing was sent.
 */
export class ProviderUnsupportedError extends ProviderError {
  constructor(
    /** The provider's `name`, e.g. `gemini`. */
    readonly provider: string,
    /** What was asked, e.g. `updateSession`. */
    readonly operation: string,
    detail?: string,
  ) {
    super(`the ${provider} provider cannot ${operation}${detail ? `: ${detail}` : ''}`, 'unsupported', { code: ErrorCodes.PROVIDER_UNSUPPORTED });
  }
}

/**
 * An outbound call's handler threw or rejected; `cause` is what it threw. The server kept
 * serving other calls and hung this one up (with `hangupCause`), unless the caller had already
 * been handed off (`handedOff`: a fallback transferred or bridged them), in which case the call
 * was left where it is.
 */
export class CallHandlerError extends VoiceAiError {
  constructor(
    /** The call's `Unique-ID`. */
    readonly uuid: string,
    /** The cause the call was hung up with; `undefined` when it had already ended or was handed off. */
    readonly hangupCause: string | undefined,
    cause: unknown,
    /** How the caller had left the socket (see `OutboundCall.handedOff`): the call was not hung up. */
    readonly handedOff?: CallHandoff,
    /** Where the server's `handlerFallback` transferred the call, when it did. */
    readonly fallback?: string,
  ) {
    super(
      ErrorCodes.CALL_HANDLER_FAILED,
      `the handler of call ${uuid} failed: ${cause instanceof Error ? cause.message : String(cause)}` +
        (hangupCause ? `; the call was hung up with ${hangupCause}` : '') +
        (handedOff ? `; the call had been handed off (${handedOff}) and was left up` : '') +
        (fallback ? `; the call is being transferred to ${fallback}` : ''),
      { cause },
    );
  }
}

/**
 * An originate did not start because its node was at its limit: `sps` originates in the last
 * second, or `maxConcurrent` in flight, and the pool was told to fail fast (or its queue was
 * full). Nothing was sent to FreeSWITCH: retry later or on another node.
 */
export class OriginateRateLimitError extends EslError {
  constructor(
    /** The node that was full. */
    readonly node: string,
    /** Which limit: the sessions-per-second rate, the concurrency cap, or the waiting queue. */
    readonly limit: 'sps' | 'concurrency' | 'queue',
  ) {
    super(
      ErrorCodes.ORIGINATE_RATE_LIMITED,
      `originate on FreeSWITCH node "${node}" refused by its ${limit === 'sps' ? 'sessions-per-second limit (sps)' : limit === 'concurrency' ? 'concurrency cap (maxConcurrent)' : 'full waiting queue (maxQueued)'}: nothing was sent; retry later, or let the pool wait (onLimit: 'wait')`,
    );
  }
}

/**
 * No node of an `EslPool` can take the command: the named node does not exist, no node owns the
 * call uuid, or none is connected.
 */
export class EslNoNodeError extends EslError {
  constructor(
    message: string,
    /** The node name or call uuid that was asked for, if any. */
    readonly target?: string,
  ) {
    super(ErrorCodes.ESL_NO_NODE, message);
  }
}

/** A worker of an `OutboundCluster` exited before it was listening (a crash at start-up: check its logs). */
export class ClusterWorkerError extends VoiceAiError {
  constructor(
    /** The worker's slot, 0-based. */
    readonly index: number,
    /** Its exit code, or the signal that ended it. */
    readonly exit: number | string | null,
  ) {
    super(ErrorCodes.CLUSTER_WORKER_FAILED, `cluster worker ${index} exited (${exit}) before it was listening: check its output`);
  }
}
