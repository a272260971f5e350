/**
 * The `spindle mail` runner plugin: SMTP, POP3 (and IMAP, in its own folder)
 * serving one maildir store, with the users of one user file.
 *
 * It lives in `protocols/smtp/`, not `protocols/mail/`: it imports the SMTP,
 * POP3 and IMAP folders, which all import `protocols/mail/`, so a plugin
 * there would make a circle between protocol folders
 * (`tests/architecture_test.ts`). SMTP, the server that receives the mail,
 * is its home; the POP3 and IMAP folders never import SMTP.
 *
 * Each server is one entry of {@linkcode MAIL_SERVERS}: its option name
 * (`--smtp`, `--pop3`, ...) and how it starts on the shared
 * {@linkcode MailContext}. Adding a server is adding an entry (and its
 * option to the plugin's list).
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import { getLogger } from "../../log/mod.ts";
import type { ListeningService } from "../../app/listening_service.ts";
import { Service } from "../../app/service.ts";
import { type OptionSpec, UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import { FilePasswordChecker } from "../../cred/file_checker.ts";
import { LoginLimiter } from "../../cred/login_limiter.ts";
import { Portal } from "../../cred/portal.ts";
import { UserFile } from "../../cred/user_file.ts";
import { reactor } from "../../reactor/deno_reactor.ts";
import { formatAddress } from "../../reactor/connection.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import type {
  Address,
  RunningServer,
  TLSCertificate,
} from "../../reactor/interfaces.ts";
import type { Maildir } from "../mail/maildir.ts";
import { MailRealm } from "../mail/realm.ts";
import { MailStore } from "../mail/store.ts";
import { serveIMAP } from "../imap/serve.ts";
import { servePOP3 } from "../pop3/serve.ts";
import { MaildirDelivery } from "./maildir_delivery.ts";
import { serveSMTP } from "./serve.ts";

const logger = getLogger("spindle.mail");

/**
 * What every mail server of `spindle mail` starts with: the store, the login
 * portal (the user file's checker, avatars are maildirs), one attempt limiter
 * shared by all servers, and the command line's settings.
 *
 * @example Usage
 * ```ts
 * import type { MailContext } from "./plugin.ts";
 * const where = (context: MailContext) => context.store.root;
 * console.assert(typeof where === "function");
 * ```
 */
export interface MailContext {
  /** The maildir store. */
  store: MailStore;
  /** Where logins go: the user file's checker, with `MailRealm`. */
  portal: Portal<Maildir, null>;
  /** The attempt limits every server shares (a failure waits 500 ms). */
  loginLimiter: LoginLimiter;
  /** The domains mail is received for. */
  domains: string[];
  /** The certificate for STARTTLS / STLS, when given. */
  tls: TLSCertificate | undefined;
  /** Whether cleartext logins are allowed (`--allow-insecure-auth`). */
  allowInsecureAuth: boolean;
  /** Whether the ports are shared by `--workers`. */
  reusePort: boolean;
}

/**
 * One server of `spindle mail`: the option that lists its endpoints, and how
 * it starts on one of them.
 *
 * @example Usage
 * ```ts
 * import type { MailServerKind } from "./plugin.ts";
 * const kinds: MailServerKind[] = [];
 * console.assert(kinds.length === 0);
 * ```
 */
export interface MailServerKind {
  /** The option name (`"smtp"` for `--smtp`) and the server's name in logs. */
  option: string;
  /** Starts the server on the endpoints `listen`. */
  start(context: MailContext, listen: string[]): Promise<RunningServer>;
}

/**
 * The servers `spindle mail` runs, in start order.
 *
 * @example Usage
 * ```ts
 * import { MAIL_SERVERS } from "./plugin.ts";
 * console.assert(MAIL_SERVERS.some((kind) => kind.option === "smtp"));
 * ```
 */
export const MAIL_SERVERS: MailServerKind[] = [
  {
    option: "smtp",
    start: (context, listen) =>
      serveSMTP(new MaildirDelivery(context.store), {
        listen,
        reusePort: context.reusePort,
        domains: context.domains,
        hostname: context.domains[0],
        tls: context.tls,
        portal: context.portal,
        loginLimiter: context.loginLimiter,
        allowInsecureAuth: context.allowInsecureAuth,
      }),
  },
  {
    option: "pop3",
    start: (context, listen) =>
      servePOP3(context.portal, {
        listen,
        reusePort: context.reusePort,
        tls: context.tls,
        loginLimiter: context.loginLimiter,
        allowInsecureAuth: context.allowInsecureAuth,
      }),
  },
  {
    option: "imap",
    start: (context, listen) =>
      serveIMAP(context.store, {
        listen,
        reusePort: context.reusePort,
        portal: context.portal,
        tls: context.tls,
        limiter: context.loginLimiter,
        allowInsecureAuth: context.allowInsecureAuth,
      }),
  },
];

