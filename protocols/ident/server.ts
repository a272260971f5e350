/**
 * The ident server (RFC 1413): names the owner of a connection.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { Address, Connection } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { LineDecoderCore } from "../basic/line.ts";
import { InvalidIdentLineError } from "./errors.ts";
import { DEFAULT_IDENT_TIMEOUT, MAX_IDENT_QUERY_LENGTH } from "./limits.ts";
import {
  formatIdentReply,
  type IdentQuery,
  parseIdentQuery,
} from "./message.ts";

/**
 * What an {@linkcode IdentLookup} answers: the owner, or an error code
 * (`NO-USER`, `HIDDEN-USER`, `UNKNOWN-ERROR` or an `X...` one).
 *
 * @example Usage
 * ```ts
 * import type { IdentAnswer } from "@spindle/spindle/protocols/ident";
 * const answer: IdentAnswer = { userId: "alice" };
 * console.assert("userId" in answer);
 * ```
 */
export type IdentAnswer =
  | {
    /** The owner's user id. */
    userId: string;
    /** The operating system token; default `"UNIX"`. */
    opsys?: string;
  }
  | {
    /** The error code. */
    error: string;
  };

/**
 * Who asks: the addresses of the ident connection, so that a lookup can
 * answer only about connections between the same two hosts (RFC 1413).
 *
 * @example Usage
 * ```ts
 * import type { IdentAsker } from "@spindle/spindle/protocols/ident";
 * const asker: IdentAsker = {
 *   localAddr: { transport: "tcp", hostname: "127.0.0.1", port: 113 },
 *   remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
 * };
 * console.assert(asker.localAddr.transport === "tcp");
 * ```
 */
export interface IdentAsker {
  /** This end of the ident connection. */
  localAddr: Address;
  /** The asking host's end. */
  remoteAddr: Address;
}

/**
 * The pluggable part of the ident server: who owns the connection between
 * `query.serverPort` here and `query.clientPort` on the asker's host.
 * `null` answers `NO-USER`.
 *
 * @example Usage
 * ```ts
 * import type { IdentLookup } from "@spindle/spindle/protocols/ident";
 * const lookup: IdentLookup = (query) =>
 *   query.serverPort === 6667 ? { userId: "ircd" } : null;
 * console.assert(lookup({ serverPort: 1, clientPort: 2 }, {
 *   localAddr: { transport: "memory", name: "a" },
 *   remoteAddr: { transport: "memory", name: "b" },
 * }) === null);
 * ```
 */
export type IdentLookup = (
  query: IdentQuery,
  asker: IdentAsker,
) => IdentAnswer | null | Promise<IdentAnswer | null>;

/**
 * Options of {@linkcode identHandler}.
 *
 * @example Usage
 * ```ts
 * import type { IdentServerOptions } from "@spindle/spindle/protocols/ident";
 * const options: IdentServerOptions = { timeout: 30_000 };
 * console.assert(options.timeout === 30_000);
 * ```
 */
export interface IdentServerOptions {
  /** Milliseconds to wait for each query; default {@linkcode DEFAULT_IDENT_TIMEOUT}. */
  timeout?: number;
  /** The clock of the timeout; default: the default reactor. */
  reactor?: IReactorTime;
}

/**
 * A connection handler that serves ident (RFC 1413) from `lookup`: each
 * query line (`6193, 23`) gets one reply line, until the client closes or
 * sends nothing for `timeout` ms. A malformed query gets `ERROR :
 * INVALID-PORT`, as the RFC says, and the connection goes on.
 *
 * @example Usage
 * ```ts
 * import { identHandler } from "@spindle/spindle/protocols/ident";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const handler = identHandler(() => ({ userId: "alice" }), { reactor });
 * const port = await reactor.listenTCP(0, handler, { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export function identHandler(
  lookup: IdentLookup,
  options: IdentServerOptions = {},
): (conn: Connection) => Promise<void> {
  const clock = options.reactor ?? defaultReactor;
  const timeout = options.timeout ?? DEFAULT_IDENT_TIMEOUT;
  return async (conn) => {
    const reader = new MessageReader(
      conn,
      new LineDecoderCore({
        delimiter: "\n",
        maxLength: MAX_IDENT_QUERY_LENGTH,
      }),
    );
    const asker = { localAddr: conn.localAddr, remoteAddr: conn.remoteAddr };
    for (;;) {
      const timer = clock.callLater(timeout, () => conn.abort());
      let line: string | null;
      try {
        line = await reader.read();
      } finally {
        if (timer.active()) timer.cancel();
      }
      if (line === null) return;
      let reply: string;
      try {
        const query = parseIdentQuery(line);
        const answer = await lookup(query, asker) ?? { error: "NO-USER" };
        reply = formatIdentReply(
          "error" in answer ? { ...query, error: answer.error } : {
            ...query,
            userId: answer.userId,
            opsys: answer.opsys ?? "UNIX",
          },
        );
      } catch (error) {
        if (!(error instanceof InvalidIdentLineError)) throw error;
        // RFC 1413: unparsable ports are answered with INVALID-PORT, echoing
        // the line's ports as sent (0 when there were none to echo).
        const [server = "0", client = "0"] = line.split(",").map((part) =>
          /^\s*\d{1,5}\s*$/.test(part) ? part.trim() : "0"
        );
        reply = `${server}, ${client} : ERROR : INVALID-PORT\r\n`;
      }
      await conn.write(new TextEncoder().encode(reply));
    }
  };
}
