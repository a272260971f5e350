/**
 * Twisted's `Factory` and `ClientFactory`: they build one protocol per
 * connection. A factory can be passed to `listenTCP` and friends wherever a
 * handler function is accepted.
 *
 * @module
 */
import { getLogger } from "../log/mod.ts";
import type { Address, Connection, ConnectionFactory } from "./interfaces.ts";
import type { IReactorTime } from "./time.ts";
import type {
  IConnector,
  IProtocol,
  IProtocolFactory,
} from "./protocol_interfaces.ts";
import { runProtocol } from "./transport.ts";

const logger = getLogger("spindle.reactor.factory");

/** A protocol class with a constructor that takes no arguments. */
export type ProtocolClass<P extends IProtocol = IProtocol> = new () => P;

/**
 * Builds a protocol for each connection; implements
 * {@linkcode ConnectionFactory} so it serves the connections of a listener.
 *
 * Set `protocol` (or use {@linkcode Factory.forProtocol}), or override
 * `buildProtocol` to build protocols that need arguments. Shared state of all
 * connections lives on the factory; a protocol reaches it as `this.factory`.
 *
 * @typeParam P The protocol type built.
 *
 * @example A chat-room factory shared by its connections
 * ```ts
 * import { Factory, Protocol } from "@spindle/spindle/reactor";
 * class Room extends Factory<Member> {
 *   members: Set<Member> = new Set();
 *   override buildProtocol(): Member {
 *     return new Member(this);
 *   }
 * }
 * class Member extends Protocol {
 *   constructor(readonly room: Room) {
 *     super();
 *   }
 *   override connectionMade(): void {
 *     this.room.members.add(this);
 *   }
 *   override connectionLost(): void {
 *     this.room.members.delete(this);
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     for (const member of this.room.members) {
 *       if (member !== this) member.transport.write(data);
 *     }
 *   }
 * }
 * const room = new Room();
 * console.assert(room.buildProtocol() instanceof Member);
 * ```
 */
export class Factory<P extends IProtocol = IProtocol>
  implements ConnectionFactory, IProtocolFactory {
  /** The protocol class `buildProtocol` instantiates. */
  protocol: ProtocolClass<P> | null = null;
  /** How many listeners (or connectors) use this factory now. */
  numPorts = 0;

  /**
   * A factory whose `buildProtocol` makes a `protocol` with `new protocol()`.
   *
   * @example Usage
   * ```ts
   * import { Factory, Protocol } from "@spindle/spindle/reactor";
   * class Discard extends Protocol {}
   * const factory = Factory.forProtocol(Discard);
   * console.assert(factory.protocol === Discard);
   * ```
   */
  static forProtocol<P extends IProtocol>(
    protocol: ProtocolClass<P>,
  ): Factory<P> {
    const factory = new this() as Factory<P>;
    factory.protocol = protocol;
    return factory;
  }

  /**
   * Builds the protocol for a connection from `addr`, or returns `null` to
   * refuse it (the connection is closed).
   */
  buildProtocol(_addr: Address): P | null {
    if (this.protocol === null) {
      throw new TypeError(
        `${this.constructor.name} has no protocol class: set its protocol property, use Factory.forProtocol, or override buildProtocol`,
      );
    }
    const protocol = new this.protocol();
    protocol.factory = this;
    return protocol;
  }

  /** Called before the first listener starts using this factory. */
  startFactory(): void {}

  /** Called after the last listener stopped using this factory. */
  stopFactory(): void {}

  /** Counts a listener in; the first one starts the factory. */
  doStart(): void {
    if (this.numPorts === 0) this.startFactory();
    this.numPorts++;
  }

  /** Counts a listener out; the last one stops the factory. */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0) this.stopFactory();
  }

  /**
   * Serves one connection: builds its protocol and runs it until the
   * connection ends. Listeners call this; so can you, with a connection you
   * made.
   */
  handleConnection(conn: Connection, reactor: IReactorTime): Promise<void> {
    let protocol: P | null;
    try {
      protocol = this.buildProtocol(conn.remoteAddr);
    } catch (error) {
      logger.error("{factory}.buildProtocol threw: closing the connection", {
        factory: this.constructor.name,
        error,
      });
      conn.abort(error);
      return Promise.resolve();
    }
    if (protocol === null) return conn.close().catch(() => {});
    return runProtocol(protocol, conn, { reactor }).then(() => {});
  }
}

/**
 * A factory for outgoing connections, told by its connector (an
 * {@linkcode IConnector}) how each attempt went.
 *
 * @typeParam P The protocol type built.
 *
 * @example Usage
 * ```ts
 * import { ClientFactory, type IConnector, Protocol } from "@spindle/spindle/reactor";
 * class Greeter extends Protocol {
 *   override connectionMade(): void {
 *     this.transport.write("hello\n");
 *   }
 * }
 * class GreeterFactory extends ClientFactory<Greeter> {
 *   override protocol = Greeter;
 *   override clientConnectionFailed(_connector: IConnector, reason: Error): void {
 *     console.error("could not connect:", reason.message);
 *   }
 * }
 * console.assert(new GreeterFactory().buildProtocol({ transport: "memory", name: "x" }) instanceof Greeter);
 * ```
 */
export class ClientFactory<P extends IProtocol = IProtocol> extends Factory<P> {
  /**
   * A client factory whose `buildProtocol` makes a `protocol`.
   *
   * @example Usage
   * ```ts
   * import { ClientFactory, Protocol } from "@spindle/spindle/reactor";
   * const factory = ClientFactory.forProtocol(Protocol);
   * console.assert(factory instanceof ClientFactory);
   * ```
   */
  static override forProtocol<P extends IProtocol>(
    protocol: ProtocolClass<P>,
  ): ClientFactory<P> {
    // The base's `new this()` builds this subclass: only the type narrows.
    return super.forProtocol(protocol) as ClientFactory<P>;
  }

  /** Called when `connector` starts an attempt. */
  startedConnecting(_connector: IConnector): void {}

  /** Called when an attempt of `connector` failed (refused, timed out, cancelled). */
  clientConnectionFailed(_connector: IConnector, _reason: Error): void {}

  /** Called when a connection made by `connector` ended. */
  clientConnectionLost(_connector: IConnector, _reason: Error): void {}
}
