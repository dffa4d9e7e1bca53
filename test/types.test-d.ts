import { describe, expectTypeOf, it } from 'vitest';
import {
  AsyncESLClient,
  type BackgroundJobResult,
  CallEndedError,
  CallHandlerError,
  type ChannelData,
  createOutboundServer,
  type OutboundCall,
  OutboundServer,
  EslCommandError,
  type EslEvent,
  type EslReply,
  type ErrorCode,
  OriginateError,
  VoiceAiError,
} from '../src/index.js';

describe('public types', () => {
  const client = new AsyncESLClient();

  it('on() returns an id for FreeSWITCH events and the client for lifecycle events', () => {
    expectTypeOf(client.on('CHANNEL_ANSWER', (e) => expectTypeOf(e).toEqualTypeOf<EslEvent>())).toEqualTypeOf<number>();
    expectTypeOf(client.on('ready', () => {})).toEqualTypeOf<AsyncESLClient>();
    expectTypeOf(client.on('disconnect', (error) => expectTypeOf(error).toEqualTypeOf<Error | undefined>())).toEqualTypeOf<AsyncESLClient>();
    expectTypeOf(client.off(1)).toEqualTypeOf<boolean>();
  });

  it('commands resolve with typed values', () => {
    expectTypeOf(client.api('status')).resolves.toEqualTypeOf<EslReply>();
    expectTypeOf(client.originate({ dialString: 'user/1000', app: 'park' })).resolves.toEqualTypeOf<string>();
    expectTypeOf(client.uuidGetvar('u', 'v')).resolves.toEqualTypeOf<string | undefined>();
    expectTypeOf(client.uuidExists('u')).resolves.toEqualTypeOf<boolean>();
    const job = client.bgapi('status');
    expectTypeOf(job.jobUuid).toEqualTypeOf<string>();
    expectTypeOf<Awaited<typeof job>>().toEqualTypeOf<BackgroundJobResult>();
  });

  it('originate takes either an app or an extension', () => {
    // @ts-expect-error a target is required
    void client.originate({ dialString: 'user/1000' });
    void client.originate({ dialString: 'user/1000', extension: '9000', context: 'default' });
  });

  it('errors carry stable codes and their own fields', () => {
    expectTypeOf<OriginateError>().toMatchTypeOf<EslCommandError>();
    expectTypeOf<EslCommandError>().toMatchTypeOf<VoiceAiError>();
    expectTypeOf<OriginateError['hangupCause']>().toEqualTypeOf<string>();
    expectTypeOf<VoiceAiError['code']>().toEqualTypeOf<ErrorCode>();
  });

  it('every waiting method accepts an AbortSignal', () => {
    const signal = new AbortController().signal;
    void client.api('status', { signal });
    void client.bgapi('status', { signal });
    void client.waitForEvent({ names: 'DTMF', signal });
    void client.events({ names: ['DTMF'], signal });
    void client.connect({ signal });
  });

  it('the outbound server hands typed calls to its handler and events', () => {
    const server = createOutboundServer({ port: 0, allow: ['10.0.0.0/8'] }, async (call) => {
      expectTypeOf(call).toEqualTypeOf<OutboundCall>();
      expectTypeOf(call.channel).toEqualTypeOf<ChannelData>();
      expectTypeOf(call.channel.domainUuid).toEqualTypeOf<string | undefined>();
      expectTypeOf(call.execute('playback', 'x', { eventLock: true, signal: new AbortController().signal })).resolves.toEqualTypeOf<EslEvent>();
      expectTypeOf(call.getVariable('v')).resolves.toEqualTypeOf<string | undefined>();
      expectTypeOf(call.hangup('USER_BUSY')).resolves.toEqualTypeOf<string>();
      expectTypeOf(call.on('CHANNEL_EXECUTE', () => {})).toEqualTypeOf<number>();
      expectTypeOf(call.on('hangup', (info) => expectTypeOf(info.cause).toEqualTypeOf<string>())).toEqualTypeOf<OutboundCall>();
      void call.waitForEvent({ names: 'DTMF', signal: new AbortController().signal });
    });
    expectTypeOf(server).toEqualTypeOf<OutboundServer>();
    server.on('error', (error, call) => {
      expectTypeOf(error).toEqualTypeOf<Error>();
      expectTypeOf(call).toEqualTypeOf<OutboundCall | undefined>();
    });
    expectTypeOf<CallHandlerError['uuid']>().toEqualTypeOf<string>();
    expectTypeOf<CallEndedError['hangupCause']>().toEqualTypeOf<string | undefined>();
    // @ts-expect-error allow takes addresses or a predicate
    createOutboundServer({ allow: 42 });
  });
});
