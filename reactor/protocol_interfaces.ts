/**
 * The interfaces of the Twisted style, in one place so that the classes
 * implementing them ({@linkcode Protocol}, {@linkcode Factory},
 * {@linkcode Connector}, the transport of {@linkcode runProtocol}) depend on
 * them and never on each other in a circle: a protocol, its transport, the
 * factory that builds it, the connector that dials for it, and the producers
 * a transport drives.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { Address, Connection } from "./interfaces.ts";
import type { StartTLSOptions } from "./tls.ts";
import type { TLSInfo } from "./deno_connection.ts";
import type { IReactorTime } from "./time.ts";

/**
 * What a transport calls on the protocol it runs. {@linkcode Protocol} is the
 * usual base class; any object with these methods works.
 *
 * @example Usage
 * ```ts
 * import type { IProtocol, Transport } from "@spindle/spindle/reactor";
 * const discard: IProtocol = {
 *   makeConnection(_transport: Transport) {},
 *   dataReceived(_data: Uint8Array) {},
 *   connectionLost(_reason: Error) {},
 * };
 * discard.dataReceived(new Uint8Array(1));
 * ```
 */
export interface IProtocol {
  /** The factory that built this protocol, if any (set by `buildProtocol`). */
  factory?: IProtocolFactory | null;
  /** Binds the protocol to its transport, then calls `connectionMade`. */
  makeConnection(transport: Transport): void;
  /** Called once with each chunk of bytes from the peer, in order. */
  dataReceived(data: Uint8Array): void;
  /**
   * Called once when the connection is gone: `reason` is a
   * {@linkcode ConnectionDone} after a clean close, another error otherwise.
   */
  connectionLost(reason: Error): void;
}

/**
 * A protocol that wants to keep writing after the peer half-closes: when it has
 * `readConnectionLost`, end of input calls it instead of closing the
 * connection, and the protocol closes when it is done (Twisted's
 * `IHalfCloseableProtocol`).
 *
 * @example Usage
 * ```ts
 * import { type HalfCloseableProtocol, Protocol } from "@spindle/spindle/reactor";
 * class Answer extends Protocol implements HalfCloseableProtocol {
 *   readConnectionLost(): void {
 *     this.transport.write("bye\n");
 *     this.transport.loseConnection();
 *   }
 * }
 * console.assert(typeof new Answer().readConnectionLost === "function");
 * ```
 */
export interface HalfCloseableProtocol extends IProtocol {
  /** The peer will send nothing more; writing is still possible. */
  readConnectionLost(): void;
}

/**
 * What builds protocols (Twisted's `IProtocolFactory`): {@linkcode Factory}
 * is the usual implementation.
 *
 * @example Usage
 * ```ts
 * import { Factory, type IProtocolFactory, Protocol } from "@spindle/spindle/reactor";
 * const factory: IProtocolFactory = Factory.forProtocol(Protocol);
 * console.assert(factory.buildProtocol({ transport: "memory", name: "x" }) !== null);
 * ```
 */
export interface IProtocolFactory {
  /**
   * Builds the protocol for a connection from `addr`, or returns `null` to
   * refuse it.
   */
  buildProtocol(addr: Address): IProtocol | null;
  /** Counts a listener (or connector) in. */
  doStart(): void;
  /** Counts a listener (or connector) out. */
  doStop(): void;
}

/**
 * Anything that opens a connection on demand, such as a client endpoint.
 *
 * @example Usage
 * ```ts
 * import { connectedPair, type ConnectionSource } from "@spindle/spindle/reactor";
 * import { succeed } from "@spindle/spindle/deferred";
 * const [client, server] = connectedPair();
 * const source: ConnectionSource = { connect: () => succeed(client) };
 * console.assert((await source.connect()) === client);
 * await client.close();
 * await server.close();
 * ```
 */
export interface ConnectionSource {
  /** Starts a connection attempt; cancelling the Deferred abandons it. */
  connect(): Deferred<Connection>;
  /** The reactor it connects with (client endpoints have it). */
  readonly reactor?: IReactorTime;
}

/**
 * Where a connector is: between attempts, trying, or connected.
 *
 * @example Usage
 * ```ts
 * import type { ConnectorState } from "@spindle/spindle/reactor";
 * const state: ConnectorState = "disconnected";
 * console.assert(state === "disconnected");
 * ```
 */
export type ConnectorState = "disconnected" | "connecting" | "connected";

/**
 * What a client factory is told about and retries with (Twisted's
 * `IConnector`): {@linkcode Connector} implements it.
 *
 * @example Usage
 * ```ts
 * import { ClientFactory, type IConnector, Protocol } from "@spindle/spindle/reactor";
 * class Persistent extends ClientFactory {
 *   override protocol = Protocol;
 *   override clientConnectionLost(connector: IConnector): void {
 *     connector.connect();
 *   }
 * }
 * console.assert(new Persistent().protocol === Protocol);
 * ```
 */
