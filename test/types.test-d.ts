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
  AudioFormats,
  type AudioFormat,
  RealtimeProvider,
  type RealtimeProviderEvents,
  RealtimeSession,
  RtpBridge,
  ScriptedProvider,
  defineTool,
  schema,
  type Infer,
  type TurnMetrics,
  type ProviderStats,
  startCallMedia,
  type CallMedia,
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

  it('media and realtime: typed formats, events and tools', () => {
    const bridge = new RtpBridge({ framing: 'raw', codec: 'PCMU', output: AudioFormats.MULAW_8K });
    expectTypeOf(bridge.start()).resolves.toEqualTypeOf<{ address: string; port: number }>();
    bridge.on('audio', (frame) => expectTypeOf(frame).toEqualTypeOf<Uint8Array>());
    bridge.on('dtmf', (d) => expectTypeOf(d.digit).toEqualTypeOf<string>());
    expectTypeOf(bridge.flush()).toEqualTypeOf<{ droppedMs: number }>();
    // @ts-expect-error framing is 'rtp' or 'raw'
    void new RtpBridge({ framing: 'srtp', codec: 'PCMU' });
    expectTypeOf(AudioFormats.PCM16_16K).toMatchTypeOf<AudioFormat>();
    const provider = new ScriptedProvider({ greeting: 'hi' });
    expectTypeOf(provider).toMatchTypeOf<RealtimeProvider>();
    provider.on('toolCall', (c) => expectTypeOf(c.args).toEqualTypeOf<Record<string, unknown>>());
    expectTypeOf<RealtimeProviderEvents['audio'][0]['data']>().toEqualTypeOf<Uint8Array>();
    const tool = defineTool({
      name: 'double',
      description: 'Doubles n',
      parameters: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
      handler: ({ n }) => n * 2,
    });
    expectTypeOf(tool.handler).parameter(0).toEqualTypeOf<{ n: number }>();
    createOutboundServer({}, async (call) => {
      expectTypeOf(startCallMedia(call)).resolves.toEqualTypeOf<CallMedia>();
      const session = new RealtimeSession({ call, provider, instructions: '', tools: [tool] });
      session.on('ended', ({ reason }) => expectTypeOf(reason).toMatchTypeOf<string>());
      expectTypeOf(session.start()).resolves.toEqualTypeOf<void>();
    });
  });

  it('tools: the handler is typed from the schema, and a handler typed for other arguments does not compile', () => {
    const parameters = schema.object({
      count: schema.integer({ minimum: 1 }),
      unit: schema.enum(['kg', 'lb']),
      note: schema.optional(schema.string()),
      tags: schema.array(schema.string()),
      until: schema.nullable(schema.string({ format: 'date' })),
      address: schema.object({ city: schema.string(), zip: schema.optional(schema.string()) }),
    });
    expectTypeOf<Infer<typeof parameters>>().toEqualTypeOf<{
      count: number;
      unit: 'kg' | 'lb';
      note?: string;
      tags: string[];
      until: string | null;
      address: { city: string; zip?: string };
    }>();
    const built = defineTool({ name: 'weigh', description: 'Weigh', parameters, handler: ({ count, unit }) => `${count} ${unit}` });
    expectTypeOf(built.handler).parameter(0).toEqualTypeOf<Infer<typeof parameters>>();

    defineTool({
      name: 'pay',
      description: 'Pay',
      parameters: schema.object({ count: schema.integer() }),
      // @ts-expect-error a handler typed for { amount: string } does not fit a schema requiring an integer count
      handler: (args: { amount: string }) => args.amount,
    });
    defineTool({
      name: 'pay',
      description: 'Pay',
      parameters: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
      // @ts-expect-error the same with a JSON Schema literal
      handler: (args: { amount: string }) => args.amount,
    });
    defineTool({
      name: 'pay',
      description: 'Pay',
      parameters: schema.object({ count: schema.integer() }),
      // @ts-expect-error count is a number, not a string
      handler: ({ count }) => count.toUpperCase(),
    });
    // A JSON Schema literal: required keys are required, others optional; enums and const are literal types.
    const literal = defineTool({
      name: 'book',
      description: 'Book',
      parameters: {
        type: 'object',
        properties: { room: { type: 'string' }, nights: { type: 'integer' }, kind: { enum: ['single', 'double'] }, pets: { type: ['boolean', 'null'] } },
        required: ['room', 'kind'],
      },
      handler: (args) => args,
    });
    expectTypeOf(literal.handler).parameter(0).toEqualTypeOf<{ room: string; kind: 'single' | 'double'; nights?: number; pets?: boolean | null }>();
  });

  it('sessions: metrics per answer and counters', () => {
    createOutboundServer({}, async (call) => {
      const session = new RealtimeSession({ call, provider: new ScriptedProvider({}), instructions: '', watchdog: { noAnswerMs: 5000 } });
      session.on('metrics', (m) => expectTypeOf(m).toEqualTypeOf<TurnMetrics>());
      expectTypeOf(session.stats().provider).toMatchTypeOf<ProviderStats>();
      expectTypeOf(session.say('hi', { interruptible: false })).toEqualTypeOf<void>();
      expectTypeOf(session.updateInstructions('x')).resolves.toEqualTypeOf<void>();
      // @ts-expect-error say takes options, not a boolean
      session.say('hi', false);
    });
  });
});
