/**
 * Before ringing someone: is their phone there? An extension is reachable when it has a SIP
 * registration (`sofia_contact` of `<ext>@<domain>` on every profile); a ring group, queue, voicemail or external
 * number always counts as reachable (FreeSWITCH handles who answers).
 */
import type { Logger } from 'freeswitch-voice-ai';
import type { TransferDestination } from './destinations.js';

/** Runs an `api` command, resolving with its text (a call's `full` socket or an inbound client). */
export type ApiRunner = (command: string) => Promise<string>;

/** The answer. */
export interface Reachability {
  reachable: boolean;
  /** Why, in words the model can repeat. */
  detail: string;
}

/** Checks `destination` (of a tenant whose domain is `domainName`). */
export async function checkReachable(api: ApiRunner, destination: TransferDestination, domainName: string | undefined, logger?: Logger): Promise<Reachability> {
  if (destination.type !== 'extension') return { reachable: true, detail: `${destination.type.replace('_', ' ')} ${destination.number}` };
  if (!domainName) return { reachable: true, detail: 'not checked (the tenant has no domain name)' };
  try {
    const contact = (await api(`sofia_contact */${destination.number}@${domainName}`)).trim();
    if (contact === '' || contact.startsWith('error/')) return { reachable: false, detail: `${destination.name}'s phone is not connected right now` };
    return { reachable: true, detail: 'registered' };
  } catch (error) {
    // Cannot tell (the switch did not answer): let the transfer try rather than refuse it.
    logger?.warn({ err: (error as Error).message, number: destination.number }, 'secretary: reachability check failed');
    return { reachable: true, detail: 'not checked' };
  }
}
