/**
 * Tools the model may call during a call: typed definitions with JSON-schema parameters, a
 * registry, and the built-ins `transfer_call` and `hangup_call`.
 *
 * @module
 */
import type { OutboundCall } from '../esl/outbound-call.js';
import type { JsonSchema, ToolDefinition } from './provider.js';

/** What a tool handler can reach. */
export interface ToolContext {
  /** The call. */
  readonly call: OutboundCall;
  /** Aborted when the answer that called the tool is interrupted or the call ends. */
  readonly signal: AbortSignal;
  /** Hangs up once the assistant has finished speaking (what `hangup_call` uses). */
  hangupAfterSpeech(cause?: string): void;
}

/** A tool: its definition for the model, and the code that runs it. */
export interface Tool<Args = Record<string, unknown>> extends ToolDefinition {
  /** Runs the tool; the result goes back to the model as JSON. Throwing sends `{ error }` instead. */
  handler(args: Args, context: ToolContext): unknown;
}

/** Declares a tool (a typed identity function, for inference). */
export function defineTool<Args = Record<string, unknown>>(tool: Tool<Args>): Tool<Args> {
  return tool;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Tools by name. */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: readonly Tool<never>[] = []) {
    for (const t of tools) this.add(t);
  }

  /** Adds a tool; a second tool of the same name replaces the first. */
  add<Args>(tool: Tool<Args>): this {
    if (!NAME.test(tool.name)) throw new RangeError(`tool name "${tool.name}" must match ${NAME}`);
    this.tools.set(tool.name, tool as unknown as Tool);
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
    const problem = checkArgs(tool.parameters, args);
    if (problem) return { error: problem };
    try {
      const result = await tool.handler(args, context);
      return result === undefined ? { ok: true } : result;
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** The required properties and their primitive types: enough to reject what a model gets wrong. */
function checkArgs(schema: JsonSchema, args: Record<string, unknown>): string | undefined {
  for (const key of schema.required ?? []) if (args[key] === undefined) return `missing argument "${key}"`;
  for (const [key, value] of Object.entries(args)) {
    const type = schema.properties?.[key]?.type;
    if (typeof type !== 'string' || value === undefined) continue;
    const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    const ok = type === actual || (type === 'integer' && Number.isInteger(value)) || (type === 'number' && actual === 'number');
    if (!ok) return `argument "${key}" must be ${type}`;
  }
  return undefined;
}

/** Options of {@link transferCallTool}. */
export interface TransferCallOptions {
  /** Destinations the model may transfer to (extensions); anything else is refused. Default: any 2-6 digit extension. */
  allowed?: readonly string[] | RegExp;
  /** Dialplan context. Default: the call's own. */
  context?: string;
}

/** `transfer_call`: sends the caller to an extension (`uuid_transfer` over the call's socket). */
export function transferCallTool(options: TransferCallOptions = {}): Tool<{ destination: string; reason?: string }> {
  const allowed = options.allowed ?? /^\d{2,6}$/;
  return {
    name: 'transfer_call',
    description: 'Transfer the caller to another extension (a person or department) when they ask for it or you cannot help.',
    parameters: {
      type: 'object',
      properties: {
        destination: { type: 'string', description: 'The extension number to transfer to.' },
        reason: { type: 'string', description: 'Why, in a few words (for the log).' },
      },
      required: ['destination'],
    },
    async handler({ destination }, { call }) {
      const ok = allowed instanceof RegExp ? allowed.test(destination) : allowed.includes(destination);
      if (!ok) return { error: `transfer to ${destination} is not allowed` };
      await call.transfer(destination, 'XML', options.context ?? call.channel.context ?? 'default');
      return { transferred: destination };
    },
  };
}

/** `hangup_call`: ends the call once the assistant has said goodbye. */
export function hangupCallTool(): Tool<{ reason?: string }> {
  return {
    name: 'hangup_call',
    description: 'End the call after saying goodbye, when the conversation is over.',
    parameters: { type: 'object', properties: { reason: { type: 'string' } } },
    handler(_args, { hangupAfterSpeech }) {
      hangupAfterSpeech('NORMAL_CLEARING');
      return { ok: true };
    },
  };
}
