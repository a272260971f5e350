/**
 * The FTP server (RFC 959, 2428, 3659; Twisted's `twisted.protocols.ftp`):
 * a root folder served to users of the shared user file, or read-only to
 * anonymous users, over passive or active data connections.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type {
  Connection,
  ListeningPort,
  Reactor,
  TLSServerOptions,
} from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import type { DelayedCall } from "../../reactor/time.ts";
import { formatAddress } from "../../reactor/connection.ts";
import { startTLS } from "../../reactor/tls.ts";
import type { CredentialsChecker } from "../../cred/checker.ts";
import { UsernamePassword } from "../../cred/credentials.ts";
import { UnauthorizedLoginError } from "../../cred/errors.ts";
import { LoginLimiter } from "../../cred/login_limiter.ts";
import { getLogger } from "../../log/mod.ts";
import { LineDecoderCore } from "../basic/line.ts";
import { parseIPv4 } from "../../reactor/ip_address.ts";
import { realPath, virtualPath } from "./_paths.ts";
import { FromNetworkLines, ToNetworkLines } from "./_ascii.ts";
import {
  DEFAULT_DATA_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  MAX_COMMAND_LENGTH,
} from "./limits.ts";

const log = getLogger("spindle.ftp");
const encoder = new TextEncoder();

/**
 * Options of {@linkcode ftpHandler}.
 *
 * @example Usage
 * ```ts
 * import type { FTPServerOptions } from "@spindle/spindle/protocols/ftp";
 * const options: FTPServerOptions = { root: "/srv/ftp", anonymous: true, passivePorts: [50000, 50100] };
 * console.assert(options.anonymous);
 * ```
 */
export interface FTPServerOptions {
  /** The folder served; nothing outside it can be reached. */
  root: string;
  /** Checks USER/PASS (such as cred's `FilePasswordChecker`); none: no user logins. */
  checker?: CredentialsChecker;
  /** Let `anonymous` (and `ftp`) log in with any password, read-only; default false. */
  anonymous?: boolean;
  /** The limits on failed logins; default `new LoginLimiter()`. */
  limiter?: LoginLimiter;
  /** The ports passive data connections listen on, inclusive; default: any free port. */
  passivePorts?: [number, number];
  /** Milliseconds to wait for a data connection; default {@linkcode DEFAULT_DATA_TIMEOUT}. */
  dataTimeout?: number;
  /** Milliseconds a control connection may stay silent; default {@linkcode DEFAULT_IDLE_TIMEOUT}. */
  idleTimeout?: number;
  /**
   * The certificate for explicit FTPS (RFC 4217: AUTH TLS, PBSZ, PROT P);
   * without it, AUTH is refused and everything is cleartext.
   */
  tls?: TLSServerOptions;
  /**
   * With `tls`, let users of the checker log in before AUTH TLS, their
   * password in cleartext; default false. Anonymous logins need no TLS.
   */
  allowInsecureAuth?: boolean;
  /** The reactor; default: the default reactor. */
  reactor?: Reactor;
}

function hostOf(conn: Connection): string {
  const addr = conn.remoteAddr;
  return "hostname" in addr ? addr.hostname.replace(/^::ffff:/, "") : "";
}

function localHostOf(conn: Connection): string {
  const addr = conn.localAddr;
  return "hostname" in addr ? addr.hostname.replace(/^::ffff:/, "") : "";
}

const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");

function listLine(name: string, info: Deno.FileInfo): string {
  const date = info.mtime ?? new Date(0);
  const two = (n: number) => String(n).padStart(2, "0");
  const when = `${MONTHS[date.getUTCMonth()]} ${
    String(date.getUTCDate()).padStart(2, " ")
  } ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}`;
  const mode = info.isDirectory ? "drwxr-xr-x" : "-rw-r--r--";
  return `${mode} 1 ftp ftp ${String(info.size).padStart(12)} ${when} ${name}`;
}

function mlsxFacts(name: string, info: Deno.FileInfo): string {
  const m = info.mtime ?? new Date(0);
  const modify = m.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const type = info.isDirectory ? "dir" : "file";
  return `type=${type};size=${info.size};modify=${modify}; ${name}`;
}

