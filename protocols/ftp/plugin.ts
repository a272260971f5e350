/**
 * The `spindle ftp` command: an FTP server for a folder.
 *
 * @module
 */
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import type { TLSServerOptions } from "../../reactor/interfaces.ts";
import { checkerFromString } from "../../cred/checker_string.ts";
import { ftpHandler } from "./server.ts";

/**
 * The options of `spindle ftp`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { FTPPluginOptions } from "./plugin.ts";
 * const options: FTPPluginOptions = { listen: "tcp:2121", root: "/srv/ftp", anonymous: true };
 * console.assert(options.anonymous);
 * ```
 */
export interface FTPPluginOptions {
  /** The endpoint string to listen on. */
  listen: string;
  /** The folder served. */
  root: string;
  /** The user file of `--users`. */
  users?: string;
  /** `--anonymous`: read-only anonymous logins. */
  anonymous: boolean;
  /** `--passive-ports LOW-HIGH`. */
  passivePorts?: [number, number];
  /** The certificate and key of `--tls-cert` and `--tls-key`, read. */
  tls?: TLSServerOptions;
  /** `--allow-insecure-auth`: user logins without AUTH TLS. */
  allowInsecureAuth?: boolean;
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(
      `the ${what} file ${path} cannot be read (${(error as Error).message})`,
    );
  }
}

/**
 * `spindle ftp --listen tcp:2121 --root DIR [--users FILE] [--anonymous]
 * [--passive-ports 50000-50100] [--tls-cert C --tls-key K]`: users log in
 * from the shared user file (`spindle passwd`); `--anonymous` adds
 * read-only anonymous logins. With a certificate, explicit FTPS (AUTH TLS)
 * is offered, and users must use it before logging in unless
 * `--allow-insecure-auth`.
 *
 * @example Usage
 * ```ts
 * import { plugin } from "./plugin.ts";
 * const root = await Deno.makeTempDir();
 * const options = await plugin.validate({
 *   options: { listen: "tcp:0:interface=127.0.0.1", root, anonymous: true },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * await Deno.remove(root);
 * ```
 */
export const plugin: Plugin<FTPPluginOptions> = {
  name: "ftp",
  description:
    "an FTP server for a folder (users from the user file, or anonymous read-only)",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description: "where to listen, such as tcp:2121:interface=127.0.0.1",
      default: "tcp:2121",
    },
    { name: "root", valueName: "DIR", description: "the folder served" },
    {
      name: "users",
      valueName: "FILE",
      description: "the user file whose users may log in (spindle passwd)",
    },
    {
      name: "anonymous",
      type: "boolean",
      description: "also let anonymous users in, read-only",
    },
    {
      name: "passive-ports",
      valueName: "LOW-HIGH",
      description:
        "the ports passive data connections use, such as 50000-50100",
    },
    {
      name: "tls-cert",
      valueName: "FILE",
      description: "the certificate (PEM) for explicit FTPS (AUTH TLS)",
    },
    {
      name: "tls-key",
      valueName: "FILE",
      description: "its private key (PEM)",
    },
    {
      name: "allow-insecure-auth",
      type: "boolean",
      description:
        "with --tls-cert, still allow user logins without AUTH TLS (cleartext passwords)",
      default: false,
    },
  ],
  endpointOptions: ["listen"],
  async validate({ options }) {
    const listen = String(options.listen);
    serverFromString(reactor, listen, { transport: "stream" });
    if (options.root === undefined) {
      throw new UsageError("spindle ftp needs --root DIR");
    }
    const root = String(options.root);
    if (!(await Deno.stat(root).catch(() => null))?.isDirectory) {
      throw new UsageError(`--root ${root} is not a folder`);
    }
    const anonymous = options.anonymous === true;
    const users = options.users === undefined
      ? undefined
      : String(options.users);
    if (users === undefined && !anonymous) {
      throw new UsageError(
        "spindle ftp lets nobody in: give --users FILE, --anonymous, or both",
      );
    }
    let passivePorts: [number, number] | undefined;
    if (options["passive-ports"] !== undefined) {
      const match = /^(\d+)-(\d+)$/.exec(String(options["passive-ports"]));
      const low = Number(match?.[1]);
      const high = Number(match?.[2]);
      if (match === null || !(low >= 1024 && low <= high && high <= 65535)) {
        throw new UsageError(
          "--passive-ports needs LOW-HIGH, such as 50000-50100 (1024 to 65535)",
        );
      }
      passivePorts = [low, high];
    }
    const certPath = options["tls-cert"];
    const keyPath = options["tls-key"];
    if ((certPath === undefined) !== (keyPath === undefined)) {
      throw new UsageError("--tls-cert and --tls-key go together");
    }
    const tls = certPath === undefined || keyPath === undefined ? undefined : {
      cert: await readPem(String(certPath), "certificate"),
      key: await readPem(String(keyPath), "key"),
    };
    const allowInsecureAuth = options["allow-insecure-auth"] === true;
    return {
      listen,
      root,
      users,
      anonymous,
      passivePorts,
      tls,
      allowInsecureAuth,
    };
  },
  makeService: (
    { listen, root, users, anonymous, passivePorts, tls, allowInsecureAuth },
    { reusePort },
  ) =>
    new StreamServerEndpointService(
      listen,
      ftpHandler({
        root,
        anonymous,
        passivePorts,
        tls,
        allowInsecureAuth,
        checker: users === undefined
          ? undefined
          : checkerFromString(`file:${users}`),
      }),
      { reusePort, name: "ftp" },
    ),
};
