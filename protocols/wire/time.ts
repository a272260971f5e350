/**
 * The Time protocol (RFC 868): seconds since 1900 as 32 bits.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { TIME_EPOCH_OFFSET } from "./constants.ts";
import type { ClockOptions } from "./daytime.ts";

/**
 * The 4 bytes of the Time protocol for `ms` since 1970: the seconds since
 * 1900-01-01 UTC, big-endian, modulo 2^32 (RFC 868's counter wraps in 2036,
 * and clients such as `rdate` read it as wrapped).
 *
 * @example Usage
 * ```ts
 * import { encodeTime } from "@spindle/spindle/protocols/wire";
 * console.assert(new DataView(encodeTime(0).buffer).getUint32(0) === 2_208_988_800);
 * ```
 */
export function encodeTime(ms: number): Uint8Array {
  const bytes = new Uint8Array(4);
  const seconds = (Math.floor(ms / 1000) + TIME_EPOCH_OFFSET) % 2 ** 32;
  new DataView(bytes.buffer).setUint32(0, seconds);
  return bytes;
}

/**
 * Serves one connection with the Time protocol (RFC 868): sends the time
 * ({@linkcode encodeTime}) and ends; the caller (the reactor) closes the
 * connection when it returns.
 *
 * @example Usage
 * ```ts
 * import { time } from "@spindle/spindle/protocols/wire";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, (conn) => time(conn), {
 *   interface: "127.0.0.1",
 * });
 * await port.stopListening();
 * ```
 */
export async function time(
  conn: Connection,
  options: ClockOptions = {},
): Promise<void> {
  await conn.write(encodeTime((options.now ?? Date.now)()));
}
