/**
 * Finding whom the caller means: "Maria", "Maria in sales", "the finance department",
 * "boleto", "1002" against the directory's names, aliases, departments, roles and numbers —
 * accents and case ignored — with an answer the model can act on: one match, a short list to
 * ask about, or none.
 */
import type { TransferDestination } from './destinations.js';
import type { Secretary } from './profile.js';

/** What a request matched. */
export type DirectoryMatch =
  | { kind: 'match'; destination: TransferDestination }
  | { kind: 'ambiguous'; candidates: TransferDestination[] }
  | { kind: 'none' };

/** Words that say nothing about whom (English, Portuguese, Spanish). */
const FILLER = new Set(
  [
    'a', 'an', 'the', 'to', 'with', 'in', 'at', 'of', 'from', 'for', 'please', 'talk', 'speak', 'mr', 'mrs', 'ms', 'miss', 'dr',
    'department', 'dept', 'team', 'someone', 'somebody', 'person', 'i', 'want', 'would', 'like', 'can', 'could', 'me', 'put', 'through',
    'o', 'os', 'as', 'de', 'da', 'do', 'das', 'dos', 'com', 'no', 'na', 'para', 'por', 'favor', 'falar', 'senhor', 'senhora', 'sr', 'sra',
    'setor', 'departamento', 'equipe', 'quero', 'gostaria', 'el', 'la', 'los', 'las', 'con', 'del', 'quiero', 'hablar',
  ],
);

/** Lower case, accents removed, punctuation as spaces, single spaces. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function words(text: string): string[] {
  return normalize(text)
    .split(' ')
    .filter((w) => w !== '' && !FILLER.has(w));
}

/** How well `query` names `d`: 0 (not at all) to 100 (its number or full name). */
export function score(d: TransferDestination, query: string): number {
  const q = normalize(query);
  const qWords = new Set(words(query));
  if (qWords.size === 0) return 0;
  const digits = query.replace(/\D/g, '');
  if (digits !== '' && digits === d.number) return 100;
  const has = (phrase: string): boolean => {
    const p = normalize(phrase);
    return p !== '' && (q === p || ` ${q} `.includes(` ${p} `));
  };
  const name = normalize(d.name);
  const nameWords = words(d.name);
  let best = 0;
  if (q === name || words(query).join(' ') === nameWords.join(' ')) best = 100;
  else if (nameWords.length > 0 && nameWords.every((w) => qWords.has(w))) best = 90;
  else if (nameWords.length > 0 && qWords.has(nameWords[0]!)) best = 70;
  else if (nameWords.some((w) => w.length > 2 && qWords.has(w))) best = 60;
  for (const alias of d.aliases) if (has(alias)) best = Math.max(best, words(alias).length > 1 ? 90 : 70);
  const department = d.department ? has(d.department) : false;
  const role = d.role ? has(d.role) : false;
  if (best > 0 && (department || role)) best = Math.min(100, best + 15);
  if (best === 0 && department) best = 75;
  if (best === 0 && role) best = 65;
  return best;
}

/**
 * The destination a request names. The best score must be at least 60 and clear of the next
 * one by 10 points; otherwise the close ones come back as candidates (the model asks "Maria
 * Silva in sales or Maria Lopez in support?").
 */
export function findDestination(directory: readonly TransferDestination[], query: string): DirectoryMatch {
  const ranked = directory
    .map((destination) => ({ destination, score: score(destination, query) }))
    .filter((r) => r.score >= 60)
    .sort((a, b) => b.score - a.score);
  const [first, second] = ranked;
  if (!first) return { kind: 'none' };
  if (!second || first.score - second.score >= 10 || first.destination.number === second.destination.number) {
    return { kind: 'match', destination: first.destination };
  }
  return { kind: 'ambiguous', candidates: ranked.filter((r) => first.score - r.score < 10).map((r) => r.destination) };
}

/**
 * The directory with the operator in it: the secretary's operator extension answers to the
 * handoff keywords ("atendente", "operator", ...) and "reception", and is a blind transfer.
 */
export function withOperator(directory: readonly TransferDestination[], secretary: Secretary): TransferDestination[] {
  const number = secretary.operatorExtension;
  if (!number) return [...directory];
  const aliases = [...new Set([...secretary.handoffKeywords, 'operator', 'reception', 'receptionist', 'recepcao', 'telefonista'])];
  const existing = directory.find((d) => d.number === number);
  const operator: TransferDestination = existing
    ? { ...existing, aliases: [...existing.aliases, ...aliases], mode: 'blind' }
    : {
        id: `operator:${number}`,
        name: 'Operator',
        aliases,
        type: 'extension',
        number,
        context: undefined,
        ringTimeoutSeconds: secretary.transfer.ringTimeoutSeconds,
        fallbackAction: 'offer_ticket',
        department: undefined,
        role: 'operator',
        description: 'A person at the front desk.',
        hours: undefined,
        mode: 'blind',
        source: 'extensions',
      };
  return existing ? directory.map((d) => (d === existing ? operator : d)) : [...directory, operator];
}
