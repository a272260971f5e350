/**
 * The SSH client: connects over the reactor, checks the server's host key
 * (a `known_hosts` file or a callback), logs in with keys or a password,
 * runs commands with their output streamed (and backpressure), opens
 * `direct-tcpip` tunnels as Spindle connections, and starts SFTP.
 *
 * @module
 */
import type { Connection, Reactor } from "../../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { BaseConnection } from "../../reactor/connection.ts";
import { type Channel, ChannelMux } from "./connection.ts";
import { SFTPClient } from "./sftp_client.ts";
import { DISCONNECT, MSG, SSH_PORT } from "./constants.ts";
import {
  AuthenticationFailedError,
  SSHProtocolError,
  SSHTimeoutError,
} from "./errors.ts";
import type { SSHPrivateKey } from "./keys.ts";
import { KnownHosts } from "./known_hosts.ts";
import { DEFAULT_HANDSHAKE_TIMEOUT } from "./limits.ts";
import {
  type HostKeyVerifier,
  SSHTransport,
  type SSHTransportOptions,
} from "./transport.ts";
import { SSHReader, SSHWriter } from "./wire.ts";
import type { ExitSignal } from "./session.ts";

/**
 * The options of {@linkcode connectSSH}.
 *
 * @example Usage
 * ```ts
 * import type { SSHClientOptions } from "@spindle/spindle/protocols/ssh";
 * const options: SSHClientOptions = {
 *   host: "127.0.0.1", port: 2222, user: "alice", password: "secret",
 *   knownHosts: "/home/alice/.ssh/known_hosts",
 * };
 * console.assert(options.port === 2222);
 * ```
 */
export interface SSHClientOptions extends
  Pick<
    SSHTransportOptions,
    | "rekeyBytes"
    | "rekeyInterval"
    | "maxPacketSize"
    | "ciphers"
    | "macs"
    | "kex"
  > {
  /** The server's host name or address. */
  host: string;
  /** The server's port; 22 by default. */
  port?: number;
  /** The user to log in as. */
  user: string;
  /** Keys to try, in order. */
  keys?: readonly SSHPrivateKey[];
  /** A password to try after the keys. */
  password?: string;
  /** A `known_hosts` file that must list the server's key. */
  knownHosts?: string;
  /** Decides on the host key instead of (or when there is no) `knownHosts`. */
  verifyHostKey?: HostKeyVerifier;
  /** Time for the connection, key exchange and login, in ms; 60 s by default. */
  timeout?: number;
  /** The reactor to connect with; the default one by default. */
  reactor?: Reactor;
}

/**
 * A command running on the server: its streams and its exit status.
 *
 * @example Usage
 * ```ts ignore
 * const process = await client.exec("wc -c");
 * const writer = process.stdin.getWriter();
 * await writer.write(new TextEncoder().encode("hello"));
 * await writer.close();
 * console.log(await new Response(process.stdout).text(), await process.status);
 * ```
 */
export interface RemoteProcess {
  /** The command's stdin; closing it sends EOF. */
  readonly stdin: WritableStream<Uint8Array>;
  /** The command's stdout; not reading it stalls the command (backpressure). */
  readonly stdout: ReadableStream<Uint8Array>;
  /** The command's stderr. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** The exit status, or `null` when the server sent none (a signal killed it). */
  readonly status: Promise<number | null>;
  /** The signal that killed the command (`exit-signal`), or `null` when none was sent. */
  readonly exitSignal: Promise<ExitSignal | null>;
  /** Sends a signal (`TERM`, `INT`, ...) to the command. */
  signal(name: string): Promise<void>;
}

/**
 * What {@linkcode SSHClient.run} collected.
 *
 * @example Usage
 * ```ts
 * import type { RunResult } from "@spindle/spindle/protocols/ssh";
 * const result: RunResult = {
 *   stdout: new Uint8Array(0),
 *   stderr: new Uint8Array(0),
 *   status: 0,
 *   exitSignal: null,
 * };
 * console.assert(result.status === 0);
 * ```
 */
