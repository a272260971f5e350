/**
 * `serveSMTP`: listen on endpoints and receive mail, in one call.
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
import type { SMTPDelivery } from "./delivery.ts";
import { SMTPServer, type SMTPServerOptions } from "./server.ts";

/**
 * Options of {@linkcode serveSMTP}: where to listen, and the server's.
 *
 * @example Usage
 * ```ts
 * import type { ServeSMTPOptions } from "@spindle/spindle/protocols/smtp";
 * const options: ServeSMTPOptions = {
 *   listen: ["tcp:2525:interface=127.0.0.1"],
 *   domains: ["example.test"],
 * };
 * console.assert(options.domains?.[0] === "example.test");
 * ```
 */
export interface ServeSMTPOptions extends SMTPServerOptions {
  /**
   * Where to listen: stream endpoint strings or objects, one or several
   * (`"tcp:2525"`; `"tls:465:certKey=c.pem:privateKey=k.pem"` for implicit
   * TLS, where AUTH is offered at once).
   */
  listen: string | ServerEndpoint | readonly (string | ServerEndpoint)[];
  /** Share the ports between processes (SO_REUSEPORT), for endpoint strings. */
  reusePort?: boolean;
  /** The reactor to listen with. Default: the module's default reactor. */
  reactor?: EndpointReactor;
}

/**
 * Listens on `options.listen` and serves SMTP there, handing mail to
 * `delivery` (an {@linkcode SMTPServer} shared by all endpoints). Resolves
 * once listening; `shutdown()` stops listening, answers sessions waiting for
 * a command `421 4.3.2` and closes them (a message in flight gets its reply
 * first), and resolves when they are gone.
 *
 * @example Usage
 * ```ts
 * import { type SMTPDelivery, serveSMTP } from "@spindle/spindle/protocols/smtp";
 * const delivery: SMTPDelivery = {
 *   validateTo: () => {},
 *   receiveMessage: async (_envelope, message) => void await new Response(message).bytes(),
 * };
 * await using server = await serveSMTP(delivery, {
 *   listen: "tcp:0:interface=127.0.0.1",
 *   domains: ["example.test"],
 * });
 * console.assert(server.addr.transport === "tcp");
 * ```
 */
export async function serveSMTP(
  delivery: SMTPDelivery,
  options: ServeSMTPOptions,
): Promise<RunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const server = new SMTPServer(delivery, {
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
