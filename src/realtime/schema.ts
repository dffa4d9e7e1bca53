/**
 * Typed tool parameters: a small builder whose values are plain JSON Schema (what every vendor
 * takes) and whose TypeScript type is the arguments it describes, so a tool's handler is typed
 * from its schema and cannot disagree with it. A JSON Schema written as an object literal is
 * typed too ({@link FromJsonSchema}), for the keywords that decide a type.
 *
 * ```ts
 * const parameters = schema.object({
 *   for: schema.string({ description: 'Who the message is for.' }),
 *   urgency: schema.enum(['low', 'high']),
 *   callback: schema.optional(schema.string({ pattern: '^\\+?[0-9]{6,15}$' })),
 * });
 * // Infer<typeof parameters> is { for: string; urgency: 'low' | 'high'; callback?: string }
 * ```
 *
 * Why our own and not zod: a tool's schema must be JSON Schema on the wire (OpenAI), convertible
 * to Gemini's subset, and validated at run time exactly as sent; a builder that *is* JSON Schema
 * gives all three with no conversion step, no dependency (zod 4 is ~60 kB minified, its JSON
 * Schema output a separate pass) and the same types. Schemas from zod's `z.toJSONSchema()` or any
 * other generator are accepted as plain JSON Schema.
 *
 * @module
 */
import type { JsonSchema } from './provider.js';

declare const TYPE: unique symbol;
declare const OPTIONAL: unique symbol;

/** A JSON Schema that carries the TypeScript type `T` of the values it accepts (a type-level mark only). */
export type Schema<T> = JsonSchema & { readonly [TYPE]?: T };

/** A property schema {@link schema.optional} marked as not required. */
export type OptionalSchema<T> = Schema<T> & { readonly [OPTIONAL]: true };

/** Annotations every builder accepts. */
export interface SchemaAnnotations {
  /** What the value means: the model reads it. */
  readonly description?: string;
  /** A short title. */
  readonly title?: string;
  /** Example values. */
  readonly examples?: readonly unknown[];
}

/** Options of {@link schema.string}. */
export interface StringOptions extends SchemaAnnotations {
  /** Fewest characters. */
  readonly minLength?: number;
  /** Most characters. */
  readonly maxLength?: number;
  /** A regular expression (ECMAScript, `u` flag) the whole value must match somewhere. */
  readonly pattern?: string;
  /** A format hint for the model (`date-time`, `email`...): not validated, as JSON Schema's default. */
  readonly format?: string;
}

/** Options of {@link schema.number} and {@link schema.integer}. */
export interface NumberOptions extends SchemaAnnotations {
  /** Smallest value allowed. */
  readonly minimum?: number;
  /** Largest value allowed. */
  readonly maximum?: number;
  /** Values must be above this. */
  readonly exclusiveMinimum?: number;
  /** Values must be below this. */
  readonly exclusiveMaximum?: number;
  /** Values must be a multiple of this. */
  readonly multipleOf?: number;
}

/** Options of {@link schema.array}. */
export interface ArrayOptions extends SchemaAnnotations {
  /** Fewest items. */
  readonly minItems?: number;
  /** Most items. */
  readonly maxItems?: number;
  /** No two items equal. */
  readonly uniqueItems?: boolean;
}

