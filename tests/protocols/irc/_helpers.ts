// A scripted IRC peer over any connection, for the server and client tests:
// it writes lines and waits (boundedly) for the lines it expects.
import type { Connection } from "../../../reactor/interfaces.ts";
import { MessageReader } from "../../../reactor/message_reader.ts";
import { IRCDecoderCore, type IRCMessage } from "../../../protocols/irc/mod.ts";

/** How long a test waits for an expected line before failing. */
export const WAIT_MS = 5_000;

export class LinePeer {
  readonly conn: Connection;
  readonly #reader: MessageReader<IRCMessage>;
  readonly #encoder = new TextEncoder();
  /** Every message received, in order. */
  readonly received: IRCMessage[] = [];
  #pending: Promise<IRCMessage | null> | undefined;

  constructor(conn: Connection) {
    this.conn = conn;
    this.#reader = new MessageReader(
      conn,
      new IRCDecoderCore({ maxLineBytes: 1 << 20 }),
    );
  }

  send(...lines: string[]): Promise<void> {
    return this.conn.write(
      this.#encoder.encode(lines.map((line) => `${line}\r\n`).join("")),
    );
  }

  /** The next message, or null at the end; fails after WAIT_MS. */
  async next(): Promise<IRCMessage | null> {
    this.#pending ??= this.#reader.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no line within ${WAIT_MS} ms`)),
        WAIT_MS,
      );
    });
    try {
      const message = await Promise.race([this.#pending, timeout]);
      this.#pending = undefined;
      if (message !== null) this.received.push(message);
      return message;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads until a message with `command` (and matching `test`), returning those read. */
  async until(
    command: string | string[],
    test: (message: IRCMessage) => boolean = () => true,
  ): Promise<IRCMessage[]> {
    const seen: IRCMessage[] = [];
    for (;;) {
      const message = await this.next();
      if (message === null) {
        throw new Error(
          `the connection ended before ${command}; got ${
            seen.map((m) => m.command).join(" ")
          }`,
        );
      }
      seen.push(message);
      const wanted = typeof command === "string" ? [command] : command;
      if (wanted.includes(message.command) && test(message)) return seen;
    }
  }

  /** Registers as `nick` and reads through the end of the MOTD. */
  async register(nick: string, ...before: string[]): Promise<IRCMessage[]> {
    await this.send(
      ...before,
      `NICK ${nick}`,
      `USER ${nick} 0 * :${nick} Real`,
    );
    return await this.until(["376", "422"]);
  }

  async close(): Promise<void> {
    this.#reader.cancel();
    await this.conn.close().catch(() => {});
  }
}
