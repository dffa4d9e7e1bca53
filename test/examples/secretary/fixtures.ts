import type { TransferDestination } from '../../../examples/secretary/destinations.js';
import { type Secretary, secretaryFromRow } from '../../../examples/secretary/profile.js';

/** A secretary as the sample data configures ACME's. */
export function acmeSecretary(over: Record<string, unknown> = {}): Secretary {
  return secretaryFromRow({
    voice_secretary_uuid: 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5',
    domain_uuid: '11111111-2222-4333-8444-555555555555',
    domain_name: 'acme.example.com',
    secretary_name: 'Ana',
    company_name: 'ACME',
    language: 'en-US',
    transfer_extension: '1000',
    timezone: 'America/Sao_Paulo',
    business_hours: { mon: ['08:00-18:00'], tue: ['08:00-18:00'], wed: ['08:00-18:00'], thu: ['08:00-18:00'], fri: ['08:00-17:00'] },
    holidays: [{ date: '2026-12-25', name: 'Christmas' }, { date: '2026-12-24', name: 'Christmas Eve', hours: ['08:00-12:00'] }],
    ...over,
  });
}

/** A destination with defaults. */
export function destination(name: string, number: string, over: Partial<TransferDestination> = {}): TransferDestination {
  return {
    id: `d-${number}`,
    name,
    aliases: [],
    type: 'extension',
    number,
    context: undefined,
    ringTimeoutSeconds: 20,
    fallbackAction: 'offer_ticket',
    department: undefined,
    role: undefined,
    description: undefined,
    hours: undefined,
    mode: 'announced',
    source: 'destinations',
    ...over,
  };
}
