/**
 * Twisted's `DatagramProtocol`: the base class of UDP protocols run by
 * `listenUDP`.
 *
 * @module
 */
import type { DatagramHandler, DatagramTransport } from "./interfaces.ts";
import { NotConnectedError } from "./protocol.ts";

function notListening(): never {
  throw new NotConnectedError(
    "the datagram protocol is not listening yet: send from startProtocol or later",
  );
}

const unboundTransport: DatagramTransport = {
  getHost: notListening,
  write: notListening,
  stopListening: notListening,
  [Symbol.asyncDispose]: notListening,
};

/**
 * The base class of UDP protocols: override `datagramReceived` (and
 * `startProtocol` / `stopProtocol`), send with `this.transport.write(data,
 * addr)`, and pass an instance to `listenUDP` or a `udp:` endpoint.
 *
 * @example A UDP echo protocol
 * ```ts
 * import { DatagramProtocol, DenoReactor } from "@spindle/spindle/reactor";
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: Deno.NetAddr): void {
 *     this.transport.write(data, addr);
 *   }
 * }
 * const reactor = new DenoReactor();
 * const port = await reactor.listenUDP(0, new Echo(), { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export class DatagramProtocol implements DatagramHandler {
  /** The bound socket; set by `makeConnection`. */
  transport: DatagramTransport = unboundTransport;
  /** How many ports this protocol is listening on. */
  numPorts = 0;

  /** Binds the protocol to `transport` and starts it (first port only). */
  makeConnection(transport: DatagramTransport): void {
    this.transport = transport;
    this.doStart();
  }

  /** Counts a port in; the first one calls `startProtocol`. */
  doStart(): void {
    if (this.numPorts === 0) this.startProtocol();
    this.numPorts++;
  }

  /** Counts a port out; the last one calls `stopProtocol`. */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0) this.stopProtocol();
  }

  /** Called when the protocol starts listening; `transport` is usable. */
  startProtocol(): void {}

  /** Called when the protocol stopped listening. */
  stopProtocol(): void {}

  /** Called with each datagram received and where it came from. */
  datagramReceived(_data: Uint8Array, _addr: Deno.NetAddr): void {}
}
