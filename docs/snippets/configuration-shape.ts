import { loadConfig } from 'freeswitch-voice-ai';

const {
  audioMode,                                   // 'unicast' | 'rtp'
  esl: { host, port, password, connectTimeout, readTimeout, reconnectDelay, maxReconnectAttempts },
  server: { host: serverHost, port: serverPort, maxConnections },
  rtp: { portMin, portMax, bindAddress, sharedSocket, jitter: { minMs, maxMs, targetMs } },
} = loadConfig();
