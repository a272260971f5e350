/**
 * `Connector`: makes outgoing connections for a {@linkcode ClientFactory}
 * through a client endpoint, and can make them again (Twisted's
 * `IConnector`) — what {@linkcode ReconnectingClientFactory} retries with.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { Connection } from "./interfaces.ts";
import type { IReactorTime } from "./time.ts";
import type { ClientFactory } from "./factory.ts";
import type {
  ConnectionSource,
  ConnectorState,
  IConnector,
} from "./protocol_interfaces.ts";
import { runProtocol } from "./transport.ts";
import { getLogger } from "../log/mod.ts";

const logger = getLogger("spindle.reactor.connector");

/** Options for {@linkcode Connector}. */
export interface ConnectorOptions {
  /**
   * The time source the protocols see as `transport.reactor`; default the
   * source's `reactor` (a client endpoint's).
   */
  reactor?: IReactorTime;
}

/**
 * Connects a {@linkcode ClientFactory} through `source` (usually a client
 * endpoint), runs the protocol the factory builds, and reports each attempt's
 * outcome to the factory: `startedConnecting`, then `clientConnectionFailed`
 * or, once connected, `clientConnectionLost`. The factory may call
 * `connect()` again from those callbacks to retry.
 *
 * @example Usage
 * ```ts ignore
 * import {
 *   clientFromString,
 *   Connector,
 *   Protocol,
 *   reactor,
 *   ReconnectingClientFactory,
 * } from "@spindle/spindle/reactor";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     this.transport.write("hello\n");
 *   }
 * }
 * const factory = ReconnectingClientFactory.forProtocol(Hello);
 * const endpoint = clientFromString(reactor, "tcp:host=127.0.0.1:port=8000");
 * new Connector(endpoint, factory).connect();
 * ```
 */
export class Connector implements IConnector {
  readonly #source: ConnectionSource;
  readonly #factory: ClientFactory;
  readonly #reactor: IReactorTime;
  #state: ConnectorState = "disconnected";
  #attempt: Deferred<Connection> | null = null;
  #conn: Connection | null = null;
  #factoryStarted = false;

  /** Makes a connector; nothing happens until `connect()`. */
  constructor(
    source: ConnectionSource,
    factory: ClientFactory,
    options: ConnectorOptions = {},
  ) {
    const reactor = options.reactor ?? source.reactor;
    if (reactor === undefined) {
      throw new TypeError(
        "Connector: the connection source has no reactor; pass options.reactor",
      );
    }
    this.#source = source;
    this.#factory = factory;
    this.#reactor = reactor;
  }

  /** Where the connector is now. */
  get state(): ConnectorState {
    return this.#state;
  }

  /** The time source of this connector (also used by the factory's retries). */
  get reactor(): IReactorTime {
    return this.#reactor;
  }

  /** What this connector connects through. */
  getDestination(): ConnectionSource {
    return this.#source;
  }

  /** Starts an attempt; throws unless the connector is disconnected. */
  connect(): void {
    if (this.#state !== "disconnected") {
      throw new Error(
        `the connector is already ${this.#state}: call disconnect() or stopConnecting() first`,
      );
    }
    this.#state = "connecting";
    if (!this.#factoryStarted) {
      this.#factoryStarted = true;
      this.#factory.doStart();
    }
    this.#tell(
      "startedConnecting",
      () => this.#factory.startedConnecting(this),
    );
    let attempt: Deferred<Connection>;
    try {
      attempt = this.#source.connect();
    } catch (error) {
      this.#failed(error);
      return;
    }
    this.#attempt = attempt;
    attempt.addCallback((conn) => {
      this.#attempt = null;
      this.#connected(conn);
    });
    attempt.addErrback((failure) => {
      this.#attempt = null;
      this.#failed(failure.value);
    });
  }

  /** Abandons the attempt in progress; the factory hears `clientConnectionFailed`. */
  stopConnecting(): void {
    if (this.#state !== "connecting") {
      throw new Error(
        `the connector is ${this.#state}, not connecting: there is no attempt to stop`,
      );
    }
    this.#attempt?.cancel();
  }

  /** Closes the connection, or abandons the attempt in progress. */
  disconnect(): void {
    if (this.#state === "connecting") this.stopConnecting();
    else if (this.#state === "connected") this.#conn?.close().catch(() => {});
  }

  #connected(conn: Connection): void {
    let protocol;
    try {
      protocol = this.#factory.buildProtocol(conn.remoteAddr);
    } catch (error) {
      conn.abort(error);
      this.#failed(error);
      return;
    }
    if (protocol === null) {
      conn.close().catch(() => {});
      this.#failed(
        new Error(
          "the factory refused the connection: its buildProtocol returned null",
        ),
      );
      return;
    }
    this.#state = "connected";
    this.#conn = conn;
    runProtocol(protocol, conn, { reactor: this.#reactor }).then((reason) => {
      this.#conn = null;
      this.#state = "disconnected";
      this.#tell(
        "clientConnectionLost",
        () => this.#factory.clientConnectionLost(this, reason),
      );
      this.#stopFactoryIfIdle();
    });
  }

  #failed(error: unknown): void {
    this.#state = "disconnected";
    const reason = error instanceof Error ? error : new Error(String(error));
    this.#tell(
      "clientConnectionFailed",
      () => this.#factory.clientConnectionFailed(this, reason),
    );
    this.#stopFactoryIfIdle();
  }

  /** Calls back into the factory; a throwing factory is logged, not propagated. */
  #tell(callback: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      logger.error("the client factory's {callback} threw", {
        callback,
        error,
      });
    }
  }

  #stopFactoryIfIdle(): void {
    if (this.#state === "disconnected" && this.#factoryStarted) {
      this.#factoryStarted = false;
      this.#factory.doStop();
    }
  }
}
