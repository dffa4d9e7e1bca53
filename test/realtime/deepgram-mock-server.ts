import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { agent } from '@deepgram/sdk';
import { type WebSocket, WebSocketServer } from 'ws';
import { VendorMockServer, refuseWith } from '../helpers/vendor-mock-server.js';

/** A JSON client message as the server received it. */
export type ClientMessage = { type: string; [k: string]: unknown };

/** How the mock agent behaves. */
export interface DeepgramMockOptions {
  /** Answer `Settings` with this `Error` (and close 1008) instead of `SettingsApplied`. */
  refuseSettings?: { code: string; description: string };
  /** Refuse the WebSocket handshake with this HTTP status. */
  refuseWith?: number;
  /** Never answer `Settings` (a server that hangs). */
  holdSettings?: boolean;
  /** Answer `UpdateThink` with this `Error` instead of `ThinkUpdated`. */
  refuseThink?: { code: string; description: string };
}

/**
 * A local stand-in for Deepgram's Voice Agent API (`/v1/agent/converse`), following its
 * published protocol (every message it sends is typed with Deepgram's own `@deepgram/sdk`
 * types): `Welcome` on connection, `SettingsApplied` in answer to `Settings`, `ThinkUpdated` to
 * `UpdateThink`, binary audio and
 * JSON control messages on one socket, then what the test scripts. It records the handshake,
 * every JSON client message and the caller's audio bytes.
 */
export class DeepgramMockServer extends VendorMockServer<ClientMessage> {
  headers: IncomingMessage['headers'] = {};
  url = '';
  protected readonly wss: WebSocketServer;

  constructor(private readonly options: DeepgramMockOptions = {}) {
    super();
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: refuseWith(options.refuseWith) });
    this.wss.on('connection', (ws, req) => {
      this.socket = ws;
      this.headers = req.headers;
      this.url = req.url ?? '';
      ws.send(JSON.stringify({ type: 'Welcome', request_id: 'req-0001' } satisfies agent.AgentV1Welcome));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return this.record(undefined, Buffer.from(data as Buffer));
        const message = JSON.parse(data.toString()) as ClientMessage;
        this.record(message);
        if (message.type === 'Settings') this.onSettings(ws);
        if (message.type === 'UpdateThink') this.onUpdateThink(ws);
      });
    });
  }

  /** The URL to give the provider. */
  async ready(): Promise<string> {
    if (!this.wss.address()) await new Promise((r) => this.wss.once('listening', r));
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/v1/agent/converse`;
  }

  /** Agent speech: one binary message. */
  sendAudio(bytes: Uint8Array | readonly number[]): void {
    this.socket!.send(Buffer.from(bytes), { binary: true });
  }

  userStartedSpeaking(): void {
    this.send({ type: 'UserStartedSpeaking' } satisfies agent.AgentV1UserStartedSpeaking);
  }

  agentStartedSpeaking(): void {
    this.send({ type: 'AgentStartedSpeaking', total_latency: 0.8, tts_latency: 0.2, ttt_latency: 0.6 } satisfies agent.AgentV1AgentStartedSpeaking);
  }

  agentAudioDone(): void {
    this.send({ type: 'AgentAudioDone' } satisfies agent.AgentV1AgentAudioDone);
  }

  conversationText(role: 'user' | 'assistant', content: string): void {
    this.send({ type: 'ConversationText', role, content } satisfies agent.AgentV1ConversationText);
  }

  functionCallRequest(functions: agent.AgentV1FunctionCallRequest.Functions.Item[]): void {
    this.send({ type: 'FunctionCallRequest', functions } satisfies agent.AgentV1FunctionCallRequest);
  }

  functionCallCancelled(functions: agent.AgentV1FunctionCallCancelled.Functions.Item[]): void {
    this.send({ type: 'FunctionCallCancelled', functions } satisfies agent.AgentV1FunctionCallCancelled);
  }

  error(code: string, description: string): void {
    this.send({ type: 'Error', code, description } satisfies agent.AgentV1Error);
  }

  warning(code: string, description: string): void {
    this.send({ type: 'Warning', code, description } satisfies agent.AgentV1Warning);
  }

  /**
   * Resolves once the provider has handled every message sent so far and the server has every
   * message it sent before: a WebSocket ping, answered in order by the client's `ws`.
   */
  async sync(): Promise<void> {
    const socket = this.socket!;
    await new Promise<void>((resolve) => {
      socket.once('pong', () => resolve());
      socket.ping();
    });
  }

  private onUpdateThink(ws: WebSocket): void {
    const refuse = this.options.refuseThink;
    if (refuse) ws.send(JSON.stringify({ type: 'Error', ...refuse } satisfies agent.AgentV1Error));
    else ws.send(JSON.stringify({ type: 'ThinkUpdated' } satisfies agent.AgentV1ThinkUpdated));
  }

  private onSettings(ws: WebSocket): void {
    const refuse = this.options.refuseSettings;
    if (this.options.holdSettings) return;
    if (refuse) {
      ws.send(JSON.stringify({ type: 'Error', ...refuse } satisfies agent.AgentV1Error));
      ws.close(1008, refuse.code);
      return;
    }
    ws.send(JSON.stringify({ type: 'SettingsApplied' } satisfies agent.AgentV1SettingsApplied));
  }
}
