import { describe, expectTypeOf, it } from 'vitest';
import {
  AsyncESLClient,
  type BackgroundJobResult,
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
});