/** Options of {@link schema.object}. */
export interface ObjectOptions extends SchemaAnnotations {
  /** Accept properties not listed (default `false`: a model's invented argument is an error it can read). */
  readonly additionalProperties?: boolean;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type of a schema: from the builder's mark, or read from a JSON Schema literal. */
export type Infer<S> = S extends { readonly [TYPE]?: infer T } ? (unknown extends T ? FromJsonSchema<S> : T) : FromJsonSchema<S>;

type ObjectOf<P extends Record<string, unknown>> = Simplify<
  { -readonly [K in keyof P as P[K] extends OptionalSchema<unknown> ? never : K]: Infer<P[K]> } & {
    -readonly [K in keyof P as P[K] extends OptionalSchema<unknown> ? K : never]?: Infer<P[K]>;
  }
>;

/** The TypeScript type of a JSON Schema `type` name (`'string'` → `string`, `'integer'` → `number`, ...). */
export type Primitive<T> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? unknown[]
          : T extends 'object'
            ? Record<string, unknown>
            : unknown;

/** The object type of a JSON Schema literal's `properties` `P`: keys in its `required` are required, the rest optional. */
export type PropertiesOf<S, P> = (S extends { readonly required: readonly (infer R)[] } ? R : never) extends infer Required
  ? (
      { -readonly [K in keyof P as K extends Required ? K : never]: FromJsonSchema<P[K]> } & {
        -readonly [K in keyof P as K extends Required ? never : K]?: FromJsonSchema<P[K]>;
      }
    ) extends infer O
    ? { [K in keyof O]: O[K] }
    : never
  : never;

/**
 * The type a JSON Schema literal describes (`const` type parameters keep literals exact): `const`,
 * `enum`, `anyOf`/`oneOf`, `type` (or a list of types), `properties` with `required`, `items`.
 * Anything else is `unknown`.
 */
export type FromJsonSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly anyOf: readonly (infer A)[] }
      ? FromJsonSchema<A>
      : S extends { readonly oneOf: readonly (infer A)[] }
        ? FromJsonSchema<A>
        : S extends { readonly type: readonly (infer T)[] }
          ? FromJsonSchema<Omit<S, 'type'> & { readonly type: T }>
          : S extends { readonly type: 'object'; readonly properties: infer P }
            ? PropertiesOf<S, P>
            : S extends { readonly type: 'array'; readonly items: infer I }
              ? FromJsonSchema<I>[]
              : S extends { readonly type: infer T }
                ? Primitive<T>
                : unknown;

const optionals = new WeakSet<object>();

const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The schema builder. Every value it returns is a plain JSON Schema object. */
export const schema = {
  /** A string. */
  string(options: StringOptions = {}): Schema<string> {
    return clean({ type: 'string', ...options });
  },
  /** A number. */
  number(options: NumberOptions = {}): Schema<number> {
    return clean({ type: 'number', ...options });
  },
  /** An integer. */
  integer(options: NumberOptions = {}): Schema<number> {
    return clean({ type: 'integer', ...options });
  },
  /** `true` or `false`. */
  boolean(options: SchemaAnnotations = {}): Schema<boolean> {
    return clean({ type: 'boolean', ...options });
  },
  /** One of the given strings (or numbers). */
  enum<const V extends readonly [string, ...string[]] | readonly [number, ...number[]]>(values: V, options: SchemaAnnotations = {}): Schema<V[number]> {
    return clean({ type: typeof values[0] === 'number' ? 'number' : 'string', enum: [...values], ...options });
  },
  /** Exactly this value. */
  literal<const V extends string | number | boolean>(value: V, options: SchemaAnnotations = {}): Schema<V> {
    return clean({ const: value, ...options });
  },
  /** An array of `items`. */
  array<T>(items: Schema<T>, options: ArrayOptions = {}): Schema<T[]> {
    return clean({ type: 'array', items, ...options });
  },
  /**
   * An object with these properties, all required unless marked {@link schema.optional};
   * others are refused unless `additionalProperties: true`.
   */
  object<const P extends Record<string, Schema<unknown>>>(properties: P, options: ObjectOptions = {}): Schema<ObjectOf<P>> {
    const required = Object.keys(properties).filter((k) => !optionals.has(properties[k]!));
    return clean({ type: 'object', properties: { ...properties }, ...(required.length > 0 && { required }), additionalProperties: options.additionalProperties ?? false, description: options.description, title: options.title, examples: options.examples });
  },
  /** A property that may be left out (in {@link schema.object}). */
  optional<T>(inner: Schema<T>): OptionalSchema<T> {
    const copy = { ...inner };
    optionals.add(copy);
    return copy as OptionalSchema<T>;
  },
  /** The value, or `null`. */
  nullable<T>(inner: Schema<T>): Schema<T | null> {
    const type = inner.type;
    if (typeof type === 'string') {
      return { ...inner, type: [type, 'null'], ...(Array.isArray(inner.enum) && { enum: [...inner.enum, null] }) } as Schema<T | null>;
    }
    return { anyOf: [inner, { type: 'null' }] } as Schema<T | null>;
  },
  /** Any one of the given schemas. */
  anyOf<const S extends readonly Schema<unknown>[]>(...schemas: S): Schema<Infer<S[number]>> {
    return { anyOf: [...schemas] } as Schema<Infer<S[number]>>;
  },
};
