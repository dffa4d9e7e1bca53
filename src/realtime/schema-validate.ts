/**
 * Run-time validation of tool arguments against their whole JSON Schema: `type` (and lists of
 * types), `enum`, `const`, `properties`, `required`, `additionalProperties` (boolean or schema),
 * `items`, `minItems`/`maxItems`/`uniqueItems`, `minLength`/`maxLength` (in code points),
 * `pattern`, `minimum`/`maximum`/`exclusiveMinimum`/`exclusiveMaximum`/`multipleOf`,
 * `minProperties`/`maxProperties`, `anyOf`/`oneOf`/`allOf`/`not`, and OpenAPI's `nullable`.
 * Annotations (`description`, `title`, `default`, `examples`, `format`...) are not checked, as
 * in JSON Schema. Keywords that would need more (`$ref`, `if`/`then`, `patternProperties`...) are
 * refused when a tool is registered ({@link unsupportedKeyword}), so no argument is ever checked
 * against less than its schema says.
 *
 * Why not ajv: it compiles schemas to code (`new Function`) and weighs ~1 MB installed for a
 * job that is a hundred lines for the keywords tools use; these checks run once per tool call,
 * never on the audio path.
 *
 * @module
 */
import type { JsonSchema } from './provider.js';

/** Keywords checked here. */
const CHECKED = new Set([
  'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'uniqueItems',
  'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minProperties', 'maxProperties', 'anyOf', 'oneOf', 'allOf', 'not', 'nullable',
]);

/** Annotations: read by the model, never checked. */
const ANNOTATIONS = new Set([
  '$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'example', 'format', 'deprecated',
  'readOnly', 'writeOnly', 'contentMediaType', 'contentEncoding', 'propertyOrdering', 'strict',
]);

/** The first keyword of `schema` (at any depth) this validator cannot check, with its path; `undefined` when all can be. */
export function unsupportedKeyword(schema: JsonSchema, path = '#'): string | undefined {
  for (const [key, value] of Object.entries(schema)) {
    if (!CHECKED.has(key) && !ANNOTATIONS.has(key)) return `${path}/${key}`;
    if (key === 'pattern' && !compiles(value)) return `${path}/pattern (not a valid regular expression)`;
    const sub = key === 'properties' ? Object.entries((value ?? {}) as Record<string, JsonSchema>).map(([k, v]) => [`${path}/properties/${k}`, v] as const)
      : key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value === 'object') ? [[`${path}/${key}`, value as JsonSchema] as const]
      : key === 'anyOf' || key === 'oneOf' || key === 'allOf' ? (value as JsonSchema[]).map((v, i) => [`${path}/${key}/${i}`, v] as const)
      : [];
    for (const [p, s] of sub) {
      if (s === null || typeof s !== 'object' || Array.isArray(s)) return p;
      const found = unsupportedKeyword(s, p);
      if (found) return found;
    }
  }
  return undefined;
}

function compiles(pattern: unknown): boolean {
  try {
    new RegExp(String(pattern), 'u');
    return typeof pattern === 'string';
  } catch {
    return false;
  }
}

/** The JSON type of a value (`integer` for whole numbers). */
function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(type: string, v: unknown): boolean {
  const actual = typeOf(v);
  return type === actual || (type === 'number' && actual === 'integer');
}

/** JSON equality (what `enum`, `const` and `uniqueItems` compare with). */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/**
 * Checks `value` against `schema`; returns the problems found (`path: what is wrong`), at most
 * `limit`, empty when the value is valid. Paths name the argument, e.g. `items[2].count`.
 */
export function validate(schema: JsonSchema, value: unknown, path = '', limit = 5): string[] {
  const problems: string[] = [];
  check(schema, value, path, problems, limit);
  return problems.slice(0, limit);
}

