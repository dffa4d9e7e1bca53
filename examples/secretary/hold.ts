/**
 * Hold: music for the caller while the secretary checks with someone. FreeSWITCH plays it on
 * top of the call's park, which also pauses the call's `unicast` audio — the AI hears nothing
 * and says nothing until the music stops.
 */
import type { Logger, OutboundCall } from 'freeswitch-voice-ai';

/**
 * Starts `music` (`local_stream://moh`; FusionPBX: `local_stream://default`) and resolves with the
 * function that stops it (`uuid_break`) and waits until it has stopped.
 */
export function startHold(call: OutboundCall, music: string, logger?: Logger): () => Promise<void> {
  const playing = call.playback(music).catch(() => undefined);
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= (async () => {
      if (!call.isActive) return;
      try {
        await call.api(`uuid_break ${call.uuid}`);
        await playing;
      } catch (error) {
        logger?.warn({ uuid: call.uuid, err: (error as Error).message }, 'secretary: could not stop the hold music');
      }
    })();
    return stopped;
  };
}
