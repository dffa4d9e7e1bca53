/**
 * Messages: the `take_message` tool (who it is for, the caller's name, a callback number — the
 * caller ID unless they give another — the message, its urgency), stored, then handed to the
 * `onMessage` hook and the secretary's webhook without keeping the caller waiting. The webhook
 * poster ships here: JSON, a timeout, retries, and an HMAC signature when a secret is set.
 */
import { createHmac } from 'node:crypto';
import { defineTool, type Logger, schema, type Tool } from 'freeswitch-voice-ai';
import pRetry, { AbortError } from 'p-retry';
import type { CallContext } from './call-context.js';
import { findDestination } from './directory.js';
import type { TakenMessage, Urgency } from './store.js';

/** A stored message (with its id), as the hooks receive it. */
export type StoredMessage = TakenMessage & { id: string };

/** Receives every message once stored (email it, open a ticket, ...). A rejection is logged, not retried. */
export type MessageHook = (message: StoredMessage) => Promise<void> | void;

const URGENCIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly Urgency[];

/** The arguments of `take_message`. */
export interface MessageArgs {
  for?: string;
  caller_name?: string;
  callback_number?: string;
  message: string;
  urgency?: Urgency;
}

/** The tool, for one call. */
export function takeMessageTool(ctx: CallContext, hooks: readonly MessageHook[]): Tool<MessageArgs> {
  return defineTool({
    name: 'take_message',
    description:
      'Take a message when the person is unavailable, outside business hours, or when the caller prefers. Ask for their name and the message first; the callback number defaults to the number they are calling from.',
    parameters: schema.object({
      for: schema.optional(schema.string({ description: 'Whom the message is for (person or department), as the caller said it.' })),
      caller_name: schema.optional(schema.string({ description: "The caller's name." })),
      callback_number: schema.optional(schema.string({ description: 'A number to call back, if the caller gives one other than the one they call from.' })),
      message: schema.string({ description: "The message, in the caller's words." }),
      urgency: schema.optional(schema.enum(URGENCIES, { description: 'low, normal, high or urgent. Default normal.' })),
    }),
    async handler(args) {
      const match = args.for ? findDestination(ctx.directory, args.for) : { kind: 'none' as const };
      const destination = match.kind === 'match' ? match.destination : undefined;
      const message: TakenMessage = {
        domainUuid: ctx.secretary.domainUuid,
        secretaryUuid: ctx.secretary.uuid,
        conversationId: ctx.record.id,
        callUuid: ctx.call.uuid,
        company: ctx.secretary.company,
        recipient: args.for,
        destination: destination && { id: destination.id, name: destination.name, number: destination.number },
        callerName: args.caller_name ?? ctx.call.channel.callerIdName,
        callbackNumber: args.callback_number?.trim() || ctx.call.channel.callerIdNumber,
        reason: args.message,
        urgency: args.urgency ?? 'normal',
        takenAt: ctx.now(),
      };
      const id = await ctx.store.saveMessage(message);
      ctx.record.noteMessage({ ...message, id });
      deliver({ ...message, id }, hooks, ctx);
      return { saved: true, for: destination?.name ?? args.for ?? ctx.secretary.company, callback_number: message.callbackNumber };
    },
  });
}

/** Runs the hooks in the background; once one succeeds the message is marked delivered. */
function deliver(message: StoredMessage, hooks: readonly MessageHook[], ctx: CallContext): void {
  if (hooks.length === 0) return;
  void Promise.allSettled(hooks.map(async (hook) => hook(message))).then(async (results) => {
    for (const r of results) if (r.status === 'rejected') ctx.logger.error({ err: (r.reason as Error)?.message, message: message.id }, 'secretary: a message hook failed');
    if (results.some((r) => r.status === 'fulfilled')) await ctx.store.markDelivered(message.id).catch(() => {});
  });
}

/** Options of {@link webhookPoster}. */
export interface WebhookOptions {
  /** Signs the body: `x-signature: sha256=<hex HMAC of the body>`. */
  secret?: string;
  /** Ms per attempt. Default 5000. */
  timeoutMs?: number;
  /** Attempts after the first. Default 2. */
  retries?: number;
  logger?: Logger;
}

/** The JSON a webhook receives. */
export function webhookPayload(m: StoredMessage): Record<string, unknown> {
  return {
    event: 'message.taken',
    id: m.id,
    domain_uuid: m.domainUuid,
    secretary_uuid: m.secretaryUuid,
    company: m.company,
    call_uuid: m.callUuid,
    conversation_uuid: m.conversationId ?? null,
    recipient: m.recipient ?? null,
    destination: m.destination ?? null,
    caller_name: m.callerName ?? null,
    callback_number: m.callbackNumber ?? null,
    message: m.reason,
    urgency: m.urgency,
    taken_at: m.takenAt.toISOString(),
  };
}

/**
 * A hook that POSTs each message as JSON to `url` (the secretary's `webhook_url`, or
 * `SECRETARY_WEBHOOK_URL`), retrying network errors and 5xx answers; a 4xx is final.
 */
export function webhookPoster(url: string | ((m: StoredMessage) => string | undefined), options: WebhookOptions = {}): MessageHook {
  return async (message) => {
    const target = typeof url === 'function' ? url(message) : url;
    if (!target) return;
    const body = JSON.stringify(webhookPayload(message));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'freeswitch-voice-ai-secretary' };
    if (options.secret) headers['x-signature'] = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
    await pRetry(
      async () => {
        const response = await fetch(target, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
        if (response.status >= 500) throw new Error(`webhook answered ${response.status}`);
        if (!response.ok) throw new AbortError(`webhook answered ${response.status}`);
      },
      { retries: options.retries ?? 2, minTimeout: 200, maxTimeout: 2000, onFailedAttempt: ({ error }) => options.logger?.warn({ err: error.message, message: message.id }, 'secretary: webhook attempt failed') },
    );
  };
}
