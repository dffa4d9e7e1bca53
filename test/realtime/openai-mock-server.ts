import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { RealtimeProvider } from '../../src/realtime/provider.js';
import { VendorMockServer, refuseWith } from '../helpers/vendor-mock-server.js';

/** A client event as the server received it. */
export type ClientEvent = { type: string; [k: string]: unknown };

/** How the mock behaves. */
export interface OpenAIMockOptions {
  /** Server events sent in answer to `session.update` (default: `session.updated` echoing the session, as OpenAI does). */
  confirm?: (sessionUpdate: ClientEvent) => object[];
  /** Refuse the WebSocket handshake with this HTTP status (e.g. 401 for a bad key). */
  refuseWith?: number;
  /** Answer pings (default true); `false` plays a half-open peer. */
  autoPong?: boolean;
  /** Accept permessage-deflate when the client offers it (default false, as OpenAI's endpoint). */
  perMessageDeflate?: boolean;
}

/**
 * A local stand-in for OpenAI's Realtime WebSocket: sends `session.created` on connection, then
 * whatever the test scripts; records every client event and the handshake headers. Like the real
 * server, it starts a response (`response.created`) on each `response.create` and refuses one
 * while another response is active (`conversation_already_has_active_response`, listed in
 * {@link rejected}).
 */
export class OpenAIMockServer extends VendorMockServer<ClientEvent> {
  headers: IncomingMessage['headers'] = {};
  /** The request path and query of the last connection (Azure puts the deployment there). */
  path = '';
  /** `response.create` events refused because a response was active: a correct client causes none. */
  readonly rejected: ClientEvent[] = [];
  /** The response the server considers active. */
  active: string | undefined;
  private responses = 0;
  private syncs = 0;
  protected readonly wss: WebSocketServer;

  constructor(options: OpenAIMockOptions = {}) {
    super();
    const confirm = options.confirm ?? defaultConfirm;
    this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      autoPong: options.autoPong ?? true,
      perMessageDeflate: options.perMessageDeflate ?? false,
      verifyClient: refuseWith(options.refuseWith),
    });
    this.wss.on('connection', (ws, req) => {
      this.socket = ws;
      this.headers = req.headers;
      this.path = req.url ?? '';
      ws.send(JSON.stringify({ type: 'session.created', event_id: 'event_0', session: { id: 'sess_1' } }));
      ws.on('message', (data) => {
        const event = JSON.parse(data.toString()) as ClientEvent;
        this.record(event);
        if (event.type === 'session.update') for (const e of confirm(event)) ws.send(JSON.stringify(e));
        if (event.type === 'response.create') this.onResponseCreate(event);
      });
    });
  }

  /** The URL to give the provider. */
  async ready(): Promise<string> {
    return `${await this.origin()}/v1/realtime?model=gpt-realtime`;
  }

  /** `http://127.0.0.1:<port>`: an Azure-style endpoint for the provider's `azure.endpoint`. */
  async origin(scheme: 'ws' | 'http' = 'ws'): Promise<string> {
    if (!this.wss.address()) await new Promise((r) => this.wss.once('listening', r));
    return `${scheme}://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  /** Sends a server event (or raw text), tracking `response.created` / `response.done`. */
  override send(event: object | string): void {
    if (typeof event === 'object') {
      const e = event as { type?: string; response?: { id?: string } };
      if (e.type === 'response.created') this.active = e.response?.id;
      if (e.type === 'response.done') this.active = undefined;
    }
    super.send(event);
  }

  /** Resolves once `provider` has handled every server event sent so far (a marker event round trip). */
  async sync(provider: RealtimeProvider): Promise<void> {
    const itemId = `sync_${++this.syncs}`;
    const seen = new Promise<void>((resolve) => {
      const on = (t: { itemId?: string }): void => {
        if (t.itemId !== itemId) return;
        provider.off('transcript', on);
        resolve();
      };
      provider.on('transcript', on);
    });
    this.send({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta: '' });
    await seen;
  }

  /** Resolves once the server has every client event `provider` sent so far (a marker audio frame). */
  async flush(provider: RealtimeProvider): Promise<void> {
    provider.sendAudio(new Uint8Array([0xff]));
    await this.waitFor('input_audio_buffer.append', this.all('input_audio_buffer.append').length + 1);
  }

  /** A response the server starts by itself (server VAD `create_response`). */
  startResponse(id: string): void {
    this.send({ type: 'response.created', response: { id, status: 'in_progress' } });
  }

  /** Ends the active response (or `id`). */
  endResponse(status = 'completed', id = this.active, usage?: object): void {
    this.send({ type: 'response.done', response: { id, status, ...(usage && { usage }) } });
  }

  /**
   * A function call in the active response (or `responseId`), as the server streams it:
   * `response.output_item.added` (in progress), `response.function_call_arguments.delta` and
   * `.done`, then `response.output_item.done` with the item's final `status` (`incomplete` when
   * the answer was interrupted or cancelled). `dialect: 'beta'` leaves `name` out of
   * `function_call_arguments.done`, as the beta interface does.
   */
  functionCall(callId: string, name: string, args: string, options: { status?: 'completed' | 'incomplete'; responseId?: string; dialect?: 'ga' | 'beta' } = {}): void {
    const responseId = options.responseId ?? this.active;
    const itemId = `fc_${callId}`;
    const item = { id: itemId, object: 'realtime.item', type: 'function_call', call_id: callId, name };
    this.send({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } });
    this.send({ type: 'response.function_call_arguments.delta', response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, delta: args });
    const done = { type: 'response.function_call_arguments.done', response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, arguments: args };
    this.send(options.dialect === 'beta' ? done : { ...done, name });
    this.send({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: { ...item, status: options.status ?? 'completed', arguments: args } });
  }

  private onResponseCreate(event: ClientEvent): void {
    if (this.active) {
      this.rejected.push(event);
      const message = `Conversation already has an active response in progress: ${this.active}. Wait until the response is finished before creating a new one.`;
      this.send({ type: 'error', error: { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message, event_id: event.event_id } });
      return;
    }
    this.startResponse(`resp_${++this.responses}`);
  }
}

/** `session.updated` echoing the requested session. */
function defaultConfirm(update: ClientEvent): object[] {
  return [{ type: 'session.updated', event_id: 'event_1', session: update.session }];
}
