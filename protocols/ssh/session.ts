/**
 * Session channels on the server (RFC 4254 §6): `pty-req` (recorded and
 * handed to the handler), `env` (an allow-list), `exec`, `shell` and
 * `subsystem`, `window-change`, `signal`; the handler's exit status goes back
 * as `exit-status`, then EOF and close, in that order.
 *
 * @module
 */
import { getLogger } from "../../log/mod.ts";
import type { Channel, ChannelRequest } from "./connection.ts";
import { MAX_SESSION_ENV } from "./limits.ts";
import { SSHWriter } from "./wire.ts";

const logger = getLogger("spindle.ssh");

/**
 * The terminal a client asked for with `pty-req` (RFC 4254 §6.2).
 *
 * @example Usage
 * ```ts
 * import type { PtyRequest } from "@spindle/spindle/protocols/ssh";
 * const pty: PtyRequest = { term: "xterm", columns: 80, rows: 24, widthPixels: 0, heightPixels: 0, modes: new Uint8Array([0]) };
 * console.assert(pty.columns === 80);
 * ```
 */
export interface PtyRequest {
  /** The TERM value. */
  term: string;
  /** Width in characters. */
  columns: number;
  /** Height in rows. */
  rows: number;
  /** Width in pixels (0 when unknown). */
  widthPixels: number;
  /** Height in pixels (0 when unknown). */
  heightPixels: number;
  /** The encoded terminal modes. */
  modes: Uint8Array;
}

/**
 * One session a client runs: what it asked for, and its standard streams.
 *
 * @example A handler that echoes stdin back
 * ```ts
 * import type { SessionHandler } from "@spindle/spindle/protocols/ssh";
 * const cat: SessionHandler = async (session) => {
 *   await session.stdin.pipeTo(session.stdout);
 *   return 0;
 * };
 * ```
 */
export interface Session {
  /** The user (avatar id) the session runs as. */
  readonly user: string;
  /** The avatar the portal's realm made for the user. */
  readonly avatar: unknown;
  /** The command of `exec`; `null` for `shell` and subsystems. */
  readonly command: string | null;
  /** The subsystem's name (`sftp`), or `null`. */
  readonly subsystem: string | null;
  /** The terminal, when the client asked for one. */
  readonly pty: PtyRequest | null;
  /** The environment variables the client set and the allow-list let through. */
  readonly env: Readonly<Record<string, string>>;
  /** What the client sends; ends at the client's EOF. */
  readonly stdin: ReadableStream<Uint8Array>;
  /** To the client's stdout; closing it sends EOF. */
  readonly stdout: WritableStream<Uint8Array>;
  /** To the client's stderr. */
  readonly stderr: WritableStream<Uint8Array>;
  /** Aborted when the client closes the channel or the connection ends. */
  readonly signal: AbortSignal;
  /** Called for each `signal` request (`TERM`, `INT`, ...). */
  onSignal: (name: string) => void;
  /** Called when the client's terminal changes size. */
  onWindowChange: (pty: PtyRequest) => void;
}

/**
 * Runs a session; resolves to its exit status (0 when nothing).
 *
 * @example Usage
 * ```ts
 * import type { SessionHandler } from "@spindle/spindle/protocols/ssh";
 * const hello: SessionHandler = async (session) => {
 *   const writer = session.stdout.getWriter();
 *   await writer.write(new TextEncoder().encode(`hello ${session.user}\n`));
 *   writer.releaseLock();
 *   return 0;
 * };
 * ```
 */
export type SessionHandler = (
  session: Session,
) => number | ExitSignal | void | Promise<number | ExitSignal | void>;

/**
 * How a command ended when a signal killed it: a {@linkcode SessionHandler}
 * returns it to send `exit-signal` (RFC 4254 §6.10) instead of `exit-status`,
 * and the client reports it as {@linkcode RemoteProcess.exitSignal}.
 *
 * @example Usage
 * ```ts
 * import type { ExitSignal } from "@spindle/spindle/protocols/ssh";
 * const killed: ExitSignal = { signal: "TERM", coreDumped: false, message: "" };
 * console.assert(killed.signal === "TERM");
 * ```
 */
export interface ExitSignal {
  /** The signal's name without `SIG`, such as `TERM` or `KILL`. */
  signal: string;
  /** Whether the process left a core dump. */
  coreDumped: boolean;
  /** A message for the user; often empty. */
  message: string;
}

