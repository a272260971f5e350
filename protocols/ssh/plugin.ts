/**
 * The `spindle ssh` command: an SSH server with a host key kept in a file
 * (generated on first start), public-key logins from an `authorized_keys`
 * file as the user the server runs as, password logins from a user file,
 * `--exec` to run real commands, `--sftp-root` to serve SFTP, and
 * `direct-tcpip` forwarding (on by default, as OpenSSH's).
 *
 * @module
 */
import { userInfo } from "node:os";
import { getLogger } from "../../log/mod.ts";
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import { Deferred } from "../../deferred/deferred.ts";
import { Service } from "../../app/service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import type { CredentialsChecker } from "../../cred/checker.ts";
import { FilePasswordChecker } from "../../cred/file_checker.ts";
import { PublicKeyChecker } from "../../cred/public_key_checker.ts";
import { commandSession } from "./command_session.ts";
import { KeyFormatError, SSHPrivateKey } from "./keys.ts";
import { manholeSession } from "./manhole.ts";
import { serveSSH, type SSHRunningServer } from "./serve.ts";
import { SSHServer, type SSHServerOptions } from "./server.ts";
import type { SessionHandler } from "./session.ts";
import { sftpSubsystem } from "./sftp_server.ts";

const logger = getLogger("spindle.ssh");

/**
 * The options of `spindle ssh`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { SSHPluginOptions } from "./plugin.ts";
 * const options: Partial<SSHPluginOptions> = { listen: "tcp:2222" };
 * console.assert(options.listen === "tcp:2222");
 * ```
 */
export interface SSHPluginOptions {
  /** The endpoint string to listen on. */
  listen: string;
  /** The server's options (host key, checkers, sessions, forwarding). */
  server: SSHServerOptions;
}