export interface RunResult {
  /** All of stdout. */
  stdout: Uint8Array;
  /** All of stderr. */
  stderr: Uint8Array;
  /** The exit status (`null`: none sent). */
  status: number | null;
  /** The signal that killed the command (`null`: none sent). */
  exitSignal: ExitSignal | null;
}

class ChannelConnection extends BaseConnection {
  readonly #channel: Channel;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(channel: Channel, name: string) {
    const addr = { transport: "memory" as const, name };
    super(addr, addr);
    this.#channel = channel;
    this.#reader = channel.readable.getReader();
  }

  protected async rawRead(): Promise<Uint8Array | null> {
    const { done, value } = await this.#reader.read();
    return done ? null : value;
  }

  protected rawWrite(data: Uint8Array): Promise<void> {
    return this.#channel.write(data);
  }

  protected rawCloseWrite(): Promise<void> {
    return this.#channel.eof();
  }

  protected rawClose(): void {
    this.#channel.close().catch(() => {});
  }
}

/**
 * A logged-in SSH client connection; make one with {@linkcode connectSSH}.
 *
 * @example Usage
 * ```ts ignore
 * const client = await connectSSH({ host: "127.0.0.1", port: 2222, user: "alice", keys: [key], knownHosts: "known_hosts" });
 * const { stdout, status } = await client.run("uname -a");
 * await client.close();
 * ```
 */
export class SSHClient {
  /** The transport (session id, negotiated algorithms, host key). */
  readonly transport: SSHTransport;
  readonly #mux: ChannelMux;

  /** @internal Made by {@linkcode connectSSH}. */
  constructor(transport: SSHTransport, mux: ChannelMux) {
    this.transport = transport;
    this.#mux = mux;
  }

  /** Resolves when the connection has ended. */
  get closed(): Promise<void> {
    return this.transport.closed;
  }

  /** Opens a channel of `type` (for protocols of your own). */
  openChannel(type: string, data?: Uint8Array): Promise<Channel> {
    return this.#mux.open(type, data);
  }

  /**
   * Starts `command` (or the login shell with `null`), with `env` set
   * (where the server allows) and a terminal when `pty` is given.
   */
  async exec(
    command: string | null,
    options: {
      env?: Record<string, string>;
      pty?: { term: string; columns: number; rows: number };
    } = {},
  ): Promise<RemoteProcess> {
    const channel = await this.#mux.open("session");
    return await startProcess(channel, options, async () => {
      return command === null
        ? await channel.request("shell", true)
        : await channel.request(
          "exec",
          true,
          new SSHWriter().string(command).finish(),
        );
    }, command ?? "shell");
  }

  /** Starts the subsystem `name` (such as `sftp`) on a new session channel. */
  async subsystem(name: string): Promise<Channel> {
    const channel = await this.#mux.open("session");
    if (
      !(await channel.request(
        "subsystem",
        true,
        new SSHWriter().string(name).finish(),
      ))
    ) {
      await channel.close();
      throw new SSHProtocolError(`the server refused the ${name} subsystem`);
    }
    return channel;
  }

  /** Starts an SFTP session on a new channel. */
  async sftp(): Promise<SFTPClient> {
    return await SFTPClient.start(await this.subsystem("sftp"));
  }

  /** Runs `command` to its end, with `stdin` as its input: its output and status. */
  async run(command: string, stdin?: Uint8Array | string): Promise<RunResult> {
    const process = await this.exec(command);
    const writer = process.stdin.getWriter();
    const input = (async () => {
      if (stdin !== undefined) {
        await writer.write(
          typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin,
        );
      }
      await writer.close();
    })().catch(() => {});
    const [stdout, stderr, status, exitSignal] = await Promise.all([
      new Response(process.stdout).bytes(),
      new Response(process.stderr).bytes(),
      process.status,
      process.exitSignal,
      input,
    ]);
    return { stdout, stderr, status, exitSignal };
  }

