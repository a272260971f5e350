/**
 * The inetd services over UDP: one reply datagram per datagram received.
 *
 * @module
 */
import type {
  DatagramHandler,
  DatagramTransport,
} from "../../reactor/interfaces.ts";
import { INETD_PORTS, type InetdServiceName } from "./constants.ts";
import { CHARGEN_CYCLE } from "./chargen.ts";
import { type ClockOptions, formatDaytime } from "./daytime.ts";
import { MAX_CHARGEN_DATAGRAM } from "./limits.ts";
import { DEFAULT_QUOTE, encodeQuote, type QotdOptions } from "./qotd.ts";
import { encodeTime } from "./time.ts";

/**
 * Options of {@linkcode inetdDatagramHandler}.
 *
 * @example Usage
 * ```ts
 * import type { InetdDatagramOptions } from "@spindle/spindle/protocols/wire";
 * const options: InetdDatagramOptions = { random: () => 0.5 };
 * console.assert(options.random?.() === 0.5);
 * ```
 */
export interface InetdDatagramOptions extends ClockOptions, QotdOptions {
  /** A number in [0, 1) picking chargen's reply length; default `Math.random`. */
  random?: () => number;
}

// Source ports whose datagrams are dropped: another host's small services
// would answer our reply, and two of them (echo and chargen) bounce
// datagrams between each other forever — the classic UDP service loop that
// spoofed packets start. Port 0 is never a real sender.
const SERVICE_PORTS = new Set([0, ...Object.values(INETD_PORTS)]);

function reply(
  name: InetdServiceName,
  data: Uint8Array,
  options: InetdDatagramOptions,
): Uint8Array | null {
  const now = options.now ?? Date.now;
  switch (name) {
    case "echo":
      return data;
    case "discard":
      return null;
    case "chargen": {
      // RFC 864: a random number of characters between 0 and 512.
      const length = Math.floor(
        (options.random ?? Math.random)() * (MAX_CHARGEN_DATAGRAM + 1),
      );
      return CHARGEN_CYCLE.subarray(0, length);
    }
    case "daytime":
      return new TextEncoder().encode(formatDaytime(now()));
    case "time":
      return encodeTime(now());
    case "qotd":
      return encodeQuote(options.quote?.() ?? DEFAULT_QUOTE);
  }
}

/**
 * A UDP handler for the inetd service `name` (Twisted's `wire` services over
 * UDP): echo sends each datagram back (RFC 862), discard drops it (863),
 * chargen answers 0 to 512 characters of the pattern (864), daytime,
 * time and QOTD answer as over TCP (867, 868, 865). Datagrams from the
 * services' own well-known ports (7, 9, 13, 17, 19, 37) or port 0 are dropped,
 * so that spoofed datagrams cannot start a loop between two such servers.
 *
 * These services reflect traffic at whatever address a datagram claims to
 * come from: serve them on interfaces you trust (`spindle inetd` binds
 * 127.0.0.1 unless told otherwise).
 *
 * @example Usage
 * ```ts
 * import { inetdDatagramHandler } from "@spindle/spindle/protocols/wire";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const port = await reactor.listenUDP(0, inetdDatagramHandler("echo"), {
 *   interface: "127.0.0.1",
 * });
 * await port.stopListening();
 * ```
 */
export function inetdDatagramHandler(
  name: InetdServiceName,
  options: InetdDatagramOptions = {},
): DatagramHandler {
  let transport: DatagramTransport | undefined;
  return {
    makeConnection(bound) {
      transport = bound;
    },
    async datagramReceived(data, from) {
      if (SERVICE_PORTS.has(from.port)) return;
      const answer = reply(name, data, options);
      if (answer !== null) await transport?.write(answer, from);
    },
  };
}