/**
 * Loads the host key at `path`, or, when there is no file, generates an
 * ed25519 key and writes it there in OpenSSH's format with mode 0600.
 * Logs the key's fingerprint either way.
 *
 * @example Usage
 * ```ts
 * import { loadOrCreateHostKey } from "./plugin.ts";
 * import { setup } from "../../log/mod.ts";
 * setup({ loggers: { spindle: { level: "warn" } } }); // no fingerprint lines
 * const dir = await Deno.makeTempDir();
 * const key = await loadOrCreateHostKey(`${dir}/ssh_host_ed25519_key`);
 * const again = await loadOrCreateHostKey(`${dir}/ssh_host_ed25519_key`);
 * console.assert(key.publicKeyLine() === again.publicKeyLine());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadOrCreateHostKey(
  path: string,
): Promise<SSHPrivateKey> {
  let key: SSHPrivateKey;
  try {
    key = await SSHPrivateKey.load(path);
  } catch (error) {
    if (error instanceof KeyFormatError) {
      throw new UsageError(`the host key ${path}: ${error.message}`);
    }
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    key = await SSHPrivateKey.generate(`spindle@${Deno.hostname()}`);
    await Deno.writeTextFile(path, key.toOpenSSH(), {
      mode: 0o600,
      createNew: true,
    });
    await Deno.writeTextFile(`${path}.pub`, `${key.publicKeyLine()}\n`, {
      mode: 0o644,
    });
    logger.info("generated the host key {path}", { path });
  }
  logger.info("host key {fingerprint} ({type})", {
    fingerprint: await key.fingerprint(),
    type: key.type,
  });
  return key;
}

// The session handler without --exec: a clear refusal on stderr, status 1.
const refuseCommands: SessionHandler = async (session) => {
  const writer = session.stderr.getWriter();
  await writer.write(
    new TextEncoder().encode(
      "spindle ssh: this server runs no commands; start it with --exec to allow them\r\n",
    ),
  );
  writer.releaseLock();
  return 1;
};

function osUser(): string {
  return Deno.env.get("USER") ?? userInfo().username;
}

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * `spindle ssh --listen tcp:2222 --host-key ssh_host_ed25519_key
 * --authorized-keys authorized_keys [--users users.txt] [--exec]
 * [--sftp-root DIR]`.
 *
 * @example Usage
 * ```ts ignore
 * import { plugin } from "./plugin.ts";
 * const options = await plugin.validate({
 *   options: { listen: "tcp:0:interface=127.0.0.1", "host-key": "key", "authorized-keys": "authorized_keys" },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const plugin: Plugin<SSHPluginOptions> = {
  name: "ssh",
  description: "an SSH server: shell commands, SFTP and port forwarding",
  usage: "--authorized-keys FILE [--users FILE] [--exec] [--sftp-root DIR]",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description: "where to listen, such as tcp:2222:interface=127.0.0.1",
      default: "tcp:2222",
    },
    {
      name: "host-key",
      valueName: "FILE",
      description:
        "the host key (OpenSSH format); generated as ed25519 with mode 0600 when the file does not exist",
      default: "ssh_host_ed25519_key",
    },
    {
      name: "authorized-keys",
      valueName: "FILE",
      description:
        "public keys (authorized_keys format) that log in as the user the server runs as",
    },
    {
      name: "users",
      valueName: "FILE",
      description: "a user file (spindle passwd) for password logins",
    },
    {
      name: "exec",
      type: "boolean",
      description:
        "let clients run commands and shells as the server's user (sh -c)",
    },
    {
      name: "sftp-root",
      valueName: "DIR",
      description: "serve SFTP, confined to this folder",
    },
    {
      name: "permit-open",
      valueName: "HOST:PORT",
      repeatable: true,
      description:
        "allow ssh -L tunnels only to this address (repeatable); any by default",
    },
    {
      name: "no-forwarding",
      type: "boolean",
      description: "refuse ssh -L tunnels (direct-tcpip)",
    },
  ],
  endpointOptions: ["listen"],
  async validate({ options }) {
    const listen = String(options.listen);
    // Parsed here, so that a mistake reaches the terminal before --daemon detaches.
    serverFromString(reactor, listen, { transport: "stream" });
    const checkers: CredentialsChecker[] = [];
    const keysFile = options["authorized-keys"];
    if (keysFile !== undefined) {
      let text: string;
      try {
        text = await Deno.readTextFile(String(keysFile));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) {
          throw new UsageError(
            `the authorized keys file ${keysFile} does not exist`,
          );
        }
        throw error;
      }
      try {
        checkers.push(new PublicKeyChecker({ [osUser()]: text }));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    if (options.users !== undefined) {
      checkers.push(new FilePasswordChecker(String(options.users)));
    }
    if (checkers.length === 0) {
      throw new UsageError(
        "spindle ssh needs --authorized-keys FILE or --users FILE: nobody could log in",
      );
    }
    const permitOpen = strings(options["permit-open"]);
    for (const target of permitOpen) {
      if (!/^[^:\s]+:\d+$/.test(target)) {
        throw new UsageError(
          `--permit-open takes HOST:PORT, got ${JSON.stringify(target)}`,
        );
      }
    }
    const sftpRoot = options["sftp-root"];
    if (sftpRoot !== undefined) {
      try {
        if (!(await Deno.stat(String(sftpRoot))).isDirectory) {
          throw new Deno.errors.NotFound();
        }
      } catch {
        throw new UsageError(`--sftp-root ${sftpRoot} is not a folder`);
      }
    }
    const hostKey = await loadOrCreateHostKey(String(options["host-key"]));
    return {
      listen,
      server: {
        hostKeys: [hostKey],
        checkers,
        session: options.exec === true ? commandSession() : refuseCommands,
        subsystems: sftpRoot === undefined
          ? {}
          : { sftp: sftpSubsystem(String(sftpRoot)) } as Record<
            string,
            SessionHandler
          >,
        forwarding: options["no-forwarding"] === true
          ? false
          : permitOpen.length > 0
          ? { permitOpen }
          : {},
      },
    };
  },
  makeService({ listen, server }, { reusePort }) {
    const ssh = new SSHServer(server);
    return new StreamServerEndpointService(
      listen,
      (conn) => ssh.handleConnection(conn),
      { reusePort, name: "ssh" },
    );
  },
};

/**
 * What `spindle run --manhole` needs.
 *
 * @example Usage
 * ```ts
 * import type { ManholeOptions } from "./plugin.ts";
 * const options: ManholeOptions = {
 *   listen: "tcp:2223:interface=127.0.0.1",
 *   authorizedKeys: "authorized_keys",
 *   namespace: {},
 * };
 * console.assert(options.anyInterface === undefined);
 * ```
 */
