/**
 * The FTP client (RFC 959, 2428): log in, list, get and put as streams,
 * in passive mode.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { Connection, Reactor } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import { LineDecoderCore } from "../basic/line.ts";
import { FTP_PORT } from "./constants.ts";
import { FTPReplyError, MalformedFTPReplyError } from "./errors.ts";
import { MAX_COMMAND_LENGTH, MAX_REPLY_LINES } from "./limits.ts";
import { FromNetworkLines } from "./_ascii.ts";

/**
 * A reply: its code and its text (lines joined with LF).
 *
 * @example Usage
 * ```ts
 * import type { FTPReply } from "@spindle/spindle/protocols/ftp";
 * const reply: FTPReply = { code: 226, text: "Transfer complete" };
 * console.assert(reply.code === 226);
 * ```
 */
export interface FTPReply {
  /** The three-digit code. */
  code: number;
  /** The text after the code. */
  text: string;
}

/**
 * Options of {@linkcode connectFTP}.
 *
 * @example Usage
 * ```ts
 * import type { ConnectFTPOptions } from "@spindle/spindle/protocols/ftp";
 * const options: ConnectFTPOptions = { port: 2121, username: "alice", password: "secret" };
 * console.assert(options.port === 2121);
 * ```
 */
export interface ConnectFTPOptions {
  /** The control port; default {@linkcode FTP_PORT} (21). */
  port?: number;
  /** The user; default `anonymous`. */
  username?: string;
  /** The password; default `anonymous@`. */
  password?: string;
  /** Milliseconds to connect before failing with `ConnectTimeoutError`. */
  timeout?: number;
  /** The reactor to connect with; default: the default reactor. */
  reactor?: Reactor;
}

/**
 * A logged-in FTP session ({@linkcode connectFTP}); every transfer is
 * passive (EPSV, or PASV when the server lacks it), one at a time.
 *
 * @example Usage
 * ```ts ignore
 * import { connectFTP } from "@spindle/spindle/protocols/ftp";
 * const ftp = await connectFTP("127.0.0.1", { port: 2121 });
 * console.log(await ftp.list("/"));
 * await ftp.quit();
 * ```
 */
export class FTPClient {
  #conn: Connection;
  #reader: MessageReader<string>;
  #host: string;
  #reactor: Reactor;

