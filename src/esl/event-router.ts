import { EslTimeoutError } from '../errors.js';
import type { EslEvent } from './event.js';

/** A handler of events. */
export type EventHandler = (event: EslEvent) => void;

/** Which events a handler, waiter or stream wants. */
export interface EventSelector {
  /**
   * Event names (`CHANNEL_ANSWER`), `CUSTOM` subclasses (`sofia::register`), or `*` for all.
   * Default: all.
   */
  names?: string | readonly string[];
  /** Only events of this channel (`Unique-ID`). */
  uuid?: string;
  /** A further test. */
  filter?: (event: EslEvent) => boolean;
}

/** Options of {@link EventRouter.waitFor}. */
export interface WaitForEventOptions extends EventSelector {
  /** Give up after this many ms with {@link EslTimeoutError} (default: wait forever). */
  timeout?: number;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
}

/** Options of {@link EventRouter.stream}. */
export interface EventStreamOptions extends EventSelector {
  /** Ends the stream. */
  signal?: AbortSignal;
  /**
   * Most events held for a slow consumer (default 10 000). Past it the oldest is dropped and
   * counted in {@link EventStream.dropped}: the socket is never held back by a consumer.
   */
  maxQueue?: number;
}

interface Registration {
  readonly id: number;
  readonly keys: readonly string[];
  readonly uuid: string | undefined;
  readonly filter: ((event: EslEvent) => boolean) | undefined;
  readonly handler: EventHandler;
}

const ALL = '*';

function keysOf(names: string | readonly string[] | undefined): readonly string[] {
  if (names === undefined) return [ALL];
  const list = typeof names === 'string' ? [names] : names;
  return list.length === 0 ? [ALL] : list;
}

/**
 * Routes decoded events to handlers by name (or `CUSTOM` subclass) and channel uuid.
 * Handlers run synchronously in registration order; one that throws is reported through
 * `onHandlerError` and the others still run.
 *
 * @events FreeSWITCH's events by name (`CHANNEL_ANSWER`, a `CUSTOM` subclass such as
 * `sofia::register`, or `ALL`), each handler given the {@link EslEvent}; `on` returns the id
 * `off` takes.
 */
export class EventRouter {
  private readonly byKey = new Map<string, Set<Registration>>();
  private readonly byId = new Map<number, Registration>();
  private readonly streams = new Set<EventStream>();
  private readonly waiters = new Set<(error: Error) => void>();
  private nextId = 1;

  constructor(private readonly onHandlerError: (error: unknown, event: EslEvent) => void = () => {}) {}

  /** Number of registered handlers (including waiters and streams). */
  get size(): number {
    return this.byId.size;
  }

  /** Registers a handler; returns an id for {@link EventRouter.off}. */
  on(selector: EventSelector, handler: EventHandler): number {
    const reg: Registration = {
      id: this.nextId++,
      keys: keysOf(selector.names),
      uuid: selector.uuid,
      filter: selector.filter,
      handler,
    };
    this.byId.set(reg.id, reg);
    for (const key of reg.keys) {
      let set = this.byKey.get(key);
      if (!set) this.byKey.set(key, (set = new Set()));
      set.add(reg);
    }
    return reg.id;
  }

  /** Removes a handler. Returns whether it was registered. */
  off(id: number): boolean {
    const reg = this.byId.get(id);
    if (!reg) return false;
    this.byId.delete(id);
    for (const key of reg.keys) {
      const set = this.byKey.get(key);
      set?.delete(reg);
      if (set?.size === 0) this.byKey.delete(key);
    }
    return true;
  }

