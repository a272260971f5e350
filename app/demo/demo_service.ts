/**
 * What one service of `spindle demo` is: the shape every file in
 * `app/demo/` that adds a service exports (see `app/demo/services.ts` for
 * the convention of joining the demo).
 *
 * @module
 */
import type { Service } from "../service.ts";

/**
 * A copy-paste command that tries a demo service: shown on the landing page
 * and in the terminal, and run by `tests/readme_quickstart_test.ts` (with
 * `sh -c`, in CI), which checks that its output holds
 * {@linkcode TryIt.expect}.
 *
 * @example Usage
 * ```ts
 * import type { TryIt } from "./demo_service.ts";
 * const tryIt: TryIt = {
 *   command: "echo hello | nc -N 127.0.0.1 20007",
 *   expect: "hello",
 * };
 * console.assert(tryIt.expect === "hello");
 * ```
 */
export interface TryIt {
  /**
   * A shell command that needs no typing: it ends by itself within a few
   * seconds (`nc -N`, `printf ... |`, `curl -s`). Its program comes from a
   * Debian package that `.ci/run` installs (`APT_PACKAGES`).
   */
  command: string;
  /** Text that the command's output holds when the service works. */
  expect: string;
  /** One more line for people: what else to try by hand (an interactive client). */
  note?: string;
}

/**
 * Where a demo service listens: always loopback, on the port base plus the
 * service's {@linkcode DemoService.port}.
 *
 * @example Usage
 * ```ts
 * import type { DemoAddress } from "./demo_service.ts";
 * const address: DemoAddress = { hostname: "127.0.0.1", port: 20007 };
 * console.assert(address.port === 20007);
 * ```
 */
export interface DemoAddress {
  /** `127.0.0.1`: the demo listens on loopback only. */
  hostname: string;
  /** The port it got: the port base plus its offset. */
  port: number;
}

/**
 * A running demo service as the landing page lists it.
 *
 * @example Usage
 * ```ts
 * import type { DemoListing } from "./demo_service.ts";
 * const listing: DemoListing = {
 *   name: "echo",
 *   description: "sends every byte back",
 *   address: { hostname: "127.0.0.1", port: 20007 },
 *   transports: ["tcp"],
 *   tryIt: [{ command: "echo hi | nc -N 127.0.0.1 20007", expect: "hi" }],
 * };
 * console.assert(listing.tryIt.length === 1);
 * ```
 */
export interface DemoListing {
  /** The service's name. */
  name: string;
  /** What it is, in one line. */
  description: string;
  /** Where it listens. */
  address: DemoAddress;
  /** The transports it listens on at that port. */
  transports: readonly ("tcp" | "udp")[];
  /** Its try-it commands for that address. */
  tryIt: readonly TryIt[];
}

/**
 * What a demo service gets to build itself.
 *
 * @example Usage
 * ```ts
 * import type { DemoContext } from "./demo_service.ts";
 * const context: DemoContext = {
 *   address: { hostname: "127.0.0.1", port: 20007 },
 *   services: [],
 *   dataDir: "/tmp/spindle-demo",
 * };
 * console.assert(context.services.length === 0);
 * ```
 */
export interface DemoContext {
  /** Where this service must listen. */
  address: DemoAddress;
  /** Every service of the demo (this one included), for pages that list them. */
  services: readonly DemoListing[];
  /**
   * A fresh temporary folder for files the service needs (a maildir, a
   * generated host key); the demo deletes it when it stops.
   */
  dataDir: string;
}

/**
 * One service of `spindle demo`, exported by its own file in `app/demo/` and
 * named once in the list of `app/demo/services.ts`.
 *
 * @example A demo service that greets each connection
 * ```ts
 * import type { DemoService } from "./demo_service.ts";
 * import { StreamServerEndpointService } from "../endpoint_service.ts";
 *
 * const greeting = new TextEncoder().encode("hello\n");
 * export const greet: DemoService = {
 *   name: "greet",
 *   description: "says hello to each connection",
 *   port: 4242,
 *   tryIt: ({ hostname, port }) => [
 *     { command: `nc -N ${hostname} ${port} </dev/null`, expect: "hello" },
 *   ],
 *   makeService: ({ address }) =>
 *     new StreamServerEndpointService(
 *       `tcp:${address.port}:interface=${address.hostname}`,
 *       async (conn) => {
 *         await conn.write(greeting);
 *         await conn.close();
 *       },
 *       { name: "greet" },
 *     ),
 * };
 * ```
 */
export interface DemoService {
  /** A short name, unique in the demo (the service's name in the application). */
  name: string;
  /** What it is, in one line, for the landing page and the terminal. */
  description: string;
  /**
   * The offset of its port from the port base (20000 unless `--port-base`):
   * the protocol's usual port (DNS 53, so 20053), unique in the demo.
   */
  port: number;
  /** The transports it binds at that port (the demo checks each is free); default `["tcp"]`. */
  transports?: readonly ("tcp" | "udp")[];
  /** Its try-it commands, for the address it got. */
  tryIt(address: DemoAddress): readonly TryIt[];
  /** Builds the service (not started); it must listen on `context.address` only. */
  makeService(context: DemoContext): Service | Promise<Service>;
}

/**
 * The endpoint string of `address` for `kind` (`tcp`, `udp`), for the
 * services that listen through endpoint strings.
 *
 * @example Usage
 * ```ts
 * import { endpointString } from "./demo_service.ts";
 * const listen = endpointString({ hostname: "127.0.0.1", port: 20007 });
 * console.assert(listen === "tcp:20007:interface=127.0.0.1");
 * ```
 */
export function endpointString(
  address: DemoAddress,
  kind: "tcp" | "udp" = "tcp",
): string {
  return `${kind}:${address.port}:interface=${address.hostname}`;
}
