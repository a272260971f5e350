/**
 * `ReconnectingClientFactory`: a {@linkcode ClientFactory} that reconnects
 * after a lost or failed connection, waiting longer each time (exponential
 * backoff with jitter), as Twisted's does.
 *
 * @module
 */
import { getLogger } from "../log/mod.ts";
import type { IConnector, IProtocol } from "./protocol_interfaces.ts";
import type { DelayedCall, IReactorTime } from "./time.ts";
import { ClientFactory, type ProtocolClass } from "./factory.ts";

const logger = getLogger("spindle.reactor.reconnecting");

/** Options for {@linkcode ReconnectingClientFactory}; every delay is in milliseconds. */
export interface ReconnectingOptions {
  /** The delay the backoff starts from; default 1000. */
  initialDelay?: number;
  /** What each retry multiplies the delay by; default e (2.718...), as in Twisted. */
  factor?: number;
  /**
   * The spread of each delay: it is drawn from a normal distribution with this
   * fraction of the delay as standard deviation, so clients that lost the same
   * server do not all come back at once; default 0.11962656472, 0 for none.
   */
  jitter?: number;
  /** The longest delay; default 3600000 (one hour). */
  maxDelay?: number;
  /** How many retries before giving up; default unlimited. */
  maxRetries?: number;
  /** The time source for the delays; default the connector's reactor. */
  clock?: IReactorTime;
  /** A source of uniform random numbers in [0, 1) for the jitter; default `Math.random`. */
  random?: () => number;
}

/**
 * A client factory that retries: after each failed attempt or lost
 * connection it waits, then calls `connector.connect()` again. The delay
 * starts at `initialDelay`, is multiplied by `factor` (with `jitter`) at each
 * retry and is capped at `maxDelay`. Call `resetDelay()` once a connection
 * works (typically from `buildProtocol`, as in Twisted) and `stopTrying()` to
 * give up.
 *
 * @typeParam P The protocol type built.
 *
 * @example Usage
 * ```ts
 * import {
 *   type Address,
 *   Clock,
 *   Protocol,
 *   ReconnectingClientFactory,
 * } from "@spindle/spindle/reactor";
 * class Client extends Protocol {}
 * class Factory extends ReconnectingClientFactory<Client> {
 *   override buildProtocol(addr: Address): Client | null {
 *     this.resetDelay(); // connected: start the backoff over next time
 *     return super.buildProtocol(addr);
 *   }
 * }
 * const factory = new Factory({ initialDelay: 500, maxDelay: 30_000, clock: new Clock() });
 * factory.protocol = Client;
 * console.assert(factory.delay === 500);
 * ```
 */
export class ReconnectingClientFactory<P extends IProtocol = IProtocol>
  extends ClientFactory<P> {
  /** The delay the backoff starts from. */
  initialDelay: number;
  /** What each retry multiplies the delay by. */
  factor: number;
  /** The spread of each delay, as a fraction of it. */
  jitter: number;
  /** The longest delay. */
  maxDelay: number;
  /** How many retries before giving up; `null` for unlimited. */
  maxRetries: number | null;
  /** The delay before the next retry (grows at each retry). */
  delay: number;
  /** How many retries were made since the last `resetDelay()`. */
  retries = 0;
  /** Whether the factory still retries (`stopTrying()` clears it). */
  continueTrying = true;
  /** The time source for the delays; `null` means the connector's reactor. */
  clock: IReactorTime | null;
  /** The connector of the latest attempt. */
  connector: IConnector | null = null;
  #random: () => number;
  #call: DelayedCall | null = null;

  /** Creates the factory; set `protocol` or override `buildProtocol`. */
  constructor(options: ReconnectingOptions = {}) {
    super();
    this.initialDelay = options.initialDelay ?? 1000;
    this.factor = options.factor ?? Math.E;
    this.jitter = options.jitter ?? 0.11962656472;
    this.maxDelay = options.maxDelay ?? 3_600_000;
    this.maxRetries = options.maxRetries ?? null;
    this.clock = options.clock ?? null;
    this.#random = options.random ?? Math.random;
    this.delay = this.initialDelay;
  }

  /**
   * A reconnecting factory whose `buildProtocol` makes a `protocol`, with the
   * default backoff.
   *
   * @example Usage
   * ```ts
   * import { Protocol, ReconnectingClientFactory } from "@spindle/spindle/reactor";
   * const factory = ReconnectingClientFactory.forProtocol(Protocol);
   * console.assert(factory.maxRetries === null);
   * ```
   */
  static override forProtocol<P extends IProtocol>(
    protocol: ProtocolClass<P>,
  ): ReconnectingClientFactory<P> {
    // The base's `new this()` builds this subclass: only the type narrows.
    return super.forProtocol(protocol) as ReconnectingClientFactory<P>;
  }

  /** Remembers `connector`, so `stopTrying()` can abandon its attempt. */
  override startedConnecting(connector: IConnector): void {
    this.connector = connector;
  }

  /** Retries, unless `stopTrying()` was called. */
  override clientConnectionFailed(connector: IConnector, _reason: Error): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** Retries, unless `stopTrying()` was called. */
  override clientConnectionLost(connector: IConnector, _reason: Error): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** Schedules the next attempt of `connector` (default: the latest one) after the grown delay. */
  retry(connector: IConnector | null = this.connector): void {
    if (!this.continueTrying || connector === null) return;
    this.retries++;
    if (this.maxRetries !== null && this.retries > this.maxRetries) {
      logger.info("abandoning {destination} after {retries} retries", {
        destination: String(connector.getDestination()),
        retries: this.maxRetries,
      });
      return;
    }
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter > 0) {
      this.delay = Math.max(
        0,
        this.delay + this.delay * this.jitter * this.#gaussian(),
      );
    }
    const clock = this.clock ?? connector.reactor;
    this.#call = clock.callLater(this.delay, () => {
      this.#call = null;
      if (connector.state === "disconnected") connector.connect();
    });
  }

  /** Stops retrying: cancels the scheduled attempt and abandons one in progress. */
  stopTrying(): void {
    if (this.#call?.active()) this.#call.cancel();
    this.#call = null;
    this.continueTrying = false;
    if (this.connector?.state === "connecting") {
      this.connector.stopConnecting();
    }
  }

  /** Starts the backoff over: call it when a connection has succeeded. */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.continueTrying = true;
  }

  /** A standard normal variate (Box–Muller). */
  #gaussian(): number {
    const u = 1 - this.#random();
    const v = this.#random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
