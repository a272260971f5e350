/**
 * The ident client (RFC 1413).
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { Reactor } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import { LineDecoderCore } from "../basic/line.ts";
import { IDENT_PORT } from "./constants.ts";
import { IdentServerError, InvalidIdentLineError } from "./errors.ts";
import { MAX_IDENT_REPLY_LENGTH } from "./limits.ts";
import { type IdentQuery, parseIdentReply } from "./message.ts";

/**
 * Options of {@linkcode ident}.
 *
 * @example Usage
 * ```ts
 * import type { IdentOptions } from "@spindle/spindle/protocols/ident";
 * const options: IdentOptions = { port: 1113, timeout: 5_000 };
 * console.assert(options.port === 1113);
 * ```
 */
export interface IdentOptions {
  /** The ident server's port; default {@linkcode IDENT_PORT} (113). */
  port?: number;
  /** Milliseconds to connect before failing with `ConnectTimeoutError`. */
  timeout?: number;
  /** The reactor to connect with; default: the default reactor. */
  reactor?: Reactor;
}

/**
 * Who owns a connection, as the ident server said.
 *
 * @example Usage
 * ```ts
 * import type { IdentOwner } from "@spindle/spindle/protocols/ident";
 * const owner: IdentOwner = { userId: "alice", opsys: "UNIX" };
 * console.assert(owner.opsys === "UNIX");
 * ```
 */
export interface IdentOwner {
  /** The user id. */
  userId: string;
  /** The operating system token, with `,charset` if the server sent one. */
  opsys: string;
}

/**
 * Asks the ident server on `host` who owns the connection from its port
 * `query.serverPort` to our port `query.clientPort`, and checks the reply
 * strictly ({@linkcode parseIdentReply}, and the same ports as asked).
 *
 * @throws {IdentServerError} When the server answers with an ERROR.
 * @throws {InvalidIdentLineError} When the reply is malformed or about other ports.
 *
 * @example Usage
 * ```ts ignore
 * import { ident } from "@spindle/spindle/protocols/ident";
 * const { userId } = await ident("192.0.2.7", { serverPort: 6193, clientPort: 23 });
 * ```
 */
export async function ident(
  host: string,
  query: IdentQuery,
  options: IdentOptions = {},
): Promise<IdentOwner> {
  const conn = await (options.reactor ?? defaultReactor).connectTCP(
    host,
    options.port ?? IDENT_PORT,
    { timeout: options.timeout },
  );
  try {
    await conn.write(
      new TextEncoder().encode(`${query.serverPort}, ${query.clientPort}\r\n`),
    );
    const reader = new MessageReader(
      conn,
      new LineDecoderCore({
        delimiter: "\n",
        maxLength: MAX_IDENT_REPLY_LENGTH,
      }),
    );
    const line = await reader.read();
    if (line === null) {
      throw new InvalidIdentLineError("", "never came: the server closed");
    }
    const reply = parseIdentReply(line);
    if (
      reply.serverPort !== query.serverPort ||
      reply.clientPort !== query.clientPort
    ) {
      throw new InvalidIdentLineError(line, "answers about other ports");
    }
    if (reply.error !== undefined) throw new IdentServerError(reply.error);
    return { userId: reply.userId, opsys: reply.opsys };
  } finally {
    await conn.close();
  }
}
