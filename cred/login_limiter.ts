/**
 * `LoginLimiter`: the attempt limits every protocol shares — a delay after
 * each failed login, a cap on failures per connection, and a lockout for a
 * source address that fails too often.
 *
 * @module
 */
import { reactor } from "../reactor/deno_reactor.ts";
import type { IReactorTime } from "../reactor/time.ts";
import {
  SourceLockedOutError,
  TooManyAttemptsError,
  UnauthorizedLoginError,
  ValidPublicKeyError,
} from "./errors.ts";
import {
  DEFAULT_FAILURE_DELAY,
  DEFAULT_LOCKOUT,
  DEFAULT_MAX_FAILURES_PER_CONNECTION,
  DEFAULT_MAX_FAILURES_PER_SOURCE,
  DEFAULT_SOURCE_WINDOW,
  MAX_TRACKED_SOURCES,
} from "./limits.ts";

/**
 * Options of {@linkcode LoginLimiter}; times in milliseconds.
 *
 * @example Usage
 * ```ts
 * import { Clock } from "@spindle/spindle/reactor";
 * import type { LoginLimiterOptions } from "@spindle/spindle/cred";
 * const options: LoginLimiterOptions = { clock: new Clock(), failureDelay: 1_000 };
 * console.assert(options.failureDelay === 1_000);
 * ```
 */
export interface LoginLimiterOptions {
  /** The time source of delays and windows; the reactor by default. */
  clock?: IReactorTime;
  /** How long a failure is held back before it is reported; 500 ms by default. */
  failureDelay?: number;
  /** Failures one connection may make; 3 by default. */
  maxFailuresPerConnection?: number;
  /** Failures one source may make within `sourceWindow`; 20 by default. */
  maxFailuresPerSource?: number;
  /** The window of `maxFailuresPerSource`; 10 minutes by default. */
  sourceWindow?: number;
  /** How long a source that reached `maxFailuresPerSource` is refused; 15 minutes by default. */
  lockout?: number;
  /** The most sources remembered at once; `MAX_TRACKED_SOURCES` by default. */
  maxTrackedSources?: number;
}

/**
 * Who makes a login attempt: the connection (any object that lives as long
 * as it, such as the transport or the protocol instance) and the peer's
 * address.
 *
 * @example Usage
 * ```ts
 * import type { LoginAttempt } from "@spindle/spindle/cred";
 * const connection = {};
 * const who: LoginAttempt = { connection, source: "192.0.2.7" };
 * console.assert(who.source === "192.0.2.7");
 * ```
 */
export interface LoginAttempt {
  /** The connection; its failures are forgotten with it. */
  connection: object;
  /** The peer's address (a host, without the port). */
  source: string;
}

interface SourceRecord {
  // Times of the failures within the window, oldest first.
  failures: number[];
  lockedUntil: number;
}

/**
 * Runs login attempts under shared limits. A protocol passes each attempt
 * through {@linkcode LoginLimiter.attempt}; a refused login is reported only
 * after `failureDelay` (so guessing is slow), and the error says what to do:
 *
 * - `UnauthorizedLoginError`: answer "authentication failed"; the peer may
 *   try again.
 * - `TooManyAttemptsError` (a subclass): answer the same, then close the
 *   connection; it used up `maxFailuresPerConnection`.
 * - `SourceLockedOutError` (a subclass of that): the peer's address failed
 *   `maxFailuresPerSource` times within `sourceWindow`; every attempt from
 *   it is refused, without asking the checker, for `lockout`. Close.
 *
 * Only `UnauthorizedLoginError` counts as a failure; a `ValidPublicKeyError`
 * (an SSH key query) and other errors pass through uncounted and undelayed.
 *
 * @example In a protocol's login command
 * ```ts
 * import {
 *   InMemoryPasswordChecker,
 *   LoginLimiter,
 *   Portal,
 *   TooManyAttemptsError,
 *   UnauthorizedLoginError,
 *   UsernamePassword,
 * } from "@spindle/spindle/cred";
 * const limiter = new LoginLimiter({ maxFailuresPerConnection: 1, failureDelay: 0 });
 * const portal = new Portal(
 *   { requestAvatar: (id) => ({ interface: "chat", avatar: id }) },
 *   [new InMemoryPasswordChecker({ alice: "secret" })],
 * );
 * const connection = {}; // the transport or protocol instance
 * const outcome = await limiter.attempt(
 *   { connection, source: "192.0.2.7" },
 *   () => portal.login(new UsernamePassword("alice", "guess"), null, "chat"),
 * ).then(
 *   () => "welcome",
 *   (error) => {
 *     if (error instanceof TooManyAttemptsError) return "fail, then close";
 *     if (error instanceof UnauthorizedLoginError) return "fail";
 *     throw error;
 *   },
 * );
 * console.assert(outcome === "fail, then close");
 * ```
 */
