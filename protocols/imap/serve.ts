/**
 * `serveIMAP`: listen on an endpoint and serve IMAP over a mail store, in
 * one call.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type EndpointReactor,
  listenAll,
  type ServerEndpoint,
} from "../../reactor/endpoints/mod.ts";
import type { Connection, RunningServer } from "../../reactor/interfaces.ts";
import { runningServer } from "../../reactor/running_server.ts";
import type { MailStore } from "../mail/store.ts";
import { IMAPServer, type IMAPServerOptions } from "./server.ts";

/**
 * Options of {@linkcode serveIMAP}: where to listen, and the server's.
 *
 * @example Usage
 * ```ts
 * import type { ServeIMAPOptions } from "@spindle/spindle/protocols/imap";
 * import { checkerFromString } from "@spindle/spindle/cred";
 * const options: ServeIMAPOptions = {
 *   listen: "tcp:1143:interface=127.0.0.1",
 *   checker: checkerFromString("file:users.txt"),
 * };
 * console.assert(options.listen.toString().startsWith("tcp"));
 * ```
 */
export interface ServeIMAPOptions extends IMAPServerOptions {
  /**
   * Where to listen: `"tcp:1143"`, or `"tls:993:certKey=c.pem:privateKey=k.pem"`
   * for implicit TLS (RFC 8314), or an endpoint object; or several of them.
   */
  listen: string | ServerEndpoint | readonly (string | ServerEndpoint)[];
  /** Share the port between processes (SO_REUSEPORT), for an endpoint string. */
  reusePort?: boolean;
  /** The reactor to listen with. Default: the module's default reactor. */
  reactor?: EndpointReactor;
}

/**
 * Listens on `options.listen` and serves IMAP over `store` (see
 * {@linkcode IMAPServer}). Resolves once listening; `shutdown()` stops
 * listening, says BYE to every session and resolves when they are gone.
 *
 * @example Usage
 * ```ts
 * import { serveIMAP } from "@spindle/spindle/protocols/imap";
 * import { MailStore } from "@spindle/spindle/protocols/mail";
 * import { checkerFromString } from "@spindle/spindle/cred";
 * const root = await Deno.makeTempDir();
 * const server = await serveIMAP(new MailStore(root), {
 *   listen: "tcp:0:interface=127.0.0.1",
 *   checker: checkerFromString("memory:alice=pw"),
 * });
 * console.assert(server.addr.transport === "tcp");
 * await server.shutdown();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function serveIMAP(
  store: MailStore,
  options: ServeIMAPOptions,
): Promise<RunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const server = new IMAPServer(store, options);
  const sessions = new Set<Promise<void>>();
  const ports = await listenAll(
    options.listen,
    async (conn: Connection) => {
      const session = server.serve(conn);
      sessions.add(session);
      await session;
      sessions.delete(session);
    },
    { reactor, reusePort: options.reusePort },
  );
  return runningServer(ports, {
    drain: async () => {
      await server.closeAll();
      await Promise.all(sessions);
    },
  });
}