  /** Delivers an event to every matching handler. */
  dispatch(event: EslEvent): void {
    if (this.byId.size === 0) return;
    const name = event.name;
    const subclass = name === 'CUSTOM' ? event.subclass : undefined;
    const matched: Registration[] = [];
    this.collect(name, matched);
    if (subclass !== undefined) this.collect(subclass, matched);
    this.collect(ALL, matched);
    if (matched.length === 0) return;
    if (matched.length > 1) matched.sort((a, b) => a.id - b.id);
    let uuid: string | undefined;
    let uuidRead = false;
    for (const reg of matched) {
      if (reg.uuid !== undefined) {
        if (!uuidRead) {
          uuid = event.uuid;
          uuidRead = true;
        }
        if (reg.uuid !== uuid) continue;
      }
      try {
        if (reg.filter && !reg.filter(event)) continue;
        reg.handler(event);
      } catch (error) {
        this.onHandlerError(error, event);
      }
    }
  }

  /** Resolves with the first matching event. */
  waitFor(options: WaitForEventOptions = {}): Promise<EslEvent> {
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<EslEvent>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        this.waiters.delete(fail);
        this.off(id);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onAbort = (): void => fail(signal!.reason as Error);
      this.waiters.add(fail);
      const id = this.on(options, (event) => {
        cleanup();
        resolve(event);
      });
      if (timeout !== undefined && timeout > 0 && Number.isFinite(timeout)) {
        timer = setTimeout(() => {
          cleanup();
          const names = keysOf(options.names).join(', ');
          reject(new EslTimeoutError(`no ${names} event${options.uuid ? ` for ${options.uuid}` : ''} within ${timeout} ms`, timeout));
        }, timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** An async iterator over matching events; see {@link EventStream}. */
  stream(options: EventStreamOptions = {}): EventStream {
    const stream = new EventStream(this, options, () => this.streams.delete(stream));
    this.streams.add(stream);
    return stream;
  }

  /**
   * Ends what waits on this router: every stream ends, every waiter rejects with `error`.
   * Handlers registered with {@link EventRouter.on} stay (they outlive a reconnect).
   */
  shutdown(error: Error): void {
    for (const stream of [...this.streams]) stream.close();
    for (const fail of [...this.waiters]) fail(error);
  }

  /** Removes every handler, waiter and stream. */
  clear(error: Error): void {
    this.shutdown(error);
    this.byId.clear();
    this.byKey.clear();
  }

  private collect(key: string, into: Registration[]): void {
    const set = this.byKey.get(key);
    if (set) for (const reg of set) into.push(reg);
  }
}

/**
 * A stream of events for `for await`. Buffers up to `maxQueue` events for a slow consumer
 * (dropping the oldest past that, counted in {@link EventStream.dropped}). Ends when its signal
 * aborts, when {@link EventStream.close} is called, or when the loop breaks.
 */
export class EventStream implements AsyncIterableIterator<EslEvent> {
  /** Events dropped because the consumer fell more than `maxQueue` behind. */
  dropped = 0;
  private readonly queue: EslEvent[] = [];
  private readonly maxQueue: number;
  private waiter: ((result: IteratorResult<EslEvent>) => void) | undefined;
  private done = false;
  private readonly id: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.close();

  constructor(
    private readonly router: EventRouter,
    options: EventStreamOptions,
    private readonly onClose: () => void = () => {},
  ) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.signal = options.signal;
    this.id = router.on(options, (event) => this.push(event));
    if (this.signal?.aborted) this.close();
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Ends the stream: pending and later `next()` calls resolve `done`. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.router.off(this.id);
    this.onClose();
    this.signal?.removeEventListener('abort', this.onAbort);
    this.queue.length = 0;
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
  }

  /** The next event, waiting for it; `done` once the stream is closed. */
  next(): Promise<IteratorResult<EslEvent>> {
    const event = this.queue.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Closes the stream (a `for await` loop left early calls it). */
  return(): Promise<IteratorResult<EslEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The stream itself: `for await (const event of stream)`. */
  [Symbol.asyncIterator](): EventStream {
    return this;
  }

  private push(event: EslEvent): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w({ value: event, done: false });
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(event);
  }
}