function check(s: JsonSchema, v: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  const at = path || 'the arguments';
  const fail = (msg: string): void => void out.push(`${at}: ${msg}`);
  if (v === null && s.nullable === true) return;
  const types = s.type === undefined ? undefined : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  if (types && !types.some((t) => typeMatches(t, v))) return fail(`must be ${types.join(' or ')}, not ${typeOf(v)}`);
  if ('const' in s && !equal(s.const, v)) return fail(`must be ${show(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, v))) return fail(`must be one of ${s.enum.map(show).join(', ')}`);
  if (typeof v === 'string') checkString(s, v, fail);
  if (typeof v === 'number') checkNumber(s, v, fail);
  if (Array.isArray(v)) checkArray(s, v, path, out, limit, fail);
  else if (v !== null && typeof v === 'object') checkObject(s, v as Record<string, unknown>, path, out, limit, fail);
  checkCombinators(s, v, path, out, limit, fail);
}

function checkString(s: JsonSchema, v: string, fail: (msg: string) => void): void {
  const length = [...v].length;
  if (typeof s.minLength === 'number' && length < s.minLength) fail(`must be at least ${s.minLength} characters long`);
  if (typeof s.maxLength === 'number' && length > s.maxLength) fail(`must be at most ${s.maxLength} characters long`);
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) fail(`must match ${s.pattern}`);
}

function checkNumber(s: JsonSchema, v: number, fail: (msg: string) => void): void {
  if (typeof s.minimum === 'number' && v < s.minimum) fail(`must be ≥ ${s.minimum}`);
  if (typeof s.maximum === 'number' && v > s.maximum) fail(`must be ≤ ${s.maximum}`);
  if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) fail(`must be > ${s.exclusiveMinimum}`);
  if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) fail(`must be < ${s.exclusiveMaximum}`);
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0 && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9) fail(`must be a multiple of ${s.multipleOf}`);
}

function checkArray(s: JsonSchema, v: unknown[], path: string, out: string[], limit: number, fail: (msg: string) => void): void {
  if (typeof s.minItems === 'number' && v.length < s.minItems) fail(`must have at least ${s.minItems} items`);
  if (typeof s.maxItems === 'number' && v.length > s.maxItems) fail(`must have at most ${s.maxItems} items`);
  if (s.uniqueItems === true && v.some((x, i) => v.findIndex((y) => equal(x, y)) !== i)) fail('must not repeat items');
  if (s.items && typeof s.items === 'object') v.forEach((item, i) => check(s.items!, item, `${path}[${i}]`, out, limit));
}

function checkObject(s: JsonSchema, v: Record<string, unknown>, path: string, out: string[], limit: number, fail: (msg: string) => void): void {
  const keys = Object.keys(v).filter((k) => v[k] !== undefined);
  const name = (k: string): string => (path ? `${path}.${k}` : k);
  for (const key of s.required ?? []) if (v[key] === undefined) out.push(`${name(key)}: is required`);
  if (typeof s.minProperties === 'number' && keys.length < s.minProperties) fail(`must have at least ${s.minProperties} properties`);
  if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) fail(`must have at most ${s.maxProperties} properties`);
  const props = s.properties ?? {};
  for (const key of keys) {
    const sub = Object.hasOwn(props, key) ? props[key] : undefined;
    if (sub) check(sub, v[key], name(key), out, limit);
    else if (s.additionalProperties === false) out.push(`${name(key)}: is not an argument of this tool`);
    else if (s.additionalProperties && typeof s.additionalProperties === 'object') check(s.additionalProperties as JsonSchema, v[key], name(key), out, limit);
  }
}

function checkCombinators(s: JsonSchema, v: unknown, path: string, out: string[], limit: number, fail: (msg: string) => void): void {
  const passes = (sub: JsonSchema): boolean => validate(sub, v, path, 1).length === 0;
  if (Array.isArray(s.allOf)) for (const sub of s.allOf as JsonSchema[]) check(sub, v, path, out, limit);
  if (Array.isArray(s.anyOf) && !(s.anyOf as JsonSchema[]).some(passes)) fail('matches none of the allowed forms');
  if (Array.isArray(s.oneOf)) {
    const n = (s.oneOf as JsonSchema[]).filter(passes).length;
    if (n !== 1) fail(n === 0 ? 'matches none of the allowed forms' : 'matches more than one of the exclusive forms');
  }
  if (s.not && typeof s.not === 'object' && passes(s.not as JsonSchema)) fail('is a value this argument must not take');
}