/**
 * A connection handler that serves FTP from `options.root`: USER/PASS
 * (through a cred checker with the shared attempt limits, or anonymous,
 * read-only), PWD, CWD, CDUP, TYPE A/I, MODE S, STRU F, PASV/EPSV,
 * PORT/EPRT, LIST, NLST, MLSD, MLST, RETR, STOR, APPE, REST, DELE, MKD, RMD,
 * RNFR/RNTO, SIZE, MDTM, FEAT, OPTS UTF8, SYST, NOOP, ABOR and QUIT. Paths
 * cannot leave the root (by `..` or a symbolic link); PORT/EPRT may only
 * name the control connection's own client (no FTP bounce); a passive data
 * connection is taken only from the client's address.
 *
 * TYPE A converts (RFC 959): RETR sends the file's LF line ends as CRLF,
 * STOR and APPE store CRLF as LF, and SIZE and REST, which count bytes of
 * the file, answer 550 and 504 in it (as vsftpd does). Listings are always
 * CRLF lines. With `tls`, AUTH TLS, PBSZ 0 and PROT P/C (RFC 4217) encrypt
 * the control connection and, after PROT P, the data connections; the
 * checker's users must then use AUTH TLS before USER unless
 * `allowInsecureAuth`.
 *
 * @example Usage
 * ```ts
 * import { ftpHandler } from "@spindle/spindle/protocols/ftp";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 * const reactor = new DenoReactor();
 * const root = await Deno.makeTempDir();
 * const port = await reactor.listenTCP(0, ftpHandler({ root, anonymous: true, reactor }), {
 *   interface: "127.0.0.1",
 * });
 * await port.stopListening();
 * await Deno.remove(root);
 * ```
 */
