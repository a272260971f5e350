/**
 * The finger server (RFC 1288): one query line in, one answer out.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { LineDecoderCore } from "../basic/line.ts";
import { FORWARDING_DENIED } from "./constants.ts";
import { FingerQueryTimeoutError, InvalidFingerQueryError } from "./errors.ts";
import {
  DEFAULT_QUERY_TIMEOUT,
  type FingerServerLimits,
  MAX_QUERY_LENGTH,
} from "./limits.ts";
import {
  type FingerQuery,
  parseFingerQuery,
  sanitizeFingerText,
} from "./message.ts";

/**
 * Where the finger server looks users up (Twisted's `IFingerService`): the
 * pluggable part of the server.
 *
 * @example A directory of one user
 * ```ts
 * import type { FingerDirectory } from "@spindle/spindle/protocols/finger";
 * const directory: FingerDirectory = {
 *   user: (name) => name === "alice" ? "Login: alice\nPlan: tea\n" : null,
 * };
 * console.assert(directory.user("bob", { user: "bob", verbose: false, hosts: [] }) === null);
 * ```
 */
export interface FingerDirectory {
  /** What to say about user `name`, or `null` when there is no such user. */
  user(
    name: string,
    query: FingerQuery,
  ): string | null | Promise<string | null>;
  /**
   * The answer to an empty query (the users logged in); without it the
   * server refuses such queries, as RFC 1288 §3.2.2 allows.
   */
  list?(query: FingerQuery): string | Promise<string>;
}

/**
 * Options of {@linkcode fingerHandler}.
 *
 * @example Usage
 * ```ts
 * import type { FingerServerOptions } from "@spindle/spindle/protocols/finger";
 * const options: FingerServerOptions = { queryTimeout: 5_000 };
 * console.assert(options.queryTimeout === 5_000);
 * ```
 */
export interface FingerServerOptions extends FingerServerLimits {
  /** The clock of the query timeout; default: the default reactor. */
  reactor?: IReactorTime;
}

/** The answer to an empty query when the directory cannot list users. */
const LIST_DENIED = "Finger online user list denied\r\n";

async function answer(
  directory: FingerDirectory,
  line: string,
): Promise<string> {
  let query: FingerQuery;
  try {
    query = parseFingerQuery(line);
  } catch (error) {
    if (error instanceof InvalidFingerQueryError) {
      return "finger: bad query: send a user name, or none\r\n";
    }
    throw error;
  }
  if (query.hosts.length > 0) return FORWARDING_DENIED;
  if (query.user === "") {
    return directory.list === undefined
      ? LIST_DENIED
      : sanitizeFingerText(await directory.list(query));
  }
  const text = await directory.user(query.user, query);
  return text === null
    ? `finger: ${query.user}: no such user\r\n`
    : sanitizeFingerText(text);
}

/**
 * A connection handler that serves finger (RFC 1288) from `directory`: it
 * reads one query line, answers with the directory's text (made safe for
 * terminals by {@linkcode sanitizeFingerText}) and ends. It refuses
 * forwarding (`user@host`) and, when the directory has no `list`, listing.
 * A client that sends no line within `queryTimeout` is cut off.
 *
 * @example Usage
 * ```ts
 * import { fingerHandler } from "@spindle/spindle/protocols/finger";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const handler = fingerHandler({ user: () => "Plan: world peace\n" }, { reactor });
 * const port = await reactor.listenTCP(0, handler, { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export function fingerHandler(
  directory: FingerDirectory,
  options: FingerServerOptions = {},
): (conn: Connection) => Promise<void> {
  const clock = options.reactor ?? defaultReactor;
  const timeout = options.queryTimeout ?? DEFAULT_QUERY_TIMEOUT;
  const maxLength = options.maxQueryLength ?? MAX_QUERY_LENGTH;
  return async (conn: Connection) => {
    const timer = clock.callLater(
      timeout,
      () => conn.abort(new FingerQueryTimeoutError(timeout)),
    );
    let line: string | null;
    try {
      // "\n" also takes the "\r\n" of RFC 1288 (the core drops the "\r").
      const reader = new MessageReader(
        conn,
        new LineDecoderCore({ delimiter: "\n", maxLength }),
      );
      line = await reader.read();
    } finally {
      if (timer.active()) timer.cancel();
    }
    if (line === null) return;
    await conn.write(new TextEncoder().encode(await answer(directory, line)));
  };
}