  /**
   * Opens a `direct-tcpip` tunnel to `host`:`port` as the server sees it
   * (what `ssh -L` does), as a Spindle connection.
   */
  async openTunnel(host: string, port: number): Promise<Connection> {
    const channel = await this.#mux.open(
      "direct-tcpip",
      new SSHWriter().string(host).uint32(port).string("127.0.0.1").uint32(0)
        .finish(),
    );
    return new ChannelConnection(channel, `ssh:${host}:${port}`);
  }

  /** Sends DISCONNECT and closes the connection. */
  async close(): Promise<void> {
    await this.transport.disconnect(DISCONNECT.BY_APPLICATION, "bye");
    await this.transport.closed;
  }

  /** Closes the connection. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function startProcess(
  channel: Channel,
  options: {
    env?: Record<string, string>;
    pty?: { term: string; columns: number; rows: number };
  },
  start: () => Promise<boolean>,
  what: string,
): Promise<RemoteProcess> {
  const status = Promise.withResolvers<number | null>();
  const exitSignal = Promise.withResolvers<ExitSignal | null>();
  let exit: number | null = null;
  let killed: ExitSignal | null = null;
  channel.onRequest = (request) => {
    if (request.type === "exit-status") exit = request.data.uint32();
    if (request.type === "exit-signal") {
      killed = {
        signal: request.data.text(),
        coreDumped: request.data.boolean(),
        message: request.data.text(),
      };
    }
    return true;
  };
  channel.closed.then(() => {
    status.resolve(exit);
    exitSignal.resolve(killed);
  });
  for (const [name, value] of Object.entries(options.env ?? {})) {
    await channel.request(
      "env",
      false,
      new SSHWriter().string(name).string(value).finish(),
    );
  }
  if (options.pty !== undefined) {
    await channel.request(
      "pty-req",
      true,
      new SSHWriter().string(options.pty.term).uint32(options.pty.columns)
        .uint32(options.pty.rows).uint32(0).uint32(0).string(
          new Uint8Array([0]),
        )
        .finish(),
    );
  }
  if (!(await start())) {
    await channel.close().catch(() => {});
    throw new SSHProtocolError(`the server refused to run ${what}`);
  }
  return {
    stdin: channel.writable,
    stdout: channel.readable,
    stderr: channel.stderr,
    status: status.promise,
    exitSignal: exitSignal.promise,
    signal: async (name) => {
      await channel.request(
        "signal",
        false,
        new SSHWriter().string(name).finish(),
      );
    },
  };
}

// The messages of user authentication, handed over one at a time.
class AuthInbox {
  #messages: Uint8Array[] = [];
  #waiter: PromiseWithResolvers<Uint8Array> | null = null;
  #failure: unknown = null;

  push(payload: Uint8Array): void {
    if (this.#waiter !== null) {
      this.#waiter.resolve(payload);
      this.#waiter = null;
    } else this.#messages.push(payload);
  }

  fail(error: unknown): void {
    this.#failure = error;
    this.#waiter?.reject(error);
    this.#waiter = null;
  }

  next(): Promise<Uint8Array> {
    const message = this.#messages.shift();
    if (message !== undefined) return Promise.resolve(message);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    this.#waiter = Promise.withResolvers<Uint8Array>();
    return this.#waiter.promise;
  }
}

/**
 * Connects to an SSH server, checks its host key and logs in: with each of
 * `keys`, then `password`. Rejects with `HostKeyMismatchError` for an
 * untrusted host key, {@linkcode AuthenticationFailedError} when every
 * method is refused, and `SSHTimeoutError` after `timeout`.
 *
 * @example Usage
 * ```ts ignore
 * import { connectSSH, SSHPrivateKey } from "@spindle/spindle/protocols/ssh";
 * const client = await connectSSH({
 *   host: "127.0.0.1", port: 2222, user: "alice",
 *   keys: [await SSHPrivateKey.load("id_ed25519")],
 *   knownHosts: `${Deno.env.get("HOME")}/.ssh/known_hosts`,
 * });
 * console.log(new TextDecoder().decode((await client.run("echo hi")).stdout));
 * await client.close();
 * ```
 */