  /** Wraps a control connection whose greeting was read. */
  constructor(
    conn: Connection,
    options: { host: string; reactor: Reactor },
  ) {
    this.#conn = conn;
    this.#host = options.host;
    this.#reactor = options.reactor;
    this.#reader = new MessageReader(
      conn,
      new LineDecoderCore({ delimiter: "\n", maxLength: MAX_COMMAND_LENGTH }),
    );
  }

  /** Reads one reply, multi-line ones whole (RFC 959 §4.2). */
  async readReply(): Promise<FTPReply> {
    const next = async () => {
      const line = await this.#reader.read();
      if (line === null) {
        throw new MalformedFTPReplyError("(the connection closed)");
      }
      return line;
    };
    const first = await next();
    if (!/^\d{3}([ -]|$)/.test(first)) throw new MalformedFTPReplyError(first);
    const code = first.slice(0, 3);
    const lines = [first.slice(4)];
    // "NNN-" opens a multi-line reply, which "NNN " (or "NNN") closes.
    while (first[3] === "-") {
      const line = await next();
      if (line === code || line.startsWith(`${code} `)) {
        lines.push(line.slice(4));
        break;
      }
      lines.push(line);
      if (lines.length > MAX_REPLY_LINES) {
        throw new MalformedFTPReplyError(line);
      }
    }
    return { code: Number(code), text: lines.join("\n") };
  }

  /** Sends `command` and returns the reply; a 4xx or 5xx fails with {@linkcode FTPReplyError}. */
  async command(command: string): Promise<FTPReply> {
    if (/[\r\n]/.test(command)) {
      throw new RangeError("an FTP command is one line: no CR or LF");
    }
    await this.#conn.write(new TextEncoder().encode(`${command}\r\n`));
    const reply = await this.readReply();
    if (reply.code >= 400) {
      throw new FTPReplyError(
        command.startsWith("PASS ") ? "PASS" : command,
        reply.code,
        reply.text,
      );
    }
    return reply;
  }

  async #passive(): Promise<Connection> {
    let port: number;
    try {
      const reply = await this.command("EPSV");
      const match = /\(([^\d])\1\1(\d+)\1\)/.exec(reply.text);
      if (match === null) throw new MalformedFTPReplyError(reply.text);
      port = Number(match[2]);
    } catch (error) {
      if (!(error instanceof FTPReplyError)) throw error;
      const reply = await this.command("PASV");
      const numbers = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply.text);
      if (numbers === null) throw new MalformedFTPReplyError(reply.text);
      port = Number(numbers[5]) * 256 + Number(numbers[6]);
    }
    // The data connection goes to the control connection's host, whatever
    // address PASV named (a server behind NAT names the wrong one).
    return await this.#reactor.connectTCP(this.#host, port);
  }

  async #transfer(command: string): Promise<Connection> {
    const data = await this.#passive();
    try {
      await this.command(command);
    } catch (error) {
      data.abort();
      throw error;
    }
    return data;
  }

  /** The listing of `path` (LIST, or NLST with `names`), as text. */
  async list(path = "", options: { names?: boolean } = {}): Promise<string> {
    const verb = options.names ? "NLST" : "LIST";
    const data = await this.#transfer(path === "" ? verb : `${verb} ${path}`);
    const text = await new Response(data.readable).text();
    await data.close();
    await this.readReply();
    return text;
  }

  /**
   * The file `path` as a stream (TYPE I), from byte `offset` if given
   * (REST). With `ascii`, it is fetched as text (TYPE A) and its CRLF line
   * ends come out as LF; servers refuse an `offset` with it. The transfer's
   * final reply is read when the stream ends.
   */
  async get(
    path: string,
    options: { offset?: number; ascii?: boolean } = {},
  ): Promise<ReadableStream<Uint8Array>> {
    await this.command(options.ascii ? "TYPE A" : "TYPE I");
    if (options.offset) await this.command(`REST ${options.offset}`);
    const data = await this.#transfer(`RETR ${path}`);
    const reader = data.readable.getReader();
    const lines = options.ascii ? new FromNetworkLines() : undefined;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const { value, done } = await reader.read();
        if (done) {
          const rest = lines?.end();
          if (rest !== undefined && rest.length > 0) controller.enqueue(rest);
          await data.close();
          const reply = await this.readReply();
          if (reply.code >= 400) {
            controller.error(
              new FTPReplyError(`RETR ${path}`, reply.code, reply.text),
            );
          } else controller.close();
          return;
        }
        controller.enqueue(lines === undefined ? value : lines.convert(value));
      },
      cancel: async (reason) => {
        await reader.cancel(reason);
      },
    });
  }

  /** Stores `body` as `path` (TYPE I; APPE with `append`). */
  async put(
    path: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    options: { append?: boolean } = {},
  ): Promise<void> {
    await this.command("TYPE I");
    const data = await this.#transfer(
      `${options.append ? "APPE" : "STOR"} ${path}`,
    );
    if (body instanceof Uint8Array) await data.write(body);
    else {
      for await (const chunk of body) await data.write(chunk);
    }
    await data.close();
    const reply = await this.readReply();
    if (reply.code >= 400) {
      throw new FTPReplyError(`STOR ${path}`, reply.code, reply.text);
    }
  }

  /** Says QUIT and closes the connection. */
  async quit(): Promise<void> {
    try {
      await this.command("QUIT");
    } finally {
      await this.#conn.close();
    }
  }
}

/**
 * Connects to the FTP server on `host`, reads its greeting and logs in.
 *
 * @throws {FTPReplyError} When the login is refused.
 *
 * @example Usage
 * ```ts ignore
 * import { connectFTP } from "@spindle/spindle/protocols/ftp";
 * const ftp = await connectFTP("127.0.0.1", { port: 2121, username: "alice", password: "secret" });
 * await ftp.put("hello.txt", new TextEncoder().encode("hello\n"));
 * await ftp.quit();
 * ```
 */
export async function connectFTP(
  host: string,
  options: ConnectFTPOptions = {},
): Promise<FTPClient> {
  const reactor = options.reactor ?? defaultReactor;
  const conn = await reactor.connectTCP(host, options.port ?? FTP_PORT, {
    timeout: options.timeout,
  });
  const client = new FTPClient(conn, { host, reactor });
  try {
    const greeting = await client.readReply();
    if (greeting.code !== 220) {
      throw new FTPReplyError("(greeting)", greeting.code, greeting.text);
    }
    const user = await client.command(
      `USER ${options.username ?? "anonymous"}`,
    );
    if (user.code === 331) {
      await client.command(`PASS ${options.password ?? "anonymous@"}`);
    }
  } catch (error) {
    conn.abort(error);
    throw error;
  }
  return client;
}
