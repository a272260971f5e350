/**
 * DNS over UDP: {@linkcode DNSDatagramProtocol} answers each datagram with a
 * {@linkcode DNSServerFactory}.
 *
 * @module
 */
import type {
  DatagramHandler,
  DatagramTransport,
} from "../../reactor/interfaces.ts";
import { truncatedReply } from "./_response.ts";
import type { ResponseRateLimiter } from "./rate_limit.ts";
import type { DNSServerFactory } from "./server.ts";

/**
 * Options of {@linkcode DNSDatagramProtocol}.
 *
 * @example Usage
 * ```ts
 * import { type DNSDatagramOptions, ResponseRateLimiter } from "@spindle/spindle/protocols/dns";
 * const options: DNSDatagramOptions = {
 *   rateLimiter: new ResponseRateLimiter({ responsesPerSecond: 20 }),
 * };
 * console.assert(options.rateLimiter !== undefined);
 * ```
 */
export interface DNSDatagramOptions {
  /**
   * Limits the responses each client prefix gets (see
   * {@linkcode ResponseRateLimiter}). Default: none, every query is answered.
   */
  rateLimiter?: ResponseRateLimiter;
}

/**
 * Twisted's `DNSDatagramProtocol`: serves a {@linkcode DNSServerFactory} on a
 * UDP port; give it to a reactor's `listenUDP`.
 *
 * @example Usage
 * ```ts
 * import { DNSDatagramProtocol, DNSServerFactory, Zone } from "@spindle/spindle/protocols/dns";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 * const zone = Zone.parse("@ 60 IN SOA ns hm 1 60 60 60 60\n", { origin: "example.org" });
 * const reactor = new DenoReactor();
 * const port = await reactor.listenUDP(
 *   0,
 *   new DNSDatagramProtocol(new DNSServerFactory([zone])),
 *   { interface: "127.0.0.1" },
 * );
 * await port.stopListening();
 * ```
 */
export class DNSDatagramProtocol implements DatagramHandler {
  #factory: DNSServerFactory;
  #transport: DatagramTransport | undefined;
  #rateLimiter: ResponseRateLimiter | undefined;
  static #udp = { udp: true };

  /** Answers datagrams with `factory`, within `options.rateLimiter`'s limits if given. */
  constructor(factory: DNSServerFactory, options: DNSDatagramOptions = {}) {
    this.#factory = factory;
    this.#rateLimiter = options.rateLimiter;
  }

  /** Keeps the port to send answers with. */
  makeConnection(transport: DatagramTransport): void {
    this.#transport = transport;
  }

  /**
   * Answers one query; forwarded answers are sent when upstream replies. A
   * query over the rate limit is dropped, or answered with an empty
   * truncated reply when the limiter slips it, without being looked up.
   */
  datagramReceived(data: Uint8Array, addr: Deno.NetAddr): void {
    const transport = this.#transport;
    if (transport === undefined) return;
    if (this.#rateLimiter !== undefined) {
      const verdict = this.#rateLimiter.verdict(addr.hostname);
      if (verdict !== "send") {
        const reply = verdict === "slip" ? truncatedReply(data) : null;
        if (reply !== null) transport.write(reply, addr).catch(ignoreSendError);
        return;
      }
    }
    const response = this.#factory.answer(data, DNSDatagramProtocol.#udp);
    if (response instanceof Promise) {
      response.then((bytes) => {
        if (bytes !== null) return transport.write(bytes, addr);
      }).catch(ignoreSendError);
    } else if (response !== null) {
      transport.write(response, addr).catch(ignoreSendError);
    }
  }
}

/** An ICMP error from an earlier send, or a port closed meanwhile: the peer can retry. */
function ignoreSendError(): void {}
