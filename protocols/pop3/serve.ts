/**
 * `servePOP3`: listen on endpoints and serve maildirs over POP3, in one call.
 *
 * @module
 */
import type { Portal } from "../../cred/portal.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type EndpointReactor,
  listenAll,
  type ServerEndpoint,
} from "../../reactor/endpoints/mod.ts";
import type { Connection, RunningServer } from "../../reactor/interfaces.ts";
import { runningServer } from "../../reactor/running_server.ts";
import type { Maildir } from "../mail/maildir.ts";
import { POP3Server, type POP3ServerOptions } from "./server.ts";

/**
 * Options of {@linkcode servePOP3}: where to listen, and the server's.
 *
 * @example Usage
 * ```ts
 * import type { ServePOP3Options } from "@spindle/spindle/protocols/pop3";
 * const options: ServePOP3Options = { listen: "tcp:1110:interface=127.0.0.1" };
 * console.assert(options.listen === "tcp:1110:interface=127.0.0.1");
 * ```
 */
export interface ServePOP3Options extends POP3ServerOptions {
  /**
   * Where to listen: stream endpoint strings or objects, one or several
   * (`"tcp:1110"`; `"tls:995:certKey=c.pem:privateKey=k.pem"` for implicit TLS).
   */
  listen: string | ServerEndpoint | readonly (string | ServerEndpoint)[];
  /** Share the ports between processes (SO_REUSEPORT), for endpoint strings. */
  reusePort?: boolean;
  /** The reactor to listen with. Default: the module's default reactor. */
  reactor?: EndpointReactor;
}

/**
 * Listens on `options.listen` and serves POP3 there, logging users in
 * through `portal` (whose avatars are maildirs: `MailRealm`). Resolves once
 * listening; `shutdown()` stops listening and closes every session (their
 * deletions are not applied, as for a dropped connection).
 *
 * @example Usage
 * ```ts
 * import { MailRealm, MailStore } from "@spindle/spindle/protocols/mail";
 * import { servePOP3 } from "@spindle/spindle/protocols/pop3";
 * import { InMemoryPasswordChecker, Portal } from "@spindle/spindle/cred";
 * const portal = new Portal(new MailRealm(new MailStore("/var/mail")), [
 *   new InMemoryPasswordChecker({ alice: "secret" }),
 * ]);
 * await using server = await servePOP3(portal, { listen: "tcp:0:interface=127.0.0.1" });
 * console.assert(server.addr.transport === "tcp");
 * ```
 */
export async function servePOP3(
  portal: Portal<Maildir, null>,
  options: ServePOP3Options,
): Promise<RunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const server = new POP3Server(portal, {
    ...options,
    clock: options.clock ?? reactor,
  });
  const ports = await listenAll(
    options.listen,
    (conn: Connection) => server.handleConnection(conn),
    { reactor, reusePort: options.reusePort },
  );
  return runningServer(ports, { drain: () => server.shutdown() });
}