/**
 * The options of `spindle mail`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { MailPluginOptions } from "./plugin.ts";
 * const options: MailPluginOptions = {
 *   domains: ["example.test"],
 *   maildir: "./mail",
 *   users: "users.txt",
 *   listen: { smtp: ["tcp:2525"], pop3: ["tcp:1110"] },
 *   allowInsecureAuth: false,
 * };
 * console.assert(options.listen.smtp?.length === 1);
 * ```
 */
export interface MailPluginOptions {
  /** The domains to receive mail for. */
  domains: string[];
  /** The mail root: one maildir per user. */
  maildir: string;
  /** The user file (`spindle passwd`). */
  users: string;
  /** Each server's endpoints, by its option name; a server with none is not run. */
  listen: Record<string, string[]>;
  /** The certificate for STARTTLS / STLS, loaded. */
  tls?: TLSCertificate;
  /** Allow cleartext logins. */
  allowInsecureAuth: boolean;
}

/**
 * Runs the mail servers of {@linkcode MAIL_SERVERS} on one store while the
 * service runs; creates each user's maildir on start.
 *
 * @example Usage
 * ```ts ignore
 * import { MailService } from "./plugin.ts";
 * const service = new MailService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export class MailService extends Service implements ListeningService {
  #options: MailPluginOptions;
  #reusePort: boolean;
  #servers: RunningServer[] = [];
  #closing: Deferred<void> | undefined;

  /**
   * A service for `options`, named `context.name` (default `"mail"`) in its
   * application; nothing listens until it starts.
   */
  constructor(
    options: MailPluginOptions,
    context: { reusePort: boolean; name?: string },
  ) {
    super(context.name ?? "mail");
    this.#options = options;
    this.#reusePort = context.reusePort;
  }

  /** The addresses of every server, once listening. */
  listeningAddresses(): Address[] {
    return this.#servers.map((server) => server.addr);
  }

  /** Creates the maildirs, then starts each server; stops them all if one fails. */
  override startService(): Deferred<void> {
    super.startService();
    this.#closing = undefined;
    return Deferred.fromPromise((async () => {
      try {
        await this.#start();
      } catch (error) {
        this.running = false;
        await this.#stop();
        throw error;
      }
    })());
  }

  async #start(): Promise<void> {
    const options = this.#options;
    const users = await UserFile.load(options.users);
    const store = new MailStore(options.maildir);
    await store.createMailboxes(users.names());
    const context: MailContext = {
      store,
      portal: new Portal(new MailRealm(store), [
        new FilePasswordChecker(options.users),
      ]),
      loginLimiter: new LoginLimiter(),
      domains: options.domains,
      tls: options.tls,
      allowInsecureAuth: options.allowInsecureAuth,
      reusePort: this.#reusePort,
    };
    for (const kind of MAIL_SERVERS) {
      const listen = options.listen[kind.option] ?? [];
      if (listen.length === 0) continue;
      const server = await kind.start(context, listen);
      this.#servers.push(server);
      logger.info("{server} listening on {address} for {domains}", {
        server: kind.option.toUpperCase(),
        address: formatAddress(server.addr),
        domains: options.domains.join(", "),
      });
    }
  }

  async #stop(): Promise<void> {
    const servers = this.#servers;
    this.#servers = [];
    await Promise.all(servers.map((server) => server.shutdown()));
  }

  /** Stops every server (once). */
  override stopAccepting(): Deferred<void> {
    this.#closing ??= Deferred.fromPromise(this.#stop());
    return this.#closing;
  }

  /** Stops the servers if they still run. */
  override stopService(): Deferred<void> {
    super.stopService();
    return this.stopAccepting();
  }
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined ? [] : [String(value)];
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`the ${what} file ${path} does not exist`);
    }
    throw error;
  }
}

