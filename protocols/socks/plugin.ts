/**
 * The `spindle socks` command: a SOCKS 4/4a/5 proxy.
 *
 * @module
 */
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import type { Deferred } from "../../deferred/deferred.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import type { CredentialsChecker } from "../../cred/checker.ts";
import { checkerFromString } from "../../cred/checker_string.ts";
import { systemResolver } from "../dns/system_resolver.ts";
import { OpenProxyError } from "./errors.ts";
import { AccessPolicy } from "./rules.ts";
import { isLoopback } from "./serve.ts";
import { type HostResolver, socksHandler } from "./server.ts";

/**
 * The options of `spindle socks`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { SocksPluginOptions } from "./plugin.ts";
 * const options: SocksPluginOptions = { listen: "tcp:1080:interface=127.0.0.1", allow: [], deny: [] };
 * console.assert(options.users === undefined);
 * ```
 */
export interface SocksPluginOptions {
  /** The endpoint string to listen on. */
  listen: string;
  /** `--allow` rules. */
  allow: string[];
  /** `--deny` rules. */
  deny: string[];
  /** The user file of `--users`; none: no logins (loopback only). */
  users?: string;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/**
 * A service that listens like an endpoint service, and refuses to start
 * an open proxy on a non-loopback interface.
 */
class SocksService extends StreamServerEndpointService {
  #open: boolean;

  constructor(
    listen: string,
    handler: (conn: Connection) => Promise<void>,
    options: { reusePort: boolean; open: boolean },
  ) {
    super(listen, handler, { reusePort: options.reusePort, name: "socks" });
    this.#open = options.open;
  }

  override startService(): Deferred<void> {
    return super.startService().addCallback(async () => {
      const host = this.port?.getHost();
      if (
        this.#open && host !== undefined && "hostname" in host &&
        !isLoopback(host.hostname)
      ) {
        await this.stopService();
        throw new OpenProxyError(host.hostname);
      }
    });
  }
}

/**
 * `spindle socks --listen tcp:1080 [--allow RULE]... [--deny RULE]...
 * [--users FILE]`: a SOCKS 4/4a/5 proxy. Destinations in loopback, private
 * or link-local ranges are refused unless an `--allow` matches; `--deny`
 * wins over `--allow`. Without `--users` it listens on loopback only.
 * Host names are resolved with Spindle's resolver over the name servers of
 * /etc/resolv.conf (and /etc/hosts).
 *
 * @example Usage
 * ```ts
 * import { plugin } from "./plugin.ts";
 * const options = await plugin.validate({
 *   options: { listen: "tcp:0:interface=127.0.0.1", allow: ["127.0.0.1"], deny: [] },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const plugin: Plugin<SocksPluginOptions> = {
  name: "socks",
  description: "a SOCKS 4/4a/5 proxy with destination rules and logins",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description: "where to listen (loopback only without --users)",
      default: "tcp:1080:interface=127.0.0.1",
    },
    {
      name: "allow",
      valueName: "RULE",
      description:
        "let destinations through, even loopback or private ones: a CIDR, an address or a host name, optionally :PORT",
      repeatable: true,
    },
    {
      name: "deny",
      valueName: "RULE",
      description: "refuse destinations (wins over --allow)",
      repeatable: true,
    },
    {
      name: "users",
      valueName: "FILE",
      description:
        "require SOCKS 5 logins from this user file (spindle passwd); SOCKS 4 is then refused",
    },
  ],
  endpointOptions: ["listen"],
  validate({ options }) {
    const listen = String(options.listen);
    // Parsed here, so that a mistake reaches the terminal before --daemon detaches.
    serverFromString(reactor, listen, { transport: "stream" });
    const allow = list(options.allow);
    const deny = list(options.deny);
    try {
      new AccessPolicy({ allow, deny });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const users = options.users === undefined
      ? undefined
      : String(options.users);
    return { listen, allow, deny, users };
  },
  makeService({ listen, allow, deny, users }, { reusePort }) {
    const checker: CredentialsChecker | undefined = users === undefined
      ? undefined
      : checkerFromString(`file:${users}`);
    let resolver: Promise<HostResolver> | undefined;
    const lazy: HostResolver = {
      getHostByName: async (name) =>
        await (await (resolver ??= systemResolver())).getHostByName(name),
    };
    return new SocksService(
      listen,
      socksHandler({
        resolver: lazy,
        policy: new AccessPolicy({ allow, deny }),
        checker,
      }),
      { reusePort, open: checker === undefined },
    );
  },
};