export async function connectSSH(
  options: SSHClientOptions,
): Promise<SSHClient> {
  const reactor = options.reactor ?? defaultReactor;
  const port = options.port ?? SSH_PORT;
  let verify = options.verifyHostKey;
  if (options.knownHosts !== undefined) {
    const known = await KnownHosts.load(options.knownHosts);
    const fromFile = known.verifier(options.host, port);
    const fallback = verify;
    verify = async (blob, algorithm) =>
      (await fromFile(blob, algorithm)) ||
      (fallback !== undefined && (await fallback(blob, algorithm)));
  }
  if (verify === undefined) {
    throw new TypeError(
      "connectSSH needs knownHosts (a known_hosts file) or verifyHostKey to check the server's key",
    );
  }
  const timeout = options.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  const conn = await reactor.connectTCP(options.host, port, { timeout });
  const transport = new SSHTransport(conn, {
    ...options,
    role: "client",
    verifyHostKey: verify,
    clock: reactor,
  });
  const inbox = new AuthInbox();
  let mux: ChannelMux | null = null;
  transport.onMessage = (payload) => {
    if (mux !== null && payload[0]! >= 80) return mux.handle(payload);
    if (payload[0] === MSG.EXT_INFO || payload[0] === MSG.USERAUTH_BANNER) {
      return true;
    }
    inbox.push(payload);
    return true;
  };
  transport.onClose = (error) => {
    const reason = error ??
      new SSHProtocolError("the server closed the connection");
    inbox.fail(reason);
    mux?.abortAll(reason);
  };
  const deadline = reactor.callLater(timeout, () => {
    inbox.fail(new SSHTimeoutError(`no login within ${timeout} ms`));
    transport.disconnect(DISCONNECT.BY_APPLICATION, "login timed out");
  });
  try {
    await transport.start();
    await authenticate(transport, inbox, options);
    mux = new ChannelMux(transport);
    return new SSHClient(transport, mux);
  } catch (error) {
    await transport.disconnect().catch(() => {});
    await transport.closed;
    throw transport.error ?? error;
  } finally {
    if (deadline.active()) deadline.cancel();
  }
}

async function authenticate(
  transport: SSHTransport,
  inbox: AuthInbox,
  options: SSHClientOptions,
): Promise<void> {
  await transport.send(
    new SSHWriter().byte(MSG.SERVICE_REQUEST).string("ssh-userauth").finish(),
  );
  const accept = await inbox.next();
  if (accept[0] !== MSG.SERVICE_ACCEPT) {
    throw new SSHProtocolError(
      `the server answered the ssh-userauth request with message ${accept[0]}`,
    );
  }
  const user = options.user;
  const request = (method: string) =>
    new SSHWriter().byte(MSG.USERAUTH_REQUEST).string(user).string(
      "ssh-connection",
    ).string(method);
  let methods = ["publickey", "password"];
  const outcome = async (): Promise<boolean> => {
    const reply = await inbox.next();
    if (reply[0] === MSG.USERAUTH_SUCCESS) return true;
    if (reply[0] !== MSG.USERAUTH_FAILURE) {
      throw new SSHProtocolError(`unexpected message ${reply[0]} during login`);
    }
    methods = new SSHReader(reply, 1).nameList();
    return false;
  };
  for (const key of options.keys ?? []) {
    if (!methods.includes("publickey")) break;
    const algorithm = key.algorithms[0]!;
    const body = request("publickey").boolean(true).string(algorithm).string(
      key.publicBlob,
    ).finish();
    const signed = new SSHWriter().string(transport.sessionId!).raw(body)
      .finish();
    const signature = await key.sign(signed, algorithm);
    await transport.send(new SSHWriter().raw(body).string(signature).finish());
    if (await outcome()) return;
  }
  if (options.password !== undefined && methods.includes("password")) {
    await transport.send(
      request("password").boolean(false).string(options.password).finish(),
    );
    if (await outcome()) return;
  }
  throw new AuthenticationFailedError(user, methods);
}
