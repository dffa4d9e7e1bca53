/**
 * Tool parameters for Gemini: JSON Schema converted to the OpenAPI subset Gemini's `Schema`
 * accepts (upper-case `type`, `nullable`, `anyOf`, string `enum`...), as Google's SDK does
 * (`processJsonSchema` in js-genai's `_transformers.ts`) and further: keywords Gemini refuses
 * (`additionalProperties`, `$schema`, `const`, `oneOf`, type lists...) used to get the whole
 * setup refused with close 1007. What the subset cannot say (`additionalProperties: false`,
 * `exclusiveMinimum`, `multipleOf`, `not`...) is dropped: the session validates every call's
 * arguments against the full schema anyway, and the model reads the error of a call that breaks it.
 *
 * The output is typed from Google's own `Schema` (a type-only import of `@google/genai`, a dev
 * dependency).
 *
 * @module
 * @internal
 */
import type { Schema, Type } from '@google/genai';
import type { JsonSchema } from '../provider.js';

/** Gemini's `Schema` with its `type` as the string values of Google's `Type` enum. */
export type GeminiSchema = Omit<Schema, 'type' | 'items' | 'properties' | 'anyOf'> & {
  type?: `${Type}`;
  items?: GeminiSchema;
  properties?: Record<string, GeminiSchema>;
  anyOf?: GeminiSchema[];
};

const TYPES: Readonly<Record<string, `${Type}`>> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
};

/** Converts a JSON Schema (what tools declare) to Gemini's schema subset. */
export function toGeminiSchema(schema: JsonSchema): GeminiSchema {
  const out: GeminiSchema = {};
  let s: Record<string, unknown> = { ...schema };
  // anyOf/oneOf with a null member: nullable (Gemini has no null type).
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = s[key];
    if (!Array.isArray(list)) continue;
    const members = (list as JsonSchema[]).filter((m) => m?.type !== 'null');
    if (members.length < list.length) out.nullable = true;
    delete s[key];
    if (members.length === 1) s = { ...members[0], ...s };
    else if (members.length > 1) out.anyOf = members.map(toGeminiSchema);
  }
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf as JsonSchema[]) s = mergeAll(s, part);
    delete s.allOf;
  }
  const type = s.type;
  if (Array.isArray(type)) {
    const types = (type as string[]).filter((t) => t !== 'null');
    if (types.length < type.length) out.nullable = true;
    if (types.length === 1) out.type = TYPES[types[0]!];
    else if (types.length > 1) out.anyOf = types.map((t) => ({ ...(TYPES[t] && { type: TYPES[t] }) }));
  } else if (typeof type === 'string' && TYPES[type]) out.type = TYPES[type];
  if (typeof s.description === 'string') out.description = s.description;
  if (typeof s.title === 'string') out.title = s.title;
  if (s.default !== undefined) out.default = s.default;
  const example = Array.isArray(s.examples) ? s.examples[0] : s.example;
  if (example !== undefined) out.example = example;
  if ('const' in s) enumOf(out, [s.const]);
  if (Array.isArray(s.enum)) enumOf(out, s.enum as unknown[]);
  if (typeof s.format === 'string' && out.format === undefined) out.format = s.format;
  if (typeof s.pattern === 'string') out.pattern = s.pattern;
  for (const key of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'] as const) {
    if (typeof s[key] === 'number') out[key] = String(s[key]);
  }
  for (const key of ['minimum', 'maximum'] as const) if (typeof s[key] === 'number') out[key] = s[key];
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) out.items = toGeminiSchema(s.items as JsonSchema);
  if (s.properties && typeof s.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(s.properties as Record<string, JsonSchema>).map(([k, v]) => [k, toGeminiSchema(v)]));
  }
  if (Array.isArray(s.required) && s.required.length > 0) out.required = [...(s.required as string[])];
  if (out.type === undefined && out.properties) out.type = 'OBJECT';
  return out;
}

/** `enum`/`const`: Gemini's enum lists strings; `null` makes the field nullable; numbers take `format: 'enum'`. */
function enumOf(out: GeminiSchema, values: readonly unknown[]): void {
  if (values.includes(null)) out.nullable = true;
  const rest = values.filter((v) => v !== null);
  if (rest.length === 0) return;
  if (rest.every((v) => typeof v === 'boolean')) {
    out.type ??= 'BOOLEAN';
    return;
  }
  if (rest.some((v) => typeof v === 'number')) {
    out.type ??= rest.every((v) => Number.isInteger(v)) ? 'INTEGER' : 'NUMBER';
    out.format = 'enum';
  } else out.type ??= 'STRING';
  out.enum = rest.map((v) => String(v));
}

/** Shallow merge of an `allOf` member: properties and required are united, the rest overlaid. */
function mergeAll(into: Record<string, unknown>, part: JsonSchema): Record<string, unknown> {
  const properties = { ...(part.properties ?? {}), ...((into.properties as object | undefined) ?? {}) };
  const required = [...new Set([...((into.required as string[] | undefined) ?? []), ...(part.required ?? [])])];
  return { ...part, ...into, ...(Object.keys(properties).length > 0 && { properties }), ...(required.length > 0 && { required }) };
}
