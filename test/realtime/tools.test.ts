import { describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { ConfigError } from '../../src/errors.js';
import { validate } from '../../src/realtime/schema-validate.js';
import { type ToolContext, ToolRegistry, defineTool, hangupCallTool, schema, transferCallTool } from '../../src/realtime/tools.js';

const context: ToolContext = { call: {} as OutboundCall, signal: new AbortController().signal, afterSpeech: () => {}, hangupAfterSpeech: () => {} };

const order = schema.object({
  sku: schema.string({ pattern: '^[A-Z]{3}-\\d{3}$' }),
  count: schema.integer({ minimum: 1, maximum: 10 }),
  unit: schema.enum(['box', 'pallet']),
  gift: schema.optional(schema.boolean()),
  weightKg: schema.optional(schema.number({ exclusiveMinimum: 0, multipleOf: 0.5 })),
  tags: schema.optional(schema.array(schema.string({ minLength: 2, maxLength: 8 }), { maxItems: 3, uniqueItems: true })),
  ship: schema.object({ city: schema.string(), zip: schema.optional(schema.string()) }),
  note: schema.optional(schema.nullable(schema.string())),
});

describe('the schema builder', () => {
  it('writes plain JSON Schema: required from what is not optional, no unknown properties by default', () => {
    expect(JSON.parse(JSON.stringify(schema.object({ a: schema.string({ description: 'A' }), b: schema.optional(schema.integer()) })))).toEqual({
      type: 'object',
      properties: { a: { type: 'string', description: 'A' }, b: { type: 'integer' } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(schema.nullable(schema.enum(['x', 'y']))).toEqual({ type: ['string', 'null'], enum: ['x', 'y', null] });
    expect(schema.nullable(schema.object({}))).toEqual({ type: ['object', 'null'], properties: {}, additionalProperties: false });
    expect(schema.anyOf(schema.string(), schema.literal(3))).toEqual({ anyOf: [{ type: 'string' }, { const: 3 }] });
    expect(schema.object({}, { additionalProperties: true, description: 'd' })).toEqual({ type: 'object', properties: {}, additionalProperties: true, description: 'd' });
  });
});

describe('argument validation against the whole schema', () => {
  const good = { sku: 'ABC-123', count: 2, unit: 'box', ship: { city: 'Lisbon' } };

  it('accepts what the schema allows', () => {
    expect(validate(order, good)).toEqual([]);
    expect(validate(order, { ...good, gift: true, weightKg: 2.5, tags: ['red', 'big'], ship: { city: 'Porto', zip: '4000' }, note: null })).toEqual([]);
  });

  it('types, integers, enums, patterns', () => {
    expect(validate(order, { ...good, count: '2' })).toEqual(['count: must be integer, not string']);
    expect(validate(order, { ...good, count: 2.5 })).toEqual(['count: must be integer, not number']);
    expect(validate(order, { ...good, unit: 'crate' })).toEqual(['unit: must be one of "box", "pallet"']);
    expect(validate(order, { ...good, sku: 'abc-123' })).toEqual(['sku: must match ^[A-Z]{3}-\\d{3}$']);
    expect(validate(order, [])).toEqual(['the arguments: must be object, not array']);
  });

  it('ranges: minimum, maximum, exclusive bounds, multipleOf', () => {
    expect(validate(order, { ...good, count: 0 })).toEqual(['count: must be ≥ 1']);
    expect(validate(order, { ...good, count: 11 })).toEqual(['count: must be ≤ 10']);
    expect(validate(order, { ...good, weightKg: 0 })).toEqual(['weightKg: must be > 0']);
    expect(validate(order, { ...good, weightKg: 0.7 })).toEqual(['weightKg: must be a multiple of 0.5']);
  });

  it('nested objects and arrays, with paths; required; unknown properties; lengths; uniqueness', () => {
    expect(validate(order, { ...good, ship: {} })).toEqual(['ship.city: is required']);
    expect(validate(order, { ...good, ship: { city: 'Lisbon', country: 'PT' } })).toEqual(['ship.country: is not an argument of this tool']);
    expect(validate(order, { ...good, tags: ['a', 'long-enough-no', 'ok'] })).toEqual(['tags[0]: must be at least 2 characters long', 'tags[1]: must be at most 8 characters long']);
    expect(validate(order, { ...good, tags: ['ab', 'ab'] })).toEqual(['tags: must not repeat items']);
    expect(validate(order, { ...good, tags: ['ab', 'cd', 'ef', 'gh'] })).toEqual(['tags: must have at most 3 items']);
    expect(validate(order, { sku: 'ABC-123' })).toEqual(['count: is required', 'unit: is required', 'ship: is required']);
    expect(validate(order, { ...good, invented: 1 })).toEqual(['invented: is not an argument of this tool']);
    expect(validate(order, { ...good, note: 5 })).toEqual(['note: must be string or null, not integer']);
  });

  it('lengths count characters, not UTF-16 units', () => {
    expect(validate(schema.string({ maxLength: 2 }), '😀😀')).toEqual([]);
  });

  it('anyOf, oneOf, allOf, not, const, additionalProperties as a schema, nullable (OpenAPI)', () => {
    expect(validate({ anyOf: [{ type: 'string' }, { type: 'integer' }] }, 1.5)).toEqual(['the arguments: matches none of the allowed forms']);
    expect(validate({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 3)).toEqual(['the arguments: matches more than one of the exclusive forms']);
    expect(validate({ allOf: [{ minimum: 2 }, { maximum: 4 }] }, 5)).toEqual(['the arguments: must be ≤ 4']);
    expect(validate({ not: { const: 'admin' } }, 'admin')).toEqual(['the arguments: is a value this argument must not take']);
    expect(validate({ type: 'object', additionalProperties: { type: 'integer' } }, { a: 1, b: 'x' })).toEqual(['b: must be integer, not string']);
    expect(validate({ type: 'string', nullable: true }, null)).toEqual([]);
    expect(validate({ const: { a: [1, 2] } }, { a: [1, 2] })).toEqual([]);
  });
});

describe('ToolRegistry', () => {
  it('runs a handler only with valid arguments; otherwise the model gets every problem to fix', async () => {
    let ran = 0;
    const registry = new ToolRegistry([defineTool({ name: 'order', description: 'Order', parameters: order, handler: () => ++ran })]);
    expect(await registry.run('order', { sku: 'ABC-123', count: 99, unit: 'crate', ship: {} }, context)).toEqual({
      error: 'invalid arguments: count: must be ≤ 10; unit: must be one of "box", "pallet"; ship.city: is required',
    });
    expect(ran).toBe(0);
    expect(await registry.run('order', { sku: 'ABC-123', count: 1, unit: 'box', ship: { city: 'X' } }, context)).toBe(1);
    expect(await registry.run('nope', {}, context)).toEqual({ error: 'unknown tool nope' });
  });

  it('refuses at registration what it could not validate, a non-object schema, a bad name, a bad pattern', () => {
    const tool = (parameters: object, name = 't') => defineTool({ name, description: 'd', parameters: parameters as never, handler: () => 0 });
    expect(() => new ToolRegistry([tool({ type: 'object', properties: { a: { $ref: '#/$defs/x' } } })])).toThrow(ConfigError);
    expect(() => new ToolRegistry([tool({ type: 'object', properties: { a: { $ref: '#/$defs/x' } } })])).toThrow(/#\/properties\/a\/\$ref/);
    expect(() => new ToolRegistry([tool({ type: 'object', if: {} })])).toThrow(/#\/if/);
    expect(() => new ToolRegistry([tool({ type: 'string' })])).toThrow(/type "object"/);
    expect(() => new ToolRegistry([tool({ type: 'object' }, 'bad name')])).toThrow(ConfigError);
    expect(() => new ToolRegistry([tool({ type: 'object', properties: { a: { type: 'string', pattern: '(' } } })])).toThrow(/not a valid regular expression/);
    // Annotations and format are fine.
    expect(() => new ToolRegistry([tool({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', title: 'T', properties: { d: { type: 'string', format: 'date-time', examples: ['x'] } } })])).not.toThrow();
  });

  it('the built-in tools declare schemas that validate what they expect', async () => {
    const registry = new ToolRegistry([transferCallTool({ allowed: ['1001'] }), hangupCallTool()]);
    expect(registry.definitions().map((d) => d.parameters)).toEqual([
      {
        type: 'object',
        properties: { destination: { type: 'string', description: 'The extension number to transfer to.' }, reason: { type: 'string', description: 'Why, in a few words (for the log).' } },
        required: ['destination'],
        additionalProperties: false,
      },
      { type: 'object', properties: { reason: { type: 'string', description: 'Why, in a few words (for the log).' } }, additionalProperties: false },
    ]);
    expect(await registry.run('transfer_call', { destination: 1001 }, context)).toEqual({ error: 'invalid arguments: destination: must be string, not integer' });
    const actions: string[] = [];
    const ctx: ToolContext = { ...context, afterSpeech: (_a, o) => actions.push(`after:${o?.endSession}`), hangupAfterSpeech: (c) => actions.push(`hangup:${c}`) };
    expect(await registry.run('transfer_call', { destination: '1001' }, ctx)).toMatchObject({ transferring: '1001' });
    expect(await registry.run('hangup_call', {}, ctx)).toMatchObject({ ok: true });
    expect(actions).toEqual(['after:transferred', 'hangup:NORMAL_CLEARING']);
  });
});
