/**
 * Where the secretary can send a caller: the rows of `v_voice_transfer_destinations` (people
 * and departments, with aliases, ring time, hours and transfer mode) and, as the default
 * directory, FusionPBX's `v_extensions` that are enabled and visible in the directory.
 */
import type { Logger } from 'freeswitch-voice-ai';
import { type BusinessHours, parseBusinessHours } from './hours.js';
import type { Secretary } from './profile.js';

/** What a destination number is. A queue or ring group always counts as reachable. */
export type DestinationType = 'extension' | 'ring_group' | 'queue' | 'external' | 'voicemail';

/** When nobody answers: offer to take a message, take one, voicemail, back to the AI, hang up. */
export type DestinationFallback = 'offer_ticket' | 'create_ticket' | 'voicemail' | 'return_agent' | 'hangup';

/** A person or department callers may ask for. */
export interface TransferDestination {
  /** `transfer_destination_uuid`, or `extension:<number>` for an entry of `v_extensions`. */
  id: string;
  /** "Maria Silva", "Finance". */
  name: string;
  /** Other ways callers say it. */
  aliases: string[];
  type: DestinationType;
  /** Extension, ring group, queue or external number. */
  number: string;
  /** Dialplan context; `undefined`: the caller's own (FusionPBX: the domain name). */
  context: string | undefined;
  ringTimeoutSeconds: number;
  fallbackAction: DestinationFallback;
  department: string | undefined;
  role: string | undefined;
  description: string | undefined;
  /** `undefined`: the secretary's hours. */
  hours: BusinessHours | undefined;
  /** `announced`: the secretary calls the person first (warm transfer); `blind`: straight through. */
  mode: 'announced' | 'blind';
  /** Where it came from. */
  source: 'destinations' | 'extensions';
}

const TYPES: readonly DestinationType[] = ['extension', 'ring_group', 'queue', 'external', 'voicemail'];
const FALLBACKS: readonly DestinationFallback[] = ['offer_ticket', 'create_ticket', 'voicemail', 'return_agent', 'hangup'];
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** A `v_voice_transfer_destinations` row. A bad `working_hours` is logged and replaced by the secretary's hours. */
export function destinationFromRow(row: Record<string, unknown>, secretary: Secretary, logger?: Logger): TransferDestination {
  const id = String(row.transfer_destination_uuid);
  let hours: BusinessHours | undefined;
  try {
    hours = parseBusinessHours(row.working_hours, secretary.hours?.timezone ?? 'America/Sao_Paulo', secretary.hours?.holidays ?? [], `destination ${id} working_hours`);
  } catch (error) {
    logger?.warn({ destination: id, err: (error as Error).message }, 'secretary: destination working hours ignored');
  }
  const aliases = Array.isArray(row.aliases) ? row.aliases.map(String).filter((a) => a.trim() !== '') : [];
  const ring = Number(row.ring_timeout_seconds);
  return {
    id,
    name: str(row.name) ?? String(row.destination_number),
    aliases,
    type: TYPES.includes(row.destination_type as DestinationType) ? (row.destination_type as DestinationType) : 'extension',
    number: String(row.destination_number),
    context: str(row.destination_context),
    ringTimeoutSeconds: Number.isFinite(ring) && ring > 0 ? ring : secretary.transfer.ringTimeoutSeconds,
    fallbackAction: FALLBACKS.includes(row.fallback_action as DestinationFallback) ? (row.fallback_action as DestinationFallback) : 'offer_ticket',
    department: str(row.department),
    role: str(row.role),
    description: str(row.description),
    hours,
    mode: row.transfer_mode === 'blind' ? 'blind' : 'announced',
    source: 'destinations',
  };
}

/** A `v_extensions` row as a destination: its caller id name (or directory names) is the name. */
export function destinationFromExtension(row: Record<string, unknown>, secretary: Secretary): TransferDestination {
  const number = String(row.extension);
  const full = [str(row.directory_first_name), str(row.directory_last_name)].filter(Boolean).join(' ');
  const name = str(row.effective_caller_id_name) ?? (full || number);
  return {
    id: `extension:${number}`,
    name,
    aliases: full && full !== name ? [full] : [],
    type: 'extension',
    number,
    context: str(row.user_context),
    ringTimeoutSeconds: secretary.transfer.ringTimeoutSeconds,
    fallbackAction: 'offer_ticket',
    department: undefined,
    role: undefined,
    description: str(row.description),
    hours: undefined,
    mode: 'announced',
    source: 'extensions',
  };
}

/** The destinations, then the directory's extensions that no destination already covers. */
export function mergeDirectory(destinations: TransferDestination[], extensions: TransferDestination[]): TransferDestination[] {
  const numbers = new Set(destinations.map((d) => d.number));
  return [...destinations, ...extensions.filter((e) => !numbers.has(e.number))];
}
