// A POP3 server over a fresh maildir store with alice and bob ("secret"),
// and a raw line client.
import {
  InMemoryPasswordChecker,
  LoginLimiter,
  Portal,
} from "../../../cred/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { MailRealm, MailStore } from "../../../protocols/mail/mod.ts";
import {
  servePOP3,
  type ServePOP3Options,
} from "../../../protocols/pop3/mod.ts";
import { LineDecoderCore } from "../../../protocols/basic/mod.ts";
import { MessageReader } from "../../../reactor/message_reader.ts";
import { reactor } from "../../../reactor/deno_reactor.ts";
import type { Connection, RunningServer } from "../../../reactor/mod.ts";

export interface POP3Fixture {
  store: MailStore;
  server: RunningServer;
  port: number;
  [Symbol.asyncDispose](): Promise<void>;
}

export function mailPortal(
  store: MailStore,
): Portal<ReturnType<MailStore["mailbox"]>, null> {
  return new Portal(new MailRealm(store), [
    new InMemoryPasswordChecker({ alice: "secret", bob: "secret" }),
  ]);
}

export async function startPOP3(
  options: Partial<ServePOP3Options> = {},
  store?: MailStore,
): Promise<POP3Fixture> {
  const root = store?.root ??
    await Deno.makeTempDir({ prefix: "spindle-pop3-" });
  const mail = store ?? new MailStore(root);
  await mail.createMailboxes(["alice", "bob"]);
  const server = await servePOP3(mailPortal(mail), {
    listen: "tcp:0:interface=127.0.0.1",
    allowInsecureAuth: true,
    loginLimiter: new LoginLimiter({ failureDelay: 0 }),
    ...options,
  });
  // Its log lines (logins, sessions) stay off a passing run's output.
  const logs = captureLogs({ level: "info" });
  return {
    store: mail,
    server,
    port: (server.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      logs.stop();
      if (store === undefined) await Deno.remove(root, { recursive: true });
    },
  };
}

export class LineClient {
  conn: Connection;
  #reader: MessageReader<string>;

  private constructor(conn: Connection) {
    this.conn = conn;
    this.#reader = new MessageReader(
      conn,
      new LineDecoderCore({ binary: false }),
    );
  }

  static async connect(port: number): Promise<LineClient> {
    const client = new LineClient(await reactor.connectTCP("127.0.0.1", port));
    await client.line();
    return client;
  }

  restart(): void {
    this.#reader.cancel();
    this.#reader = new MessageReader(this.conn, new LineDecoderCore());
  }

  async line(): Promise<string | null> {
    return await this.#reader.read().catch(() => null);
  }

  async command(line: string): Promise<string | null> {
    await this.conn.write(new TextEncoder().encode(`${line}\r\n`));
    return await this.line();
  }

  /** The lines of a multi-line reply after its status line, unstuffed. */
  async multiline(): Promise<string[]> {
    const lines: string[] = [];
    for (
      let line = await this.line();
      line !== "." && line !== null;
      line = await this.line()
    ) {
      lines.push(line.startsWith(".") ? line.slice(1) : line);
    }
    return lines;
  }

  async close(): Promise<void> {
    this.#reader.cancel();
    await this.conn.close().catch(() => {});
  }
}

export async function login(port: number, user = "alice"): Promise<LineClient> {
  const client = await LineClient.connect(port);
  await client.command(`USER ${user}`);
  const reply = await client.command("PASS secret");
  if (!reply?.startsWith("+OK")) throw new Error(`login failed: ${reply}`);
  return client;
}