export function ftpHandler(
  options: FTPServerOptions,
): (conn: Connection) => Promise<void> {
  const reactor = options.reactor ?? defaultReactor;
  const limiter = options.limiter ?? new LoginLimiter({ clock: reactor });
  const dataTimeout = options.dataTimeout ?? DEFAULT_DATA_TIMEOUT;
  const idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
  let nextPassive = options.passivePorts?.[0] ?? 0;

  return async (conn) => {
    const reply = (text: string) => conn.write(encoder.encode(`${text}\r\n`));
    const client = hostOf(conn);
    let user: string | undefined;
    let loggedIn = false;
    let readOnly = true;
    let cwd = "/";
    let restOffset = 0;
    // TYPE A: text converted between CRLF and the local LF (see TYPE).
    let ascii = false;
    let secure = false;
    // PROT P: data connections are TLS too.
    let protectData = false;
    let renameFrom: string | undefined;
    // How the next transfer gets its data connection.
    let passive: { port: ListeningPort; conn: Promise<Connection> } | undefined;
    let active: { host: string; port: number } | undefined;

    const closePassive = async () => {
      const old = passive;
      passive = undefined;
      if (old === undefined) return;
      await old.port.stopListening();
      // A data connection made but never used is closed with it.
      old.conn.then((data) => data.abort());
    };

    async function openPassive(): Promise<number> {
      await closePassive();
      const accepted = Promise.withResolvers<Connection>();
      const handler = (data: Connection) => {
        // Only the control connection's client may connect (no data theft).
        if (hostOf(data) !== client) {
          log.warn("refused a data connection from {peer}", {
            peer: formatAddress(data.remoteAddr),
          });
          data.abort();
          return;
        }
        accepted.resolve(data);
        // The handler must not end (which closes it) until the transfer does.
        return data.closed.catch(() => {});
      };
      const range = options.passivePorts;
      let port: ListeningPort | undefined;
      const tries = range === undefined ? 1 : range[1] - range[0] + 1;
      for (let i = 0; i < tries && port === undefined; i++) {
        const wanted = range === undefined ? 0 : nextPassive;
        if (range !== undefined) {
          nextPassive = nextPassive >= range[1] ? range[0] : nextPassive + 1;
        }
        try {
          port = await reactor.listenTCP(wanted, handler, {
            interface: localHostOf(conn),
          });
        } catch {
          // Taken: the next port of the range.
        }
      }
      if (port === undefined) throw new Error("no passive port is free");
      passive = { port, conn: accepted.promise };
      return (port.getHost() as Deno.NetAddr).port;
    }

    async function dataConnection(): Promise<Connection> {
      if (passive !== undefined) {
        const { port, conn: pending } = passive;
        let timer: DelayedCall | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = reactor.callLater(
            dataTimeout,
            () => reject(new Error("no data connection came")),
          );
        });
        try {
          return await Promise.race([pending, late]);
        } finally {
          if (timer?.active()) timer.cancel();
          passive = undefined;
          await port.stopListening();
        }
      }
      if (active !== undefined) {
        const { host, port } = active;
        active = undefined;
        return await reactor.connectTCP(host, port, { timeout: dataTimeout });
      }
      throw new Error("no PASV, EPSV, PORT or EPRT came first");
    }

    async function transfer(
      fn: (data: Connection) => Promise<void>,
    ): Promise<void> {
      let data: Connection;
      try {
        data = await dataConnection();
      } catch {
        await reply("425 Use PASV or PORT first, and connect");
        return;
      }
      await reply("150 Opening data connection");
      try {
        if (protectData) {
          await startTLS(data, { ...options.tls!, isServer: true });
        }
        await fn(data);
        await data.close();
        await reply("226 Transfer complete");
      } catch (error) {
        data.abort();
        log.info("transfer failed: {error}", { error });
        await reply("426 Transfer aborted");
      }
    }

    async function resolve(
      arg: string,
    ): Promise<{ virtual: string; real: string } | null> {
      const virtual = virtualPath(cwd, arg || ".");
      const real = await realPath(options.root, virtual);
      return real === null ? null : { virtual, real };
    }

    async function stat(path: string): Promise<Deno.FileInfo | null> {
      try {
        return await Deno.stat(path);
      } catch {
        return null;
      }
    }

    async function login(password: string): Promise<void> {
      const name = user ?? "";
      if (options.anonymous && (name === "anonymous" || name === "ftp")) {
        loggedIn = true;
        readOnly = true;
        await reply("230 Anonymous login ok, read-only");
        return;
      }
      if (options.checker === undefined) {
        await reply("530 Login incorrect");
        return;
      }
      if (options.tls !== undefined && !secure && !options.allowInsecureAuth) {
        await reply("530 Use AUTH TLS before logging in: passwords need TLS");
        return;
      }
      try {
        await limiter.attempt(
          { connection: conn, source: client },
          () =>
            options.checker!.requestAvatarId(
              new UsernamePassword(name, password),
            ),
        );
      } catch (error) {
        if (!(error instanceof UnauthorizedLoginError)) throw error;
        await reply("530 Login incorrect");
        return;
      }
      loggedIn = true;
      readOnly = false;
      await reply("230 Logged in");
    }

    function parseHostPort(arg: string): { host: string; port: number } | null {
      const parts = arg.split(",").map(Number);
      if (parts.length !== 6 || parts.some((n) => !(n >= 0 && n <= 255))) {
        return null;
      }
      return {
        host: parts.slice(0, 4).join("."),
        port: parts[4]! * 256 + parts[5]!,
      };
    }

    function parseEprt(arg: string): { host: string; port: number } | null {
      const d = arg[0];
      if (d === undefined) return null;
      const [, proto, host, port] = arg.split(d);
      if (
        (proto !== "1" && proto !== "2") || !host || !/^\d+$/.test(port ?? "")
      ) {
        return null;
      }
      return { host, port: Number(port) };
    }

    const handlers: Record<string, (arg: string) => Promise<void>> = {
      async NOOP() {
        await reply("200 NOOP ok");
      },
      async SYST() {
        await reply("215 UNIX Type: L8");
      },
      async FEAT() {
        const tls = options.tls === undefined
          ? ""
          : " AUTH TLS\r\n PBSZ\r\n PROT\r\n";
        await conn.write(encoder.encode(
          `211-Features:\r\n${tls} EPSV\r\n EPRT\r\n MDTM\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n SIZE\r\n UTF8\r\n211 End\r\n`,
        ));
      },
      async OPTS(arg) {
        await reply(
          /^utf8( on)?$/i.test(arg)
            ? "200 UTF8 is always on"
            : "501 Unknown option",
        );
      },
      async PWD() {
        await reply(
          `257 "${cwd.replaceAll('"', '""')}" is the current directory`,
        );
      },
      async CWD(arg) {
        const path = await resolve(arg);
        if (path === null || !(await stat(path.real))?.isDirectory) {
          await reply("550 No such directory");
          return;
        }
        cwd = path.virtual;
        await reply("250 Directory changed");
      },
      async CDUP() {
        await handlers.CWD!("..");
      },
      async TYPE(arg) {
        const type = arg.toUpperCase();
        if (type === "A" || type === "A N" || type === "I" || type === "L 8") {
          ascii = type[0] === "A";
          // A REST offset counts file bytes: it does not carry into TYPE A.
          if (ascii) restOffset = 0;
          await reply(`200 Type set to ${type[0]}`);
        } else await reply("504 Only TYPE A and I");
      },
      async MODE(arg) {
        await reply(
          arg.toUpperCase() === "S" ? "200 Mode S" : "504 Only MODE S",
        );
      },
      async STRU(arg) {
        await reply(
          arg.toUpperCase() === "F" ? "200 Structure F" : "504 Only STRU F",
        );
      },
      async PASV() {
        const host = localHostOf(conn);
        const v4 = parseIPv4(host);
        if (v4 === null) {
          await reply("522 Use EPSV over IPv6");
          return;
        }
        const port = await openPassive();
        await reply(
          `227 Entering Passive Mode (${[...v4].join(",")},${port >> 8},${
            port & 255
          })`,
        );
      },
      async EPSV(arg) {
        if (arg.toUpperCase() === "ALL") {
          await reply("200 EPSV ALL ok");
          return;
        }
        const port = await openPassive();
        await reply(`229 Entering Extended Passive Mode (|||${port}|)`);
      },
      async PORT(arg) {
        await setActive(parseHostPort(arg));
      },
      async EPRT(arg) {
        await setActive(parseEprt(arg));
      },
      async REST(arg) {
        if (ascii) {
          // An offset into the converted text is not one into the file.
          await reply("504 REST is for TYPE I only: send TYPE I first");
          return;
        }
        if (!/^\d+$/.test(arg)) {
          await reply("501 REST needs a byte offset");
          return;
        }
        restOffset = Number(arg);
        await reply(`350 Restarting at ${restOffset}`);
      },
      async LIST(arg) {
        await listing(arg, (name, info) => listLine(name, info));
      },
      async NLST(arg) {
        await listing(arg, (name) => name);
      },
      async MLSD(arg) {
        await listing(arg, mlsxFacts);
      },
      async MLST(arg) {
        const path = await resolve(arg);
        const info = path === null ? null : await stat(path.real);
        if (path === null || info === null) {
          await reply("550 No such file");
          return;
        }
        await conn.write(encoder.encode(
          `250-Listing ${path.virtual}\r\n ${
            mlsxFacts(path.virtual, info)
          }\r\n250 End\r\n`,
        ));
      },
      async SIZE(arg) {
        const path = await resolve(arg);
        const info = path === null ? null : await stat(path.real);
        if (ascii) {
          // The converted size would need the whole file read (vsftpd: same).
          await reply("550 SIZE is not offered in TYPE A: send TYPE I first");
        } else if (info === null || !info.isFile) {
          await reply("550 No such file");
        } else await reply(`213 ${info.size}`);
      },
      async MDTM(arg) {
        const path = await resolve(arg);
        const info = path === null ? null : await stat(path.real);
        if (info === null || !info.isFile) await reply("550 No such file");
        else {
          const m = (info.mtime ?? new Date(0)).toISOString();
          await reply(`213 ${m.replace(/[-:T]/g, "").slice(0, 14)}`);
        }
      },
      async RETR(arg) {
        const path = await resolve(arg);
        const info = path === null ? null : await stat(path.real);
        const offset = restOffset;
        restOffset = 0;
        if (path === null || info === null || !info.isFile) {
          await closePassive();
          await reply("550 No such file");
          return;
        }
        const lines = ascii ? new ToNetworkLines() : undefined;
        await transfer(async (data) => {
          using file = await Deno.open(path.real);
          await file.seek(offset, Deno.SeekMode.Start);
          const buffer = new Uint8Array(64 * 1024);
          for (;;) {
            const n = await file.read(buffer);
            if (n === null) break;
            // A copy: the data connection may still hold the last chunk.
            const chunk = buffer.slice(0, n);
            await data.write(
              lines === undefined ? chunk : lines.convert(chunk),
            );
          }
        });
      },
      async STOR(arg) {
        await store(arg, false);
      },
      async APPE(arg) {
        await store(arg, true);
      },
      async DELE(arg) {
        await change(
          arg,
          async (real) => await Deno.remove(real),
          "250 Deleted",
        );
      },
      async MKD(arg) {
        const path = await resolve(arg);
        if (readOnly || path === null) {
          await reply("550 Permission denied");
          return;
        }
        try {
          await Deno.mkdir(path.real);
          await reply(`257 "${path.virtual.replaceAll('"', '""')}" created`);
        } catch {
          await reply("550 Cannot create the directory");
        }
      },
      async RMD(arg) {
        await change(
          arg,
          async (real) => await Deno.remove(real),
          "250 Removed",
        );
      },
      async RNFR(arg) {
        const path = await resolve(arg);
        if (readOnly || path === null || (await stat(path.real)) === null) {
          await reply("550 Permission denied or no such file");
          return;
        }
        renameFrom = path.real;
        await reply("350 Ready for RNTO");
      },
      async RNTO(arg) {
        const from = renameFrom;
        renameFrom = undefined;
        const path = await resolve(arg);
        if (from === undefined || path === null) {
          await reply("503 RNFR first, within the root");
          return;
        }
        try {
          await Deno.rename(from, path.real);
          await reply("250 Renamed");
        } catch {
          await reply("550 Cannot rename");
        }
      },
      async ABOR() {
        await closePassive();
        await reply("226 Nothing to abort");
      },
    };

    async function setActive(target: { host: string; port: number } | null) {
      if (target === null || target.port < 1 || target.port > 65535) {
        await reply("501 Bad address");
        return;
      }
      // No FTP bounce (RFC 2577): data goes only to the client itself.
      if (target.host.replace(/^::ffff:/, "") !== client) {
        await reply("504 Data connections go to your own address only");
        return;
      }
      await closePassive();
      active = target;
      await reply("200 Active data connection set");
    }

    async function listing(
      arg: string,
      line: (name: string, info: Deno.FileInfo) => string,
    ) {
      // "LIST -la": options some clients send are ignored.
      const path = await resolve(arg.startsWith("-") ? "" : arg);
      const info = path === null ? null : await stat(path.real);
      if (path === null || info === null) {
        await closePassive();
        await reply("550 No such file or directory");
        return;
      }
      const lines: string[] = [];
      if (info.isDirectory) {
        const entries: Deno.DirEntry[] = [];
        for await (const entry of Deno.readDir(path.real)) entries.push(entry);
        entries.sort((a, b) => a.name < b.name ? -1 : 1);
        for (const entry of entries) {
          // An entry that leads out of the root (a symbolic link) is not shown.
          const inside = await realPath(
            options.root,
            virtualPath(path.virtual, entry.name),
          );
          const entryInfo = inside === null ? null : await stat(inside);
          if (entryInfo !== null) lines.push(line(entry.name, entryInfo));
        }
      } else {
        lines.push(line(path.virtual.split("/").pop()!, info));
      }
      await transfer(async (data) => {
        if (lines.length > 0) {
          await data.write(encoder.encode(lines.join("\r\n") + "\r\n"));
        }
      });
    }

    async function store(arg: string, append: boolean) {
      const path = await resolve(arg);
      const offset = restOffset;
      restOffset = 0;
      if (readOnly || path === null || arg === "") {
        await closePassive();
        await reply("550 Permission denied");
        return;
      }
      await transfer(async (data) => {
        using file = await Deno.open(path.real, {
          write: true,
          create: true,
          append,
          truncate: !append && offset === 0,
        });
        if (!append && offset > 0) await file.seek(offset, Deno.SeekMode.Start);
        const write = async (bytes: Uint8Array) => {
          for (let at = 0; at < bytes.length;) {
            at += await file.write(bytes.subarray(at));
          }
        };
        const lines = ascii ? new FromNetworkLines() : undefined;
        for (let chunk; (chunk = await data.read()) !== null;) {
          await write(lines === undefined ? chunk : lines.convert(chunk));
        }
        if (lines !== undefined) await write(lines.end());
      });
    }

    async function change(
      arg: string,
      fn: (real: string) => Promise<void>,
      ok: string,
    ) {
      const path = await resolve(arg);
      if (readOnly || path === null || path.virtual === "/") {
        await reply("550 Permission denied");
        return;
      }
      try {
        await fn(path.real);
        await reply(ok);
      } catch {
        await reply("550 Cannot do that");
      }
    }

    const newReader = () =>
      new MessageReader(
        conn,
        new LineDecoderCore({
          delimiter: "\n",
          maxLength: MAX_COMMAND_LENGTH,
        }),
      );
    let reader = newReader();

    // AUTH TLS (RFC 4217): the control connection turns TLS; the login
    // starts over, as the RFC asks.
    async function auth(arg: string): Promise<void> {
      if (options.tls === undefined) {
        await reply("502 TLS is not offered");
      } else if (secure) {
        await reply("503 TLS is already on");
      } else if (!/^(TLS|TLS-C|SSL)$/i.test(arg)) {
        await reply("504 Only AUTH TLS");
      } else {
        await reply("234 Proceed with TLS negotiation");
        // Whatever came after AUTH in cleartext is dropped, never read as
        // commands of the encrypted session.
        reader.cancel();
        await startTLS(conn, { ...options.tls, isServer: true });
        reader = newReader();
        secure = true;
        user = undefined;
        loggedIn = false;
      }
    }

    // PBSZ and PROT: only a buffer size of 0 (TLS streams), and PROT C or P.
    async function protection(command: string, arg: string): Promise<void> {
      if (!secure) {
        await reply("503 AUTH TLS first");
      } else if (command === "PBSZ") {
        await reply("200 PBSZ=0");
      } else if (arg.toUpperCase() === "P" || arg.toUpperCase() === "C") {
        protectData = arg.toUpperCase() === "P";
        await reply(`200 Protection level set to ${arg.toUpperCase()}`);
      } else {
        await reply("536 Only PROT C and P");
      }
    }
    await reply("220 Spindle FTP server ready");
    try {
      for (;;) {
        const idle = reactor.callLater(idleTimeout, () => conn.abort());
        let line: string | null;
        try {
          line = await reader.read();
        } finally {
          if (idle.active()) idle.cancel();
        }
        if (line === null) return;
        const space = line.indexOf(" ");
        const command = (space === -1 ? line : line.slice(0, space))
          .toUpperCase();
        const arg = space === -1 ? "" : line.slice(space + 1);
        if (command === "QUIT") {
          await reply("221 Goodbye");
          return;
        }
        if (command === "USER") {
          user = arg;
          loggedIn = false;
          await reply("331 Password required");
          continue;
        }
        if (command === "PASS") {
          if (user === undefined) await reply("503 USER first");
          else await login(arg);
          continue;
        }
        if (command === "AUTH") {
          await auth(arg);
          continue;
        }
        if (command === "PBSZ" || command === "PROT") {
          await protection(command, arg);
          continue;
        }
        const handler = handlers[command];
        if (handler === undefined) {
          await reply(`502 ${command.slice(0, 10)} is not implemented`);
        } else if (!loggedIn && command !== "FEAT" && command !== "SYST") {
          await reply("530 Log in first");
        } else {
          await handler(arg);
        }
      }
    } finally {
      await closePassive();
    }
  };
}
