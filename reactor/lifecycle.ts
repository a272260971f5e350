/**
 * The reactor's lifecycle: `run()` / `stop()`, `callWhenRunning`, system
 * event triggers (`before` / `during` / `after` × `startup` / `shutdown`), and
 * SIGINT / SIGTERM mapped to a graceful stop. Unlike Twisted's, a reactor can
 * be run and stopped any number of times.
 *
 * @module
 */
import { getLogger } from "../log/mod.ts";

const logger = getLogger("spindle.reactor.lifecycle");

/** When a system event trigger runs relative to its event. */
export type TriggerPhase = "before" | "during" | "after";
/** The system events: the reactor starting and stopping. */
export type SystemEvent = "startup" | "shutdown";
/** Where a reactor is in its lifecycle. */
export type ReactorState = "stopped" | "starting" | "running" | "stopping";

/** Identifies a trigger for `removeSystemEventTrigger`. */
export type TriggerId = symbol;

/** Options for {@linkcode Lifecycle.run}. */
export interface RunOptions {
  /** Stop gracefully on SIGINT and SIGTERM (default `true`). */
  installSignalHandlers?: boolean;
}

/** Options for a lifecycle. */
export interface LifecycleOptions {
  /** How long shutdown waits for `before shutdown` triggers, in ms (default 30 000). */
  shutdownTimeout?: number;
}

interface Trigger {
  id: TriggerId;
  phase: TriggerPhase;
  event: SystemEvent;
  fn: () => unknown;
}

const SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM"];

/**
 * The run / stop machinery that {@linkcode DenoReactor} inherits.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor } from "@spindle/spindle/reactor";
 * const reactor = new DenoReactor();
 * let saidBye = false;
 * reactor.addSystemEventTrigger("before", "shutdown", () => {
 *   saidBye = true;
 * });
 * reactor.callWhenRunning(() => reactor.stop());
 * await reactor.run({ installSignalHandlers: false });
 * console.assert(saidBye);
 * ```
 */
export class Lifecycle {
  #state: ReactorState = "stopped";
  #triggers: Trigger[] = [];
  #whenRunning: (() => unknown)[] = [];
  #stopped: PromiseWithResolvers<void> | undefined;
  #stopping: Promise<void> | undefined;
  #signalHandler: (() => void) | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  /** How long shutdown waits for `before shutdown` triggers, in ms. */
  shutdownTimeout: number;

  /** Creates a stopped lifecycle. */
  constructor(options: LifecycleOptions = {}) {
    this.shutdownTimeout = options.shutdownTimeout ?? 30_000;
  }

  /** Where the reactor is: `stopped`, `starting`, `running` or `stopping`. */
  get state(): ReactorState {
    return this.#state;
  }

  /** Whether the reactor is running (started, not yet stopping). */
  get running(): boolean {
    return this.#state === "running";
  }

