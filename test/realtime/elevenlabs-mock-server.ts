import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AgentResponse,
  AgentToolResponseMessage,
  Audio,
  ClientToolCallMessage,
  ConversationMetadata,
  ErrorMessage,
  ErrorEventErrorType,
  Interruption,
  Ping,
  UserTranscript,
  ConversationInitiationMetadataEventAgentOutputAudioFormat as WireFormat,
} from '@elevenlabs/types';
import { type WebSocket, WebSocketServer } from 'ws';
import { VendorMockServer, refuseWith } from '../helpers/vendor-mock-server.js';

/** A client message as the server received it (`user_audio_chunk` has no `type`). */
export type ClientMessage = { type?: string; user_audio_chunk?: string; [k: string]: unknown };

/** How the mock agent behaves. */
export interface ElevenLabsMockOptions {
  /** The agent's formats, sent in `conversation_initiation_metadata`. Default `ulaw_8000` both ways. */
  input?: WireFormat;
  output?: WireFormat;
  /** Answer the initiation with an `error` event (and close 1008), as ElevenLabs does for a refused override. */
  refuseInitiation?: { errorType: ErrorEventErrorType; message: string };
  /** Refuse the WebSocket handshake with this HTTP status. */
  refuseWith?: number;
  /** The API key the signed-URL endpoint accepts. Default `xi-test`. */
  apiKey?: string;
}

/**
 * A local stand-in for ElevenLabs' Agents API, following its published protocol (the AsyncAPI
 * contract in `@elevenlabs/types`; every event it sends is typed with ElevenLabs' own types):
 * `GET /v1/convai/conversation/get-signed-url` (header `xi-api-key`) answers `{ signed_url }`;
 * the conversation socket `/v1/convai/conversation` waits for
 * `conversation_initiation_client_data`, answers `conversation_initiation_metadata` with the
 * agent's formats, then does what the test scripts. It records every client message, the
 * caller's audio bytes, and the handshake of each connection.
 */
export class ElevenLabsMockServer extends VendorMockServer<ClientMessage> {
  /** Handshakes of the conversation sockets (URL and headers). */
  readonly connections: { url: string; headers: IncomingMessage['headers'] }[] = [];
  /** Signed-URL requests (URL and headers). */
  readonly signedUrlRequests: { url: string; headers: IncomingMessage['headers'] }[] = [];
  protected readonly wss: WebSocketServer;
  private readonly http: Server;
  private pings = 1000;

  constructor(private readonly options: ElevenLabsMockOptions = {}) {
    super();
    this.http = createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ server: this.http, verifyClient: refuseWith(options.refuseWith) });
    this.wss.on('connection', (ws, req) => {
      this.socket = ws;
      this.connections.push({ url: req.url ?? '', headers: req.headers });
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as ClientMessage;
        this.record(message, typeof message.user_audio_chunk === 'string' ? Buffer.from(message.user_audio_chunk, 'base64') : undefined);
        if (message.type === 'conversation_initiation_client_data') this.onInitiation(ws);
      });
    });
    this.http.listen(0, '127.0.0.1');
  }

  /** The API origin to give the provider (`baseUrl`). */
  async origin(): Promise<string> {
    if (!this.http.listening) await new Promise((r) => this.http.once('listening', r));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  audioEvent(eventId: number, bytes: Uint8Array | readonly number[]): void {
    this.send({ type: 'audio', audio_event: { audio_base_64: Buffer.from(bytes).toString('base64'), event_id: eventId } } satisfies Audio);
  }

  interruption(eventId: number): void {
    this.send({ type: 'interruption', interruption_event: { event_id: eventId } } satisfies Interruption);
  }

  agentResponse(eventId: number, text: string): void {
    this.send({ type: 'agent_response', agent_response_event: { agent_response: text, event_id: eventId } } satisfies AgentResponse);
  }

  userTranscript(eventId: number, text: string): void {
    this.send({ type: 'user_transcript', user_transcription_event: { user_transcript: text, event_id: eventId } } satisfies UserTranscript);
  }

  clientToolCall(eventId: number, toolCallId: string, toolName: string, parameters: Record<string, unknown>): void {
    this.send({ type: 'client_tool_call', client_tool_call: { tool_name: toolName, tool_call_id: toolCallId, parameters, event_id: eventId } } satisfies ClientToolCallMessage);
  }

  /** ElevenLabs' `end_call` system tool ran. */
  endCall(eventId: number, toolCallId = 'end_call_1'): void {
    this.send({
      type: 'agent_tool_response',
      agent_tool_response: { tool_name: 'end_call', tool_call_id: toolCallId, tool_type: 'system', is_error: false, is_called: true, event_id: eventId },
    } satisfies AgentToolResponseMessage);
  }

  /** An `error` event, then the close ElevenLabs announces in it. */
  error(code: 1002 | 1008 | 1011, errorType: ErrorEventErrorType, message: string): void {
    this.send({ type: 'error', error_event: { code, error_type: errorType, message } } satisfies ErrorMessage);
    this.socket!.close(code, message.slice(0, 100));
  }

  /** A `ping`; resolves with the client's `pong`. */
  async ping(eventId: number, pingMs: number | null = null): Promise<ClientMessage> {
    const seen = this.all('pong').length;
    this.send({ type: 'ping', ping_event: { event_id: eventId, ping_ms: pingMs } } satisfies Ping);
    for (;;) {
      const pong = this.all('pong').slice(seen).find((p) => p.event_id === eventId);
      if (pong) return pong;
      await this.next();
    }
  }

  /**
   * Resolves once the provider has handled every event sent so far and the server has every
   * message it sent before (a `ping` → `pong` round trip: the protocol's own marker).
   */
  async sync(): Promise<void> {
    await this.ping(++this.pings);
  }

  /** Drops every connection and closes the server and its HTTP listener. */
  override async close(): Promise<void> {
    await super.close();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  private onInitiation(ws: WebSocket): void {
    const refuse = this.options.refuseInitiation;
    if (refuse) {
      ws.send(JSON.stringify({ type: 'error', error_event: { code: 1008, error_type: refuse.errorType, message: refuse.message } } satisfies ErrorMessage));
      ws.close(1008, refuse.message.slice(0, 100));
      return;
    }
    const metadata: ConversationMetadata = {
      type: 'conversation_initiation_metadata',
      conversation_initiation_metadata_event: {
        conversation_id: 'conv_test_1',
        agent_output_audio_format: this.options.output ?? 'ulaw_8000',
        user_input_audio_format: this.options.input ?? 'ulaw_8000',
      },
    };
    ws.send(JSON.stringify(metadata));
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/v1/convai/conversation/get-signed-url') {
      res.writeHead(404).end();
      return;
    }
    this.signedUrlRequests.push({ url: req.url ?? '', headers: req.headers });
    if (req.headers['xi-api-key'] !== (this.options.apiKey ?? 'xi-test')) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: { status: 'invalid_api_key', message: 'Invalid API key' } }));
      return;
    }
    const agentId = url.searchParams.get('agent_id') ?? '';
    const { port } = this.http.address() as AddressInfo;
    const signedUrl = `ws://127.0.0.1:${port}/v1/convai/conversation?agent_id=${encodeURIComponent(agentId)}&conversation_signature=sig_123`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ signed_url: signedUrl }));
  }
}