/**
 * What a server's session channels may do.
 *
 * @example Usage
 * ```ts
 * import type { SessionOptions } from "@spindle/spindle/protocols/ssh";
 * const options: SessionOptions = { envAllowList: ["LANG"] };
 * console.assert(options.envAllowList?.[0] === "LANG");
 * ```
 */
export interface SessionOptions {
  /** Runs `exec` and `shell`; without it both are refused. */
  session?: SessionHandler;
  /** Subsystems by name (`sftp`). */
  subsystems?: Readonly<Record<string, SessionHandler>>;
  /**
   * Variables `env` may set: names, or prefixes ending in `*`; `LANG` and
   * `LC_*` by default, as OpenSSH's AcceptEnv in Debian.
   */
  envAllowList?: readonly string[];
}

function allowed(name: string, list: readonly string[]): boolean {
  return list.some((entry) =>
    entry.endsWith("*") ? name.startsWith(entry.slice(0, -1)) : entry === name
  );
}

function readPty(request: ChannelRequest, withTerm: boolean): PtyRequest {
  const data = request.data;
  const term = withTerm ? data.text() : "";
  const pty = {
    term,
    columns: data.uint32(),
    rows: data.uint32(),
    widthPixels: data.uint32(),
    heightPixels: data.uint32(),
    modes: new Uint8Array(0),
  };
  if (withTerm) pty.modes = data.bytes().slice();
  return pty;
}

/**
 * Serves a session channel: takes its requests, runs the handler once
 * `exec`, `shell` or `subsystem` comes, and ends the channel with the
 * handler's exit status.
 *
 * @example Usage
 * ```ts ignore
 * const run = (channel: Channel) => serveSession(channel, { user: "alice", avatar: null }, { session: handler });
 * ```
 */
export function serveSession(
  channel: Channel,
  who: { user: string; avatar: unknown },
  options: SessionOptions,
): void {
  const envAllowList = options.envAllowList ?? ["LANG", "LC_*"];
  const env: Record<string, string> = {};
  const abort = new AbortController();
  let pty: PtyRequest | null = null;
  let started = false;
  const session: Session = {
    user: who.user,
    avatar: who.avatar,
    command: null,
    subsystem: null,
    get pty() {
      return pty;
    },
    env,
    stdin: channel.readable,
    stdout: channel.writable,
    stderr: channel.stderrWritable,
    signal: abort.signal,
    onSignal: () => {},
    onWindowChange: () => {},
  };
  channel.closed.then(() => abort.abort());
  channel.onRequest = (request) => {
    switch (request.type) {
      case "pty-req":
        pty = readPty(request, true);
        return true;
      case "window-change":
        if (pty === null) return false;
        pty = { ...readPty(request, false), term: pty.term, modes: pty.modes };
        session.onWindowChange(pty);
        return true;
      case "env": {
        const name = request.data.text();
        const value = request.data.text();
        if (
          Object.keys(env).length >= MAX_SESSION_ENV ||
          !allowed(name, envAllowList)
        ) return false;
        env[name] = value;
        return true;
      }
      case "signal":
        session.onSignal(request.data.text());
        return true;
      case "exec":
      case "shell":
      case "subsystem": {
        if (started) return false;
        let handler = options.session;
        if (request.type === "exec") {
          (session as { command: string | null }).command = request.data.text();
        } else if (request.type === "subsystem") {
          const name = request.data.text();
          (session as { subsystem: string | null }).subsystem = name;
          handler = options.subsystems?.[name];
        }
        if (handler === undefined) return false;
        started = true;
        queueMicrotask(() => run(channel, session, handler));
        return true;
      }
    }
    return false;
  };
}

async function run(
  channel: Channel,
  session: Session,
  handler: SessionHandler,
): Promise<void> {
  let exit: number | ExitSignal = 0;
  try {
    exit = (await handler(session)) ?? 0;
  } catch (error) {
    logger.error("an SSH session handler failed: {error}", { error });
    exit = 1;
  }
  try {
    if (typeof exit === "number") {
      await channel.request(
        "exit-status",
        false,
        new SSHWriter().uint32(exit >>> 0).finish(),
      );
    } else {
      await channel.request(
        "exit-signal",
        false,
        new SSHWriter().string(exit.signal).boolean(exit.coreDumped)
          .string(exit.message).string("").finish(),
      );
    }
    await channel.eof();
    await channel.close();
  } catch {
    // The connection ended first: there is nobody to tell the status to.
  }
}
