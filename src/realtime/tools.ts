/**
 * Tools the model may call during a call: definitions whose handler is typed from their JSON
 * Schema parameters ({@link defineTool}, with the `schema` builder or a JSON Schema literal), a
 * registry that validates every call's arguments against the whole schema before a handler
 * runs, and the built-ins `transfer_call` and `hangup_call`.
 *
 * @module
 */
import type { OutboundCall } from '../esl/outbound-call.js';
import { ConfigError } from '../errors.js';
import type { JsonSchema, ToolDefinition } from './provider.js';
import { type Infer, schema } from './schema.js';
import { unsupportedKeyword, validate } from './schema-validate.js';

export { schema, type Infer, type Schema, type OptionalSchema, type FromJsonSchema, type PropertiesOf, type Primitive } from './schema.js';
export type { StringOptions, NumberOptions, ArrayOptions, ObjectOptions, SchemaAnnotations } from './schema.js';

/** Options of {@link ToolContext.afterSpeech}. */
export interface AfterSpeechOptions {
  /** End the session once the action has run: `tool-hangup` (hanging up) or `transferred` (the call left). */
  readonly endSession?: 'tool-hangup' | 'transferred';
}

/** What a tool handler can reach. */
export interface ToolContext {
  /** The call. */
  readonly call: OutboundCall;
  /**
   * Aborted when the answer that called the tool is interrupted, the vendor withdraws the call,
   * or the call ends.
   */
  readonly signal: AbortSignal;
  /**
   * Runs `action` once the tool's result has been sent and the assistant has finished speaking
   * (its farewell played out to the caller, including an answer to the result), then ends the
   * session when asked. What side-effect tools (`hangup_call`, `transfer_call`) use; a barge-in
   * before then cancels the action, as it cancels the answer.
   */
  afterSpeech(action: () => unknown, options?: AfterSpeechOptions): void;
  /** Hangs up with `cause` once the assistant has finished speaking (`afterSpeech` with `endSession: 'tool-hangup'`). */
  hangupAfterSpeech(cause?: string): void;
}

/** A tool: its definition for the model, and the code that runs it. */
export interface Tool<Args = Record<string, unknown>> extends ToolDefinition {
  /**
   * Runs the tool with arguments already validated against `parameters`; the result goes back
   * to the model as JSON. Throwing sends `{ error }` instead.
   */
  readonly handler: (args: Args, context: ToolContext) => unknown;
}

/** What {@link defineTool} takes: the handler's arguments are the type `parameters` describes. */
export interface ToolDeclaration<P extends JsonSchema> extends ToolDefinition {
  /** The arguments' JSON Schema (a `schema` builder value or a literal): the handler's argument type comes from it. */
  readonly parameters: P;
  /** Runs the tool with arguments validated against {@link ToolDeclaration.parameters}; the result goes back to the model as JSON. */
  readonly handler: (args: Infer<P>, context: ToolContext) => unknown;
}

/**
 * Declares a tool whose handler's argument type comes from its parameters: a `schema` builder
 * value or a JSON Schema object literal. A handler typed for other arguments does not compile.
 *
 * ```ts
 * const refund = defineTool({
 *   name: 'refund',
 *   description: 'Refund an order',
 *   parameters: schema.object({ order: schema.string(), cents: schema.integer({ minimum: 1 }) }),
 *   handler: ({ order, cents }) => payments.refund(order, cents), // order: string, cents: number
 * });
 * ```
 */
