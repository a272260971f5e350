/**
 * Twisted's `Protocol`: an object with callbacks that a transport drives —
 * `connectionMade`, `dataReceived`, `connectionLost` — the style in which
 * code ported from Twisted is written.
 *
 * @module
 */
import type {
  IProtocol,
  IProtocolFactory,
  Transport,
} from "./protocol_interfaces.ts";

/**
 * The reason given to `connectionLost` when the connection closed cleanly
 * (by either side).
 *
 * @example Usage
 * ```ts
 * import { ConnectionDone, Protocol } from "@spindle/spindle/reactor";
 * class Quiet extends Protocol {
 *   override connectionLost(reason: Error): void {
 *     if (!(reason instanceof ConnectionDone)) console.error(reason);
 *   }
 * }
 * new Quiet().connectionLost(new ConnectionDone());
 * ```
 */
export class ConnectionDone extends Error {
  /** Creates the reason; the message says the connection closed cleanly. */
  constructor(message = "the connection was closed cleanly") {
    super(message);
    this.name = "ConnectionDone";
  }
}

/**
 * Thrown by the transport of a protocol that is not connected yet, so a
 * protocol that writes from its constructor fails with a clear message.
 *
 * @example Usage
 * ```ts
 * import { NotConnectedError, Protocol } from "@spindle/spindle/reactor";
 * try {
 *   new Protocol().transport.write("too early");
 * } catch (error) {
 *   console.assert(error instanceof NotConnectedError);
 * }
 * ```
 */
export class NotConnectedError extends Error {
  /** Creates the error. */
  constructor(
    message =
      "the protocol has no transport yet: write from connectionMade or later, not from the constructor",
  ) {
    super(message);
    this.name = "NotConnectedError";
  }
}

function notConnected(): never {
  throw new NotConnectedError();
}

const unconnectedTransport: Transport = {
  write: notConnected,
  writeSequence: notConnected,
  loseConnection: notConnected,
  abortConnection: notConnected,
  loseWriteConnection: notConnected,
  getPeer: notConnected,
  getHost: notConnected,
  setTcpNoDelay: notConnected,
  startTLS: notConnected,
  registerProducer: notConnected,
  unregisterProducer: notConnected,
  pauseProducing: notConnected,
  resumeProducing: notConnected,
  stopProducing: notConnected,
  get connection(): never {
    return notConnected();
  },
  get disconnecting(): never {
    return notConnected();
  },
  get reactor(): never {
    return notConnected();
  },
};

/**
 * The base class of Twisted-style protocols. Override the callbacks you need;
 * write with `this.transport.write(...)`.
 *
 * @example An echo protocol
 * ```ts
 * import { Factory, Protocol } from "@spindle/spindle/reactor";
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport.write(data);
 *   }
 * }
 * const factory = Factory.forProtocol(Echo);
 * console.assert(factory.buildProtocol({ transport: "memory", name: "x" }) instanceof Echo);
 * ```
 */
export class Protocol implements IProtocol {
  /** The transport this protocol talks through; set by `makeConnection`. */
  transport: Transport = unconnectedTransport;
  /** Whether `makeConnection` ran and `connectionLost` did not yet. */
  connected = false;
  /** The factory that built this protocol, if any. */
  factory: IProtocolFactory | null = null;

  /** Binds the protocol to `transport` and calls `connectionMade`. */
  makeConnection(transport: Transport): void {
    this.transport = transport;
    this.connected = true;
    this.connectionMade();
  }

  /** Called when the connection is established; the transport is usable. */
  connectionMade(): void {}

  /** Called with each chunk of bytes from the peer (chunks are arbitrary segments). */
  dataReceived(_data: Uint8Array): void {}

  /** Called once when the connection is gone. */
  connectionLost(_reason: Error): void {}
}