export class LoginLimiter {
  readonly #clock: IReactorTime;
  readonly #failureDelay: number;
  readonly #maxPerConnection: number;
  readonly #maxPerSource: number;
  readonly #window: number;
  readonly #lockout: number;
  readonly #maxSources: number;
  readonly #connections = new WeakMap<object, number>();
  // In order of last failure, so the first is the one to forget.
  readonly #sources = new Map<string, SourceRecord>();

  /** Creates a limiter; one per server, shared by all its connections. */
  constructor(options?: LoginLimiterOptions) {
    this.#clock = options?.clock ?? reactor;
    this.#failureDelay = options?.failureDelay ?? DEFAULT_FAILURE_DELAY;
    this.#maxPerConnection = options?.maxFailuresPerConnection ??
      DEFAULT_MAX_FAILURES_PER_CONNECTION;
    this.#maxPerSource = options?.maxFailuresPerSource ??
      DEFAULT_MAX_FAILURES_PER_SOURCE;
    this.#window = options?.sourceWindow ?? DEFAULT_SOURCE_WINDOW;
    this.#lockout = options?.lockout ?? DEFAULT_LOCKOUT;
    this.#maxSources = options?.maxTrackedSources ?? MAX_TRACKED_SOURCES;
  }

  /**
   * Runs `login` for `who` under the limits, as described on the class.
   *
   * @example Usage
   * ```ts
   * import { LoginLimiter } from "@spindle/spindle/cred";
   * import { Clock } from "@spindle/spindle/reactor";
   * const limiter = new LoginLimiter({ clock: new Clock() });
   * const id = await limiter.attempt(
   *   { connection: {}, source: "192.0.2.7" },
   *   () => Promise.resolve("alice"),
   * );
   * console.assert(id === "alice");
   * ```
   */
  async attempt<T>(who: LoginAttempt, login: () => Promise<T>): Promise<T> {
    const before = this.failures(who.connection);
    if (before >= this.#maxPerConnection) {
      await this.#delay();
      throw new TooManyAttemptsError(before);
    }
    const locked = this.#lockedOut(who.source);
    if (locked !== null) {
      await this.#delay();
      throw locked;
    }
    try {
      return await login();
    } catch (error) {
      if (
        !(error instanceof UnauthorizedLoginError) ||
        error instanceof ValidPublicKeyError
      ) {
        throw error;
      }
      const failures = this.failures(who.connection) + 1;
      this.#connections.set(who.connection, failures);
      this.#recordSourceFailure(who.source);
      await this.#delay();
      const lockedNow = this.#lockedOut(who.source, error);
      if (lockedNow !== null) throw lockedNow;
      if (failures >= this.#maxPerConnection) {
        throw new TooManyAttemptsError(failures, { cause: error });
      }
      throw error;
    }
  }

  /**
   * The failed logins counted against `connection`.
   *
   * @example Usage
   * ```ts
   * import { LoginLimiter } from "@spindle/spindle/cred";
   * import { Clock } from "@spindle/spindle/reactor";
   * console.assert(new LoginLimiter({ clock: new Clock() }).failures({}) === 0);
   * ```
   */
  failures(connection: object): number {
    return this.#connections.get(connection) ?? 0;
  }

  /**
   * Whether logins from `source` are refused now.
   *
   * @example Usage
   * ```ts
   * import { LoginLimiter } from "@spindle/spindle/cred";
   * import { Clock } from "@spindle/spindle/reactor";
   * console.assert(!new LoginLimiter({ clock: new Clock() }).isLockedOut("192.0.2.7"));
   * ```
   */
  isLockedOut(source: string): boolean {
    return this.#lockedOut(source) !== null;
  }

  #lockedOut(source: string, cause?: unknown): SourceLockedOutError | null {
    const record = this.#sources.get(source);
    if (record === undefined) return null;
    const now = this.#clock.now();
    if (record.lockedUntil > now) {
      return new SourceLockedOutError(source, {
        failures: record.failures.length,
        retryAfter: record.lockedUntil - now,
        cause,
      });
    }
    if (record.lockedUntil > 0) this.#sources.delete(source);
    return null;
  }

  #recordSourceFailure(source: string): void {
    const now = this.#clock.now();
    const record = this.#sources.get(source) ??
      { failures: [], lockedUntil: 0 };
    this.#sources.delete(source);
    const failures = record.failures;
    while (failures.length > 0 && failures[0]! <= now - this.#window) {
      failures.shift();
    }
    failures.push(now);
    if (failures.length >= this.#maxPerSource) {
      record.lockedUntil = now + this.#lockout;
    }
    this.#sources.set(source, record);
    if (this.#sources.size > this.#maxSources) {
      this.#sources.delete(this.#sources.keys().next().value!);
    }
  }

  #delay(): Promise<void> {
    if (this.#failureDelay <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#clock.callLater(this.#failureDelay, resolve);
    });
  }
}