export function defineTool<const P extends JsonSchema>(tool: ToolDeclaration<P>): Tool<Infer<P>> {
  return tool;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Tools by name. */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: readonly Tool<never>[] = []) {
    for (const t of tools) this.add(t);
  }

  /**
   * Adds a tool; a second tool of the same name replaces the first.
   *
   * @throws {@link ConfigError} for a bad name, parameters that are not an object schema, or a
   *   schema keyword the validator cannot check (`$ref`, `if`, `patternProperties`...).
   */
  add<Args>(tool: Tool<Args>): this {
    const where = `tools.${tool.name}`;
    if (!NAME.test(tool.name)) throw new ConfigError(`tool name "${tool.name}" must match ${NAME}`, `${where}.name`, tool.name);
    if (tool.parameters?.type !== 'object') throw new ConfigError(`the parameters of tool ${tool.name} must be a JSON Schema with type "object"`, `${where}.parameters`);
    const unsupported = unsupportedKeyword(tool.parameters);
    if (unsupported) throw new ConfigError(`tool ${tool.name}: the schema keyword ${unsupported} cannot be checked; its arguments would not be validated`, `${where}.parameters`, unsupported);
    this.tools.set(tool.name, tool as unknown as Tool);
    return this;
  }

  /** Replaces every tool with `tools` (checked first: on an error nothing changes). */
  replace(tools: readonly Tool<never>[]): this {
    const next = new ToolRegistry(tools);
    this.tools.clear();
    for (const [name, tool] of next.tools) this.tools.set(name, tool);
    return this;
  }

  /** The definitions to give the model. */
  definitions(): ToolDefinition[] {
    return [...this.tools.values()].map(({ name, description, parameters }) => ({ name, description, parameters }));
  }

  /**
   * Runs a tool call. Never throws: an unknown tool, bad arguments or a failing handler become
   * `{ error: '...' }`, which the model can read and recover from.
   */
  async run(name: string, args: Record<string, unknown>, context: ToolContext): Promise<unknown> {
    const tool = this.tools.get(name);
    if (!tool) return { error: `unknown tool ${name}` };
    const problems = validate(tool.parameters, args);
    if (problems.length > 0) return { error: `invalid arguments: ${problems.join('; ')}` };
    try {
      const result = await tool.handler(args, context);
      return result === undefined ? { ok: true } : result;
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** Options of {@link transferCallTool}. */
export interface TransferCallOptions {
  /** Destinations the model may transfer to (extensions); anything else is refused. Default: any 2-6 digit extension. */
  allowed?: readonly string[] | RegExp;
  /** Dialplan context. Default: the call's own. */
  context?: string;
}

/**
 * `transfer_call`: sends the caller to an extension (`uuid_transfer` over the call's socket) once
 * the assistant has finished speaking; a destination outside `allowed` is refused to the model.
 */
export function transferCallTool(options: TransferCallOptions = {}): Tool<{ destination: string; reason?: string }> {
  const allowed = options.allowed ?? /^\d{2,6}$/;
  return defineTool({
    name: 'transfer_call',
    description: 'Transfer the caller to another extension (a person or department) when they ask for it or you cannot help.',
    parameters: schema.object({
      destination: schema.string({ description: 'The extension number to transfer to.' }),
      reason: schema.optional(schema.string({ description: 'Why, in a few words (for the log).' })),
    }),
    handler({ destination }, { call, afterSpeech }) {
      const ok = allowed instanceof RegExp ? allowed.test(destination) : allowed.includes(destination);
      if (!ok) return { error: `transfer to ${destination} is not allowed` };
      // The caller hears the assistant's last words, then the call leaves for the extension.
      afterSpeech(() => call.transfer(destination, 'XML', options.context ?? call.channel.context ?? 'default'), { endSession: 'transferred' });
      return { transferring: destination, note: 'The call is transferred when you finish speaking.' };
    },
  });
}

/** `hangup_call`: ends the call once the assistant's goodbye has played out. */
export function hangupCallTool(): Tool<{ reason?: string }> {
  return defineTool({
    name: 'hangup_call',
    description: 'End the call after saying goodbye, when the conversation is over.',
    parameters: schema.object({ reason: schema.optional(schema.string({ description: 'Why, in a few words (for the log).' })) }),
    handler(_args, { hangupAfterSpeech }) {
      hangupAfterSpeech('NORMAL_CLEARING');
      return { ok: true, note: 'The call ends when you finish speaking.' };
    },
  });
}
