// `freeswitch-voice-ai/rtcp` with werift-rtp installed (an optional peer dependency), checked by
// .ci/run with the `types: ["node"]` its documentation asks for (werift-rtp's WebCodecs types
// clash with TypeScript's DOM lib otherwise).
import { RtcpReporter, ntpNow } from 'freeswitch-voice-ai/rtcp';

export const report: Buffer = new RtcpReporter(1).senderReport({ rtpTimestamp: 0, packets: 0, octets: 0 });
export const now: bigint = ntpNow();
