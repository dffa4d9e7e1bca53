/**
 * A dialplan from FreeSWITCH's XML (`mod_dialplan_xml`), for the simulator: contexts of
 * extensions whose conditions test a field against a regular expression, with `break`,
 * `continue`, anti-actions, `$1` captures and `${variable}` expansion — so a test can route calls
 * with the very XML an operator installs (`freeswitch-voice-ai dialplan` prints it), and
 * `xml_locate dialplan context name <ctx>` can show it back.
 *
 * @module
 */
import type { SimulatedChannel } from './channel-model.js';
import type { Dialplan, DialplanStep } from './switch-core.js';

/** One element of the XML: its name, attributes, children, and where it sits in the text. */
export interface XmlElement {
  /** Tag name. */
  name: string;
  /** Attributes, unescaped. */
  attributes: Record<string, string>;
  /** Child elements, in order. */
  children: XmlElement[];
  /** Offsets of the element in the source text (`source.slice(start, end)` is the element). */
  start: number;
  /** End offset (exclusive). */
  end: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes `&amp;`, `&lt;`, `&#38;`, ... in an attribute value. */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') return String.fromCodePoint(code[1] === 'x' || code[1] === 'X' ? Number.parseInt(code.slice(2), 16) : Number(code.slice(1)));
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

/**
 * Reads the elements of an XML text (comments, `<?...?>` and CDATA skipped, text ignored): enough
 * for FreeSWITCH configuration. Throws `SyntaxError` on an unclosed or mismatched tag.
 */
export function parseXml(source: string): XmlElement[] {
  const roots: XmlElement[] = [];
  const stack: XmlElement[] = [];
  const tag = /<!--[^]*?-->|<!\[CDATA\[[^]*?\]\]>|<\?[^]*?\?>|<!DOCTYPE[^>]*>|<\/\s*([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  for (let m = tag.exec(source); m !== null; m = tag.exec(source)) {
    if (m[1] !== undefined) {
      const open = stack.pop();
      if (open?.name !== m[1]) throw new SyntaxError(`XML: </${m[1]}> at offset ${m.index} closes ${open ? `<${open.name}>` : 'nothing'}`);
      open.end = m.index + m[0].length;
      continue;
    }
    if (m[2] === undefined) continue;
    const attributes: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes[a[1]!] = unescapeXml(a[2] ?? a[3] ?? '');
    const element: XmlElement = { name: m[2], attributes, children: [], start: m.index, end: m.index + m[0].length };
    (stack[stack.length - 1]?.children ?? roots).push(element);
    if (m[4] !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new SyntaxError(`XML: <${stack[stack.length - 1]!.name}> is never closed`);
  return roots;
}

/** Every element named `name` under `elements`, depth first. */
export function findElements(elements: readonly XmlElement[], name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (list: readonly XmlElement[]): void => {
    for (const e of list) {
      if (e.name === name) out.push(e);
      walk(e.children);
    }
  };
  walk(elements);
  return out;
}

/**
 * A condition's field or a `${name}`: the call's caller-profile fields first (as
 * `switch_channel_get_variable` falls back to them), then channel variables.
 */
function fieldValue(field: string, channel: SimulatedChannel | undefined, call: { destination: string; context: string }): string {
  if (field.includes('${')) return expand(field, channel, [], call);
  const p = channel?.profile;
  switch (field) {
    case 'destination_number':
      return call.destination;
    case 'context':
      return call.context;
    case 'caller_id_number':
      return p?.callerIdNumber ?? '';
    case 'caller_id_name':
      return p?.callerIdName ?? '';
    case 'ani':
      return p?.ani ?? '';
    case 'network_addr':
      return p?.networkAddr ?? '';
    case 'username':
      return p?.username ?? '';
    case 'uuid':
      return channel?.uuid ?? '';
    default:
      return channel?.variables.get(field) ?? '';
  }
}

/** `${var}` from the channel (variables, then caller-profile fields), `$1..$9` from the condition's captures. */
function expand(text: string, channel: SimulatedChannel | undefined, captures: readonly string[], call: { destination: string; context: string }): string {
  return text
    .replace(/\$\{([^}]+)\}/g, (_, name: string) => channel?.variables.get(name) ?? fieldValue(name, channel, call))
    .replace(/\$(\d)/g, (_, n: string) => captures[Number(n)] ?? '');
}

/** Runs one extension's conditions: the steps it adds, and whether it matched. */
function runExtension(extension: XmlElement, channel: SimulatedChannel | undefined, call: { destination: string; context: string }): { steps: DialplanStep[]; matched: boolean } {
  const steps: DialplanStep[] = [];
  let matched = false;
  for (const condition of extension.children.filter((c) => c.name === 'condition')) {
    const { field, expression } = condition.attributes;
    let captures: string[] = [];
    let pass = true;
    if (field !== undefined && expression !== undefined) {
      const m = new RegExp(expression).exec(fieldValue(field, channel, call));
      pass = m !== null;
      captures = m ? [...m].map((x) => x ?? '') : [];
    }
    const list = condition.children.filter((c) => c.name === (pass ? 'action' : 'anti-action'));
    for (const a of list) steps.push({ app: a.attributes.application ?? '', data: expand(a.attributes.data ?? '', channel, captures, call) });
    const brk = condition.attributes.break ?? 'on-false';
    // An extension runs when a condition passed, or when a failed one brought anti-actions.
    if (pass || list.length > 0) matched = true;
    if (!pass && brk === 'on-false') return { steps, matched };
    if (pass && brk === 'on-true') break;
    if (brk === 'always') break;
  }
  return { steps, matched };
}

/** A parsed XML dialplan: its contexts, routing, and `xml_locate`. */
export class XmlDialplan {
  /** The XML it was parsed from. */
  readonly source: string;
  private readonly contexts = new Map<string, XmlElement>();

  /** Parses a dialplan: a whole `<document>`, a `<section name="dialplan">`, or bare `<context>` elements. */
  constructor(xml: string) {
    this.source = xml;
    for (const context of findElements(parseXml(xml), 'context')) {
      const name = context.attributes.name;
      if (name !== undefined) this.contexts.set(name, context);
    }
  }

  /** The context names, in document order. */
  get contextNames(): string[] {
    return [...this.contexts.keys()];
  }

  /**
   * The steps a call to `destination` in `context` runs: every matching extension's actions up
   * to the first without `continue="true"`; `undefined` when nothing matched.
   */
  readonly route: Dialplan = ({ destination, context, channel }) => {
    const ctx = this.contexts.get(context);
    if (!ctx) return undefined;
    const steps: DialplanStep[] = [];
    let matched = false;
    for (const extension of ctx.children.filter((e) => e.name === 'extension')) {
      const result = runExtension(extension, channel, { destination, context });
      if (!result.matched) continue;
      matched = true;
      steps.push(...result.steps);
      if (extension.attributes.continue !== 'true') break;
    }
    return matched ? steps : undefined;
  };

  /**
   * `xml_locate dialplan context name <ctx>` (or `root`): the element's XML, or FreeSWITCH's
   * `can't find anything`.
   */
  locate(args: string): string {
    const argv = args.split(' ').filter((w) => w !== '');
    if (argv.length === 1 && argv[0]!.toLowerCase() === 'root') return this.source;
    if (argv.length !== 1 && argv.length !== 4) return '-ERR bad args\n';
    const [section, tag, attr, value] = argv;
    if (section !== 'dialplan') return "can't find anything\n";
    if (argv.length === 1) return this.source;
    const context = tag === 'context' && attr === 'name' ? this.contexts.get(value!) : undefined;
    return context ? this.source.slice(context.start, context.end) : "can't find anything\n";
  }
}
