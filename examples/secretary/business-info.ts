/**
 * `get_business_info(topic)`: what the secretary knows about the company — services, hours,
 * location, contact, prices, about — from the secretary's `business_info` JSON, in whatever
 * words the model uses for the topic (English or Portuguese). The "hours" answer also says
 * whether the company is open right now.
 */
import { defineTool, schema, type Tool } from 'freeswitch-voice-ai';
import { normalize } from './directory.js';
import { describeHours, hoursState } from './hours.js';
import type { Secretary } from './profile.js';

/** The usual topics and the words that mean them. */
const SYNONYMS: Record<string, readonly string[]> = {
  services: ['services', 'service', 'products', 'product', 'servicos', 'servico', 'produtos', 'what do you do', 'offer'],
  hours: ['hours', 'opening hours', 'open', 'schedule', 'horarios', 'horario', 'funcionamento', 'expediente'],
  location: ['location', 'address', 'where', 'localizacao', 'endereco', 'onde'],
  contact: ['contact', 'email', 'e mail', 'phone', 'whatsapp', 'contato', 'telefone'],
  prices: ['prices', 'price', 'cost', 'costs', 'quote', 'precos', 'preco', 'valores', 'valor'],
  about: ['about', 'company', 'history', 'sobre', 'empresa', 'quem somos'],
};

/** The configured key a topic names, if any. */
export function topicKey(info: Readonly<Record<string, string>>, topic: string): string | undefined {
  const t = normalize(topic);
  if (t in info) return t;
  for (const [key, words] of Object.entries(SYNONYMS)) {
    if (words.some((w) => t === w || ` ${t} `.includes(` ${w} `))) {
      const configured = Object.keys(info).find((k) => k === key || SYNONYMS[key]!.includes(normalize(k)));
      if (configured) return configured;
      if (key === 'hours') return 'hours';
    }
  }
  return Object.keys(info).find((k) => t.includes(normalize(k)));
}

/** The tool, for one secretary; `now` is the clock the hours are evaluated with. */
export function businessInfoTool(secretary: Secretary, now: () => Date): Tool<{ topic: string }> {
  const topics = [...new Set([...Object.keys(secretary.businessInfo), ...(secretary.hours ? ['hours'] : [])])];
  return defineTool({
    name: 'get_business_info',
    description: `Look up what the company says about a topic before answering a question about it. Topics: ${topics.join(', ') || 'none configured'}.`,
    parameters: schema.object({ topic: schema.string({ description: `One of: ${topics.join(', ')}; or the caller's own words.` }) }),
    handler({ topic }) {
      const key = topicKey(secretary.businessInfo, topic);
      const live = secretary.hours ? describeHours(hoursState(secretary.hours, now()), secretary.hours.timezone) : undefined;
      if (key === 'hours') return { topic: 'hours', info: [secretary.businessInfo.hours, live].filter(Boolean).join(' ') };
      if (key === undefined) return { error: `nothing configured about "${topic}"`, topics, suggestion: 'say you do not know, and offer to take a message' };
      return { topic: key, info: secretary.businessInfo[key] };
    },
  });
}
