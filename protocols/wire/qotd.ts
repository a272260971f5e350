/**
 * The Quote of the Day protocol (RFC 865): one short message per
 * connection or datagram.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { MAX_QUOTE_LENGTH } from "./limits.ts";

/**
 * Options of {@linkcode qotd} and the datagram QOTD service.
 *
 * @example Usage
 * ```ts
 * import type { QotdOptions } from "@spindle/spindle/protocols/wire";
 * const options: QotdOptions = { quote: () => "Be curious.\r\n" };
 * console.assert(options.quote?.() === "Be curious.\r\n");
 * ```
 */
export interface QotdOptions {
  /**
   * Today's quote, asked for on each request; default
   * {@linkcode DEFAULT_QUOTE}. It must be printable ASCII, spaces and line
   * ends, at most {@linkcode MAX_QUOTE_LENGTH} bytes (RFC 865).
   */
  quote?: () => string;
}

/**
 * The quote of {@linkcode qotd} when none is given: Twisted's.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_QUOTE } from "@spindle/spindle/protocols/wire";
 * console.assert(DEFAULT_QUOTE.endsWith("\r\n"));
 * ```
 */
export const DEFAULT_QUOTE = "An apple a day keeps the doctor away.\r\n";

/**
 * A quote RFC 865 does not allow: longer than {@linkcode MAX_QUOTE_LENGTH}
 * bytes, or with characters other than printable ASCII, space, CR and LF.
 *
 * @example Usage
 * ```ts
 * import { InvalidQuoteError, encodeQuote } from "@spindle/spindle/protocols/wire";
 * try {
 *   encodeQuote("x".repeat(600));
 * } catch (error) {
 *   console.assert(error instanceof InvalidQuoteError);
 * }
 * ```
 */
export class InvalidQuoteError extends RangeError {
  /** Creates the error, saying what is wrong with the quote. */
  constructor(reason: string) {
    super(
      `The quote ${reason}: RFC 865 allows at most ${MAX_QUOTE_LENGTH} printable ASCII characters, spaces and line ends; shorten or fix it`,
    );
    this.name = "InvalidQuoteError";
  }
}

/**
 * The bytes of `quote`, checked against RFC 865.
 *
 * @throws {InvalidQuoteError} When it is too long or not printable ASCII.
 *
 * @example Usage
 * ```ts
 * import { encodeQuote } from "@spindle/spindle/protocols/wire";
 * console.assert(encodeQuote("Hi\r\n").length === 4);
 * ```
 */
export function encodeQuote(quote: string): Uint8Array {
  if (!/^[\x20-\x7e\r\n]*$/.test(quote)) {
    throw new InvalidQuoteError("holds characters outside printable ASCII");
  }
  if (quote.length > MAX_QUOTE_LENGTH) {
    throw new InvalidQuoteError(`is ${quote.length} characters long`);
  }
  return new TextEncoder().encode(quote);
}

/**
 * Serves one connection with the Quote of the Day protocol (RFC 865): sends
 * the quote and ends; the caller (the reactor) closes the connection when it
 * returns.
 *
 * @example Usage
 * ```ts
 * import { qotd } from "@spindle/spindle/protocols/wire";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(
 *   0,
 *   (conn) => qotd(conn, { quote: () => "Measure twice.\r\n" }),
 *   { interface: "127.0.0.1" },
 * );
 * await port.stopListening();
 * ```
 */
export async function qotd(
  conn: Connection,
  options: QotdOptions = {},
): Promise<void> {
  await conn.write(encodeQuote(options.quote?.() ?? DEFAULT_QUOTE));
}