  /**
   * Runs `fn(...args)` once the reactor is running: now if it is, else at the
   * end of the next startup. Runs once.
   */
  callWhenRunning<A extends unknown[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): void {
    const call = () => fn(...args);
    if (this.#state === "running") runGuarded(call, "callWhenRunning");
    else this.#whenRunning.push(call);
  }

  /**
   * Adds `fn` to run at `phase` of `event` every time the event happens.
   * `before` triggers may return a promise or Deferred: the next phase waits
   * for them (at shutdown, at most `shutdownTimeout` ms).
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    event: SystemEvent,
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerId {
    if (!["before", "during", "after"].includes(phase)) {
      throw new TypeError(
        `Unknown trigger phase ${
          JSON.stringify(phase)
        }: use "before", "during" or "after"`,
      );
    }
    if (!["startup", "shutdown"].includes(event)) {
      throw new TypeError(
        `Unknown system event ${
          JSON.stringify(event)
        }: use "startup" or "shutdown"`,
      );
    }
    const id = Symbol(`${phase} ${event}`);
    this.#triggers.push({ id, phase, event, fn: () => fn(...args) });
    return id;
  }

  /** Removes a trigger added with `addSystemEventTrigger`. */
  removeSystemEventTrigger(id: TriggerId): void {
    const index = this.#triggers.findIndex((trigger) => trigger.id === id);
    if (index === -1) {
      throw new Error(
        "No such system event trigger: it was removed already or belongs to another reactor",
      );
    }
    this.#triggers.splice(index, 1);
  }

  /**
   * Starts the reactor: runs the startup triggers and the `callWhenRunning`
   * calls, then resolves when the reactor has stopped again.
   */
  run(options: RunOptions = {}): Promise<void> {
    if (this.#state !== "stopped") {
      return Promise.reject(
        new Error(`Cannot run a reactor that is ${this.#state}: stop it first`),
      );
    }
    this.#state = "starting";
    const stopped = Promise.withResolvers<void>();
    this.#stopped = stopped;
    if (options.installSignalHandlers ?? true) this.#addSignalHandlers();
    // Like Twisted's run(), a running reactor keeps the program alive.
    this.#keepAlive = setInterval(() => {}, 1 << 30);
    // Startup is synchronous unless a before-startup trigger returns a promise.
    const starting = this.#fire("startup", Infinity);
    if (starting === undefined) this.#started();
    else starting.then(() => this.#started());
    return stopped.promise;
  }

  #started(): void {
    if (this.#state !== "starting") return;
    this.#state = "running";
    const calls = this.#whenRunning;
    this.#whenRunning = [];
    for (const call of calls) runGuarded(call, "callWhenRunning");
  }

  /**
   * Stops the reactor: runs the shutdown triggers (waiting for `before`
   * triggers at most `shutdownTimeout` ms); resolves when stopped.
   */
  stop(): Promise<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    if (this.#state === "stopped") {
      return Promise.reject(
        new Error(
          "Cannot stop a reactor that is not running: call run() first",
        ),
      );
    }
    this.#stopping = this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    // A stop during startup waits for startup to end, as Twisted does.
    while (this.#state === "starting") {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    this.#state = "stopping";
    await this.#fire("shutdown", this.shutdownTimeout);
    this.#removeSignalHandlers();
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    this.#state = "stopped";
    this.#stopping = undefined;
    const stopped = this.#stopped;
    this.#stopped = undefined;
    stopped?.resolve();
  }

  /** Runs the triggers of `event`; a promise only if something had to be waited for. */
  #fire(
    event: SystemEvent,
    deadline: number,
    from = 0,
  ): Promise<void> | undefined {
    const phases = ["before", "during", "after"] as const;
    for (let i = from; i < phases.length; i++) {
      const phase = phases[i]!;
      const triggers = this.#triggers.filter((trigger) =>
        trigger.phase === phase && trigger.event === event
      );
      const results = triggers.map((trigger) =>
        runGuarded(trigger.fn, `${phase} ${event} trigger`)
      );
      let wait: Promise<unknown> | undefined;
      if (phase === "before") {
        const waits = results.filter(isThenable).map((result) =>
          Promise.resolve(result).then(
            undefined,
            (error) =>
              logger.error("A before-{event} trigger failed", { event, error }),
          )
        );
        if (waits.length > 0) {
          wait = withDeadline(Promise.all(waits), deadline, event);
        }
      } else if (phase === "during" && event === "shutdown") {
        wait = this.disconnectAll();
      }
      if (wait !== undefined) {
        return wait.then(() => this.#fire(event, deadline, i + 1));
      }
    }
    return undefined;
  }

  /**
   * Releases what the reactor holds, during shutdown (after the `during
   * shutdown` triggers were called). Nothing here; {@linkcode DenoReactor}
   * stops its listeners, closes its connections and cancels its calls.
   */
  protected disconnectAll(): Promise<void> {
    return Promise.resolve();
  }

  #addSignalHandlers(): void {
    const handler = () => {
      logger.info("Received a stop signal: stopping gracefully");
      this.stop().catch(() => {});
    };
    this.#signalHandler = handler;
    for (const signal of SIGNALS) {
      try {
        Deno.addSignalListener(signal, handler);
      } catch {
        // Signals are not available here (such as on Windows for SIGTERM).
      }
    }
  }

  #removeSignalHandlers(): void {
    const handler = this.#signalHandler;
    if (handler === undefined) return;
    this.#signalHandler = undefined;
    for (const signal of SIGNALS) {
      try {
        Deno.removeSignalListener(signal, handler);
      } catch {
        // It was never added.
      }
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

function runGuarded(fn: () => unknown, what: string): unknown {
  try {
    const result = fn();
    if (isThenable(result) && !(result instanceof Promise)) return result;
    if (result instanceof Promise) {
      return result.catch((error) => {
        logger.error("A {what} failed", { what, error });
      });
    }
    return result;
  } catch (error) {
    logger.error("A {what} failed", { what, error });
    return undefined;
  }
}

async function withDeadline(
  work: Promise<unknown>,
  ms: number,
  event: SystemEvent,
): Promise<void> {
  if (!Number.isFinite(ms)) {
    await work;
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn(
        "before-{event} triggers still running after {ms} ms: going on without them",
        { event, ms },
      );
      resolve();
    }, ms);
  });
  await Promise.race([work, expired]);
  clearTimeout(timer);
}
