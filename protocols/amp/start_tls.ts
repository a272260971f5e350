/**
 * Twisted's `amp.StartTLS`: the command after which both sides of an AMP
 * connection go on over TLS.
 *
 * @module
 */
import type { TLSCertificate } from "../../reactor/tls.ts";
import type { Argument } from "./arguments.ts";
import { type Command, defineCommand } from "./command.ts";

// Twisted's `_LocalArgument`: declared so that the command's types carry it,
// never sent. The AMP peer takes these values out before a box is written.
function local<T>(typeName: string): Argument<T, true> {
  return Object.freeze({
    optional: true,
    typeName,
    toBytes(): never {
      throw new TypeError(
        `${typeName} is a local StartTLS setting: it never goes on the wire, so it cannot be used in another command`,
      );
    },
    fromBytes: (): T => undefined as T,
  });
}

/** The arguments of {@linkcode StartTLS}, set on the caller's side only. */
export type StartTLSArguments = {
  /**
   * CA certificates (PEM) that the responder's certificate must chain to,
   * besides the system's (Twisted's `tls_verifyAuthorities`).
   */
  tls_verifyAuthorities: Argument<string[], true>;
  /**
   * The name the responder's certificate must be valid for (and the SNI sent);
   * default the peer's address. A Spindle extension: Twisted checks the chain
   * only.
   */
  tls_hostname: Argument<string, true>;
};

/** The response of {@linkcode StartTLS}, returned by the responder. */
export type StartTLSResponse = {
  /**
   * The responder's certificate chain and key (Twisted's
   * `tls_localCertificate`). Required: a responder that leaves it out fails
   * as one that threw.
   */
  tls_localCertificate: Argument<TLSCertificate, true>;
};

/**
 * Starts TLS on an AMP connection (Twisted's `amp.StartTLS`). The caller
 * sends it; the responder answers with its certificate, and from the answer
 * on both sides speak TLS on the same connection: the caller as the TLS
 * client, the responder as the TLS server. Boxes sent before the switch go in
 * the clear, boxes sent after it (even while the answer is on its way) are
 * held and go out encrypted. `callRemote(StartTLS, ...)` resolves once the
 * handshake is done, and fails with the handshake's error otherwise (the
 * connection is then closed). TLS starts once per connection: a second
 * StartTLS fails with {@linkcode OnlyOneTLSError}.
 *
 * The box on the wire is Twisted's (a bare `StartTLS` command and an empty
 * answer), so either side may be Twisted. Twisted gives the TLS client role
 * to the side that opened the TCP connection: against Twisted, call StartTLS
 * from the connecting side. Client certificates (Twisted's
 * `tls_localCertificate` on the caller, `tls_verifyAuthorities` on the
 * responder) are not supported. It needs a TCP connection made by a reactor.
 *
 * @example Usage
 * ```ts
 * import { AMP, StartTLS } from "@spindle/spindle/protocols/amp";
 * // The responder answers with its certificate and key (PEM)...
 * function tlsServer(cert: string, key: string): AMP {
 *   return new AMP().respond(StartTLS, () => ({ tls_localCertificate: { cert, key } }));
 * }
 * // ...and the caller checks them against its CA, then goes on over TLS.
 * async function secure(client: AMP, caPem: string): Promise<void> {
 *   await client.callRemote(StartTLS, { tls_verifyAuthorities: [caPem] });
 * }
 * console.assert(tlsServer("", "").locator.locateResponder("StartTLS")?.command === StartTLS);
 * console.assert(typeof secure === "function");
 * ```
 */
export const StartTLS: Command<StartTLSArguments, StartTLSResponse, true> =
  defineCommand({
    name: "StartTLS",
    arguments: {
      tls_verifyAuthorities: local<string[]>("tls_verifyAuthorities"),
      tls_hostname: local<string>("tls_hostname"),
    },
    response: {
      tls_localCertificate: local<TLSCertificate>("tls_localCertificate"),
    },
  });
