/**
 * What the model is told: who it is, for whom, in which language, whom it can transfer to,
 * whether the company is open, what it knows, and the rules for its tools — plus the briefing
 * it gives a person before an announced transfer.
 */
import type { TransferDestination } from './destinations.js';
import { describeHours, type HoursState } from './hours.js';
import type { Secretary } from './profile.js';

/** One line per person or department: name, department, role, what they handle. */
export function directoryLines(directory: readonly TransferDestination[]): string {
  return directory
    .map((d) => {
      const what = [d.department && `department ${d.department}`, d.role, d.description].filter(Boolean).join('; ');
      const aka = d.aliases.length > 0 ? ` (also: ${d.aliases.slice(0, 6).join(', ')})` : '';
      return `- ${d.name}${aka}${what ? ` — ${what}` : ''}`;
    })
    .join('\n');
}

/** The system prompt of a caller's call. */
export function secretaryInstructions(secretary: Secretary, directory: readonly TransferDestination[], hours: HoursState | undefined): string {
  const open = hours === undefined || hours.open;
  return [
    `You are ${secretary.name}, the virtual secretary of ${secretary.company}, answering the phone. Speak ${secretary.language}. Be brief, warm and professional: one or two sentences at a time, this is a phone call.`,
    hours ? `Business hours: ${describeHours(hours, secretary.hours!.timezone)}` : '',
    open
      ? 'Find out whom the caller wants or what they need. To put them through, call transfer_call with the person or department as the caller said it; the tool checks the directory, the hours and whether the phone is connected, and may announce the caller first: tell the caller what the tool answers.'
      : `${secretary.messages.afterHours} Say so, tell the caller when the company opens, and offer to take a message (take_message). Do not transfer calls now.`,
    `If the caller asks for a human, an operator or says one of: ${secretary.handoffKeywords.join(', ')} — transfer them to the operator at once with transfer_call.`,
    'Before answering a question about the company (services, hours, location, contact, prices), call get_business_info; never invent facts.',
    'To take a message, ask for their name and the message, then call take_message (the callback number defaults to the number they call from: confirm it).',
    `When the conversation is over, say: "${secretary.messages.farewell}" and call hangup_call.`,
    `If you cannot understand after two tries, say: "${secretary.messages.fallback}"`,
    `Keep calls short: after about ${secretary.limits.maxTurns} exchanges, offer to take a message and end the call.`,
    directory.length > 0 ? `Directory:\n${directoryLines(directory)}` : 'There is no directory: take messages.',
    secretary.instructions,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** The greeting request sent when the call starts. */
export function greetingRequest(secretary: Secretary, hours: HoursState | undefined): string {
  const closed = hours !== undefined && !hours.open;
  return closed
    ? `Greet the caller with: "${secretary.messages.greeting}" — then say that ${secretary.company} is closed now and when it opens.`
    : `Greet the caller with: "${secretary.messages.greeting}"`;
}

/** Who is calling and why, for the person an announced transfer rings. */
export interface Briefing {
  /** The person being called. */
  person: string;
  callerName: string | undefined;
  callerNumber: string | undefined;
  reason: string | undefined;
}

/** The system prompt of the call to the person before an announced transfer. */
export function briefingInstructions(secretary: Secretary, brief: Briefing): string {
  const caller = brief.callerName ? `${brief.callerName}${brief.callerNumber ? ` (${brief.callerNumber})` : ''}` : (brief.callerNumber ?? 'a caller who did not give a name');
  return [
    `You are ${secretary.name}, the virtual secretary of ${secretary.company}. You are calling ${brief.person}, a colleague, to announce a caller waiting on hold. Speak ${secretary.language}.`,
    `Say in one sentence: ${caller} is on the line${brief.reason ? ` about ${brief.reason}` : ''}; can you take the call?`,
    'If they accept, say "Connecting you now." and call accept_transfer. If they cannot or do not want to, call reject_transfer with their reason in a few words (e.g. "in a meeting, will call back at 3"); say goodbye.',
    'Do not chat: this call only decides whether to connect the caller.',
    secretary.transfer.briefing ?? '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
