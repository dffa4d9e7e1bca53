import { loadConfig } from 'freeswitch-voice-ai';

const {
  audioMode,                                   // 'rtp' | 'websocket' | 'dual' | 'esl'
  esl: { host, port, password, connectTimeout, readTimeout, reconnectDelay, maxReconnectAttempts },
  server: { host: serverHost, port: serverPort, maxConnections },
  rtp: { portMin, portMax, bindAddress, sharedSocket, jitter: { minMs, maxMs, targetMs } },
  websocket: { port: realtimePort },
} = loadConfig();
