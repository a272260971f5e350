/**
 * The `spindle irc` runner plugin and the service behind it. The service
 * stands here, on the app floor, because it is an app `Service`; the server
 * itself is `serveIRC`.
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import { getLogger } from "../../log/mod.ts";
import type { ListeningService } from "../../app/listening_service.ts";
import { Service } from "../../app/service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import type { Address } from "../../reactor/interfaces.ts";
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { formatAddress } from "../../reactor/connection.ts";
import { checkerFromString } from "../../cred/checker_string.ts";
import {
  type IRCRunningServer,
  serveIRC,
  type ServeIRCOptions,
} from "./serve.ts";

const logger = getLogger("spindle.irc");

/**
 * Runs {@linkcode serveIRC} while the service runs.
 *
 * @example Usage
 * ```ts
 * import { IRCService } from "./plugin.ts";
 * import { setup } from "../../log/mod.ts";
 * setup({ loggers: { spindle: { level: "warn" } } }); // no "listening on" line
 * const service = new IRCService({ listen: "tcp:0:interface=127.0.0.1" });
 * await service.startService();
 * console.assert(service.listeningAddresses().length === 1);
 * await service.stopService();
 * ```
 */
export class IRCService extends Service implements ListeningService {
  #options: ServeIRCOptions;
  #running: IRCRunningServer | undefined;
  #closing: Deferred<void> | undefined;

  /** A service serving IRC as `options` say; nothing listens until it starts. */
  constructor(options: ServeIRCOptions, name = "irc") {
    super(name);
    this.#options = options;
  }

  /** The running server, while the service runs. */
  get server(): IRCRunningServer | undefined {
    return this.#running;
  }

  /** Every address listened on, once listening. */
  listeningAddresses(): Address[] {
    return [...(this.#running?.addrs ?? [])];
  }

  /** Starts listening; fails (and stays stopped) when a port cannot be bound. */
  override startService(): Deferred<void> {
    super.startService();
    this.#closing = undefined;
    return Deferred.fromPromise((async () => {
      try {
        this.#running = await serveIRC(this.#options);
      } catch (error) {
        this.running = false;
        throw error;
      }
      logger.info("IRC server {name} listening on {addresses}", {
        name: this.#running.server.name,
        addresses: this.#running.addrs.map(formatAddress).join(", "),
      });
    })());
  }

  /** Stops listening and closes every client's connection (once). */
  override stopAccepting(): Deferred<void> {
    this.#closing ??= Deferred.fromPromise((async () => {
      const running = this.#running;
      this.#running = undefined;
      await running?.shutdown();
    })());
    return this.#closing;
  }

  /** Stops the server if it still runs. */
  override stopService(): Deferred<void> {
    super.stopService();
    return this.stopAccepting();
  }
}

/**
 * The options of `spindle irc`, once validated: the MOTD already read.
 *
 * @example Usage
 * ```ts
 * import type { IRCPluginOptions } from "./plugin.ts";
 * const options: IRCPluginOptions = { listen: ["tcp:6667"], name: "irc.example.test" };
 * console.assert(options.listen.length === 1);
 * ```
 */
export interface IRCPluginOptions {
  /** The endpoints to listen on. */
  listen: string[];
  /** The server's name. */
  name: string;
  /** The message of the day, read from `--motd`. */
  motd?: string;
  /** The user file of `--users`, for PASS and SASL logins. */
  users?: string;
  /** Whether a login is required (`--require-login`). */
  requireLogin?: boolean;
}

/**
 * `spindle irc --listen tcp:6667 --name irc.example.test [--motd FILE]
 * [--listen tls:6697:...] [--users FILE]`: an IRC server; with `--users`,
 * `PASS account:password` and SASL PLAIN log in against the user file that
 * `spindle passwd` writes.
 *
 * @example Usage
 * ```ts
 * import { plugin } from "./plugin.ts";
 * import { setup } from "../../log/mod.ts";
 * setup({ loggers: { spindle: { level: "warn" } } }); // no "listening on" line
 * const options = await plugin.validate({
 *   options: { listen: ["tcp:0:interface=127.0.0.1"], name: "irc.example.test" },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const plugin: Plugin<IRCPluginOptions> = {
  name: "irc",
  description: "an IRC server (channels, CAP, SASL against a user file)",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      repeatable: true,
      description:
        "where to listen: tcp:6667, tls:6697:certKey=cert.pem:privateKey=key.pem; default tcp:6667",
    },
    {
      name: "name",
      valueName: "NAME",
      description: "the server's name, the source of its replies",
      default: "irc.spindle.test",
    },
    {
      name: "motd",
      valueName: "FILE",
      description: "a file holding the message of the day",
    },
    {
      name: "users",
      valueName: "FILE",
      description:
        "a user file (spindle passwd writes it) for PASS account:password and SASL PLAIN logins",
    },
    {
      name: "require-login",
      type: "boolean",
      description: "with --users, refuse clients that do not log in",
    },
  ],
  endpointOptions: ["listen"],
  async validate({ options }) {
    const given = options.listen as string[] | undefined;
    const listen = given === undefined || given.length === 0
      ? ["tcp:6667"]
      : given;
    // Parsed here, so that a mistake reaches the terminal before --daemon detaches.
    for (const endpoint of listen) {
      serverFromString(reactor, endpoint, { transport: "stream" });
    }
    const name = String(options.name);
    if (!/^[A-Za-z0-9.-]+$/.test(name)) {
      throw new UsageError(
        `--name must be a host name such as irc.example.test, got "${name}"`,
      );
    }
    const motd = options.motd === undefined
      ? undefined
      : await readFile(String(options.motd), "--motd");
    const users = options.users === undefined
      ? undefined
      : String(options.users);
    if (users !== undefined) await readFile(users, "--users");
    const requireLogin = options["require-login"] === true;
    if (requireLogin && users === undefined) {
      throw new UsageError("--require-login needs --users FILE");
    }
    return { listen, name, motd, users, requireLogin };
  },
  makeService({ listen, name, motd, users, requireLogin }, { reusePort }) {
    if (reusePort) {
      // Each worker would be a network of its own, its users unseen by the others.
      throw new UsageError(
        "spindle irc keeps its nicks and channels in one process: run it without --workers",
      );
    }
    return new IRCService({
      listen,
      name,
      motd,
      checker: users === undefined
        ? undefined
        : checkerFromString(`file:${users}`),
      requireLogin,
    });
  },
};

async function readFile(path: string, option: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`${option}: the file ${path} does not exist`);
    }
    throw error;
  }
}
