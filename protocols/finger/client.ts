/**
 * The finger client (RFC 1288).
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { Reactor } from "../../reactor/interfaces.ts";
import { FINGER_PORT } from "./constants.ts";
import { FingerResponseTooLargeError } from "./errors.ts";
import { type FingerClientLimits, MAX_RESPONSE_SIZE } from "./limits.ts";
import { formatFingerQuery } from "./message.ts";

/**
 * Options of {@linkcode finger}.
 *
 * @example Usage
 * ```ts
 * import type { FingerOptions } from "@spindle/spindle/protocols/finger";
 * const options: FingerOptions = { port: 7979, verbose: true };
 * console.assert(options.verbose);
 * ```
 */
export interface FingerOptions extends FingerClientLimits {
  /** The server's port; default {@linkcode FINGER_PORT} (79). */
  port?: number;
  /** Ask for the long form (`/W`). */
  verbose?: boolean;
  /** Milliseconds to connect before failing with `ConnectTimeoutError`. */
  timeout?: number;
  /** The reactor to connect with; default: the default reactor. */
  reactor?: Reactor;
}

/**
 * Asks the finger server on `host` about `user` (`""`: who is there) and
 * resolves to its answer, as the server sent it (CRLF line ends).
 *
 * @throws {FingerResponseTooLargeError} When the answer passes `maxResponseSize`.
 * @throws {InvalidFingerQueryError} When `user` holds spaces or `@`.
 *
 * @example Usage
 * ```ts ignore
 * import { finger } from "@spindle/spindle/protocols/finger";
 * console.log(await finger("localhost", "alice"));
 * ```
 */
export async function finger(
  host: string,
  user: string,
  options: FingerOptions = {},
): Promise<string> {
  const query = formatFingerQuery({
    user,
    verbose: options.verbose ?? false,
    hosts: [],
  });
  const limit = options.maxResponseSize ?? MAX_RESPONSE_SIZE;
  const conn = await (options.reactor ?? defaultReactor).connectTCP(
    host,
    options.port ?? FINGER_PORT,
    { timeout: options.timeout },
  );
  try {
    await conn.write(new TextEncoder().encode(query));
    const decoder = new TextDecoder();
    let text = "";
    let size = 0;
    for (let chunk; (chunk = await conn.read()) !== null;) {
      size += chunk.length;
      if (size > limit) throw new FingerResponseTooLargeError(limit);
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    await conn.close();
  }
}
