/**
 * Which FreeSWITCH node of an {@link EslPool} owns each channel, learnt from the originates the
 * pool places and from `CHANNEL_CREATE` / `CHANNEL_DESTROY`, bounded so a long run cannot grow
 * it without end.
 *
 * @module
 */
import type { EslEvent } from './event.js';

/** Calls remembered by owner; the oldest are forgotten past this many. */
const MAX_OWNED_CALLS = 100_000;

/** Channel uuid → the name of the node that owns it, oldest first. */
export class ChannelOwners {
  private readonly owners = new Map<string, string>();

  /** The node known to own `uuid`, if any. */
  get(uuid: string): string | undefined {
    return this.owners.get(uuid);
  }

  /** Records that `uuid` lives on `node` (as the newest), forgetting the oldest past the bound. */
  remember(uuid: string, node: string): void {
    this.owners.delete(uuid);
    this.owners.set(uuid, node);
    if (this.owners.size > MAX_OWNED_CALLS) this.owners.delete(this.owners.keys().next().value!);
  }

  /** Forgets `uuid` (its originate failed, or the channel is gone). */
  forget(uuid: string): void {
    this.owners.delete(uuid);
  }

  /** Learns from an event of `node`: a channel created there is its, a destroyed one is forgotten. */
  onEvent(event: EslEvent, node: string): void {
    const uuid = event.uuid;
    if (uuid === undefined) return;
    if (event.name === 'CHANNEL_CREATE') this.remember(uuid, node);
    else if (event.name === 'CHANNEL_DESTROY') this.owners.delete(uuid);
  }
}