export interface ManholeOptions {
  /** Where the manhole listens: an endpoint string on a loopback interface. */
  listen: string;
  /** The `authorized_keys` file of those who may log in (as the OS user). */
  authorizedKeys: string;
  /** The names in the REPL's scope (`application`). */
  namespace: Record<string, unknown>;
  /** Allow an interface other than loopback (`--manhole-any-interface`). */
  anyInterface?: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * The manhole as a service: an SSH server whose only session is a
 * JavaScript REPL with the application in scope, public-key logins only,
 * no forwarding. Its host key is made afresh at each start (its fingerprint
 * is logged).
 *
 * @example Usage
 * ```ts ignore
 * const manhole = await ManholeService.create({
 *   listen: "tcp:2223:interface=127.0.0.1",
 *   authorizedKeys: "authorized_keys",
 *   namespace: { application },
 * });
 * manhole.setServiceParent(application);
 * ```
 */
export class ManholeService extends Service {
  readonly #options: ManholeOptions;
  readonly #keys: string;
  #server: SSHRunningServer | null = null;

  private constructor(options: ManholeOptions, keys: string) {
    super("manhole");
    this.#options = options;
    this.#keys = keys;
  }

  /**
   * Checks the options (a loopback interface unless `anyInterface`, a
   * readable keys file) and makes the service. Throws `UsageError`.
   */
  static async create(options: ManholeOptions): Promise<ManholeService> {
    const endpoint = String(
      serverFromString(reactor, options.listen, { transport: "stream" }),
    );
    const host = /interface=([^:]+)/.exec(endpoint)?.[1];
    const local = endpoint.startsWith("unix:") ||
      (host !== undefined && LOOPBACK.test(host));
    if (!local && !options.anyInterface) {
      throw new UsageError(
        `the manhole runs code in this process: it listens on loopback only (such as tcp:2223:interface=127.0.0.1), not ${options.listen}, unless --manhole-any-interface is given`,
      );
    }
    let keys: string;
    try {
      keys = await Deno.readTextFile(options.authorizedKeys);
      new PublicKeyChecker({ [osUser()]: keys });
    } catch (error) {
      throw new UsageError(
        `--authorized-keys ${options.authorizedKeys}: ${
          (error as Error).message
        }`,
      );
    }
    return new ManholeService(options, keys);
  }

  /** Where the manhole listens, once started. */
  get server(): SSHRunningServer | null {
    return this.#server;
  }

  override startService(): Deferred<void> {
    super.startService();
    return Deferred.fromPromise((async () => {
      const hostKey = await SSHPrivateKey.generate("spindle manhole");
      this.#server = await serveSSH({
        listen: this.#options.listen,
        hostKeys: [hostKey],
        checkers: [new PublicKeyChecker({ [osUser()]: this.#keys })],
        session: manholeSession(this.#options.namespace),
        forwarding: false,
      });
      logger.info("manhole listening on {listen}, host key {fingerprint}", {
        listen: this.#options.listen,
        fingerprint: await hostKey.fingerprint(),
      });
    })());
  }

  override stopService(): Deferred<void> {
    super.stopService();
    const server = this.#server;
    this.#server = null;
    return Deferred.fromPromise(server?.shutdown() ?? Promise.resolve());
  }
}