const SERVER_OPTIONS: OptionSpec[] = [
  {
    name: "smtp",
    valueName: "ENDPOINT",
    repeatable: true,
    description:
      "serve SMTP here (tcp:2525; tls:465:certKey=C:privateKey=K for implicit TLS)",
  },
  {
    name: "pop3",
    valueName: "ENDPOINT",
    repeatable: true,
    description:
      "serve POP3 here (tcp:1110; tls:995:certKey=C:privateKey=K for implicit TLS)",
  },
  {
    name: "imap",
    valueName: "ENDPOINT",
    repeatable: true,
    description:
      "serve IMAP here (tcp:1143; tls:993:certKey=C:privateKey=K for implicit TLS)",
  },
];

/**
 * `spindle mail --domain example.test --maildir ./mail --users users.txt
 * --smtp tcp:2525 --pop3 tcp:1110 [--tls-cert C --tls-key K]`: a small mail
 * server. Mail for `USER@DOMAIN` is delivered to `MAILDIR/USER/new/` for
 * each user of the user file; they read it over POP3. Logins are refused
 * before TLS on every address, loopback included, unless
 * `--allow-insecure-auth`.
 *
 * @example Usage
 * ```ts ignore
 * import { plugin } from "./plugin.ts";
 * const options = await plugin.validate({
 *   options: { domain: ["example.test"], maildir: "./mail", users: "users.txt", smtp: ["tcp:2525"], pop3: [] },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * ```
 */
export const plugin: Plugin<MailPluginOptions> = {
  name: "mail",
  description:
    "a mail server: SMTP in, POP3 and IMAP out, one maildir per user",
  usage: "",
  options: [
    {
      name: "domain",
      short: "d",
      valueName: "DOMAIN",
      repeatable: true,
      description: "a domain to receive mail for",
    },
    {
      name: "maildir",
      valueName: "DIR",
      description: "the mail root: DIR/USER/{tmp,new,cur}",
      default: "./mail",
    },
    {
      name: "users",
      valueName: "FILE",
      description:
        "the user file (spindle passwd NAME >> FILE); each user gets a maildir",
    },
    ...SERVER_OPTIONS,
    {
      name: "tls-cert",
      valueName: "FILE",
      description:
        "the certificate (PEM) for STARTTLS (SMTP, IMAP) and STLS (POP3)",
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
        "allow logins on cleartext connections (never needed with --tls-cert)",
      default: false,
    },
  ],
  endpointOptions: SERVER_OPTIONS.map((option) => option.name),
  async validate({ options }) {
    const domains = strings(options.domain).map((d) => d.toLowerCase());
    if (domains.length === 0) {
      throw new UsageError("spindle mail needs --domain DOMAIN (repeatable)");
    }
    if (typeof options.users !== "string" || options.users === "") {
      throw new UsageError("spindle mail needs --users FILE (a user file)");
    }
    try {
      await UserFile.load(options.users);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new UsageError(
          `the user file ${options.users} does not exist: create it with spindle passwd NAME >> ${options.users}`,
        );
      }
      throw new UsageError((error as Error).message);
    }
    const listen: Record<string, string[]> = {};
    for (const kind of MAIL_SERVERS) {
      listen[kind.option] = strings(options[kind.option]);
      for (const where of listen[kind.option]!) {
        // Parsed here, so a mistake reaches the terminal before --daemon detaches.
        serverFromString(reactor, where, { transport: "stream" });
      }
    }
    if (Object.values(listen).every((list) => list.length === 0)) {
      throw new UsageError(
        `spindle mail needs at least one server: ${
          MAIL_SERVERS.map((kind) => `--${kind.option} ENDPOINT`).join(", ")
        }`,
      );
    }
    const certPath = options["tls-cert"];
    const keyPath = options["tls-key"];
    if ((certPath === undefined) !== (keyPath === undefined)) {
      throw new UsageError("--tls-cert and --tls-key go together");
    }
    const tls = typeof certPath === "string" && typeof keyPath === "string"
      ? {
        cert: await readPem(certPath, "certificate"),
        key: await readPem(keyPath, "key"),
      }
      : undefined;
    return {
      domains,
      maildir: String(options.maildir),
      users: options.users,
      listen,
      tls,
      allowInsecureAuth: options["allow-insecure-auth"] === true,
    };
  },
  makeService: (options, { reusePort }) =>
    new MailService(options, { reusePort }),
};