export interface IConnector {
  /** Where the connector is now. */
  readonly state: ConnectorState;
  /** The time source of the connector (also used by a factory's retries). */
  readonly reactor: IReactorTime;
  /** Starts an attempt; throws unless the connector is disconnected. */
  connect(): void;
  /** Abandons the attempt in progress. */
  stopConnecting(): void;
  /** Closes the connection, or abandons the attempt in progress. */
  disconnect(): void;
  /** What this connector connects through. */
  getDestination(): ConnectionSource;
}

/**
 * A producer that the transport pauses and resumes as the peer reads
 * (Twisted's `IPushProducer`): registered with `streaming = true`.
 *
 * @example Usage
 * ```ts
 * import type { PushProducer } from "@spindle/spindle/reactor";
 * let paused = false;
 * const producer: PushProducer = {
 *   pauseProducing: () => paused = true,
 *   resumeProducing: () => paused = false,
 *   stopProducing: () => {},
 * };
 * producer.pauseProducing();
 * console.assert(paused);
 * ```
 */
export interface PushProducer {
  /** Stop producing until `resumeProducing`: the peer is not keeping up. */
  pauseProducing(): void;
  /** Produce again. */
  resumeProducing(): void;
  /** Stop for good: the connection is gone. */
  stopProducing(): void;
}

/**
 * A producer that the transport asks for more each time its write buffer is
 * empty (Twisted's `IPullProducer`): registered with `streaming = false`.
 *
 * @example Usage
 * ```ts
 * import type { PullProducer } from "@spindle/spindle/reactor";
 * let asked = 0;
 * const producer: PullProducer = {
 *   resumeProducing: () => asked++,
 *   stopProducing: () => {},
 * };
 * producer.resumeProducing();
 * console.assert(asked === 1);
 * ```
 */
export interface PullProducer {
  /** Write some more data now. */
  resumeProducing(): void;
  /** Stop for good: the connection is gone. */
  stopProducing(): void;
}

/**
 * What a protocol writes through: `this.transport` of a
 * {@linkcode Protocol}. The transport is itself a push producer of the bytes
 * it reads, so it can be registered with another transport (a proxy).
 *
 * @example Usage
 * ```ts
 * import { Protocol, type Transport } from "@spindle/spindle/reactor";
 * function greet(transport: Transport): void {
 *   transport.write("hello\n");
 * }
 * class Greeter extends Protocol {
 *   override connectionMade(): void {
 *     greet(this.transport);
 *   }
 * }
 * console.assert(new Greeter().connected === false);
 * ```
 */
export interface Transport extends PushProducer {
  /**
   * Queues `data` for the peer (strings are sent as UTF-8). Writes made in the
   * same tick go out together. The transport takes the bytes: do not change
   * them after the call. Writes after the connection closed (or half-closed)
   * are dropped.
   */
  write(data: Uint8Array | string): void;
  /** Queues each element of `data`, as `write` does. */
  writeSequence(data: Iterable<Uint8Array | string>): void;
  /**
   * Sends what was written (and waits for a registered producer to
   * unregister), then closes. `connectionLost` gets `reason` when one is
   * given (a protocol closing on a peer's bad input passes its
   * `ProtocolError`), and `ConnectionDone` otherwise.
   */
  loseConnection(reason?: Error): void;
  /** Closes at once, dropping unsent data. */
  abortConnection(): void;
  /** Sends what was written, then half-closes: the peer sees end of input; reading goes on. */
  loseWriteConnection(): void;
  /** The peer's address. */
  getPeer(): Address;
  /** This end's address. */
  getHost(): Address;
  /** Disables (or re-enables) Nagle's algorithm on TCP. */
  setTcpNoDelay(enabled: boolean): void;
  /**
   * Registers the producer that feeds this transport: a push producer
   * (`streaming = true`) is paused while the peer reads slower than it writes;
   * a pull producer (`streaming = false`) is asked for more whenever the
   * buffer is empty. Throws when a producer is already registered.
   */
  registerProducer(
    producer: PushProducer | PullProducer,
    streaming: boolean,
  ): void;
  /** Forgets the registered producer. */
  unregisterProducer(): void;
  /**
   * Switches the connection to TLS (STARTTLS), as client or server. Call it
   * from `connectionMade` or `dataReceived`: what was written before goes out
   * in the clear, then the handshake runs and reading resumes over TLS.
   * Resolves once the handshake is done; a failed handshake aborts the
   * connection.
   */
  startTLS(options: StartTLSOptions): Promise<TLSInfo>;
  /** The connection underneath, for what the transport does not cover (such as STARTTLS). */
  readonly connection: Connection;
  /** Whether `loseConnection` or `abortConnection` was called, or the connection is gone. */
  readonly disconnecting: boolean;
  /** The time source of the reactor that runs this connection (for timeouts). */
  readonly reactor: IReactorTime;
}
