// Shared pieces of the SMTP tests: a server over a temporary maildir store,
// and a raw client that sends bytes and reads whole replies.
import { captureLogs } from "../../../log/mod.ts";
import { MailStore } from "../../../protocols/mail/mod.ts";
import {
  MaildirDelivery,
  serveSMTP,
  type ServeSMTPOptions,
  type SMTPReply,
  SMTPReplyCore,
} from "../../../protocols/smtp/mod.ts";
import { InMemoryPasswordChecker, Portal } from "../../../cred/mod.ts";
import { MailRealm } from "../../../protocols/mail/mod.ts";
import { MessageReader } from "../../../reactor/message_reader.ts";
import type { Connection, RunningServer } from "../../../reactor/mod.ts";
import { reactor } from "../../../reactor/deno_reactor.ts";

export const DOMAIN = "example.test";
export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

/** A server over a fresh store with users alice and bob (password "secret"). */
export interface MailFixture {
  store: MailStore;
  server: RunningServer;
  port: number;
  [Symbol.asyncDispose](): Promise<void>;
}

export function testPortal(store: MailStore): Portal<unknown, null> {
  return new Portal(new MailRealm(store), [
    new InMemoryPasswordChecker({ alice: "secret", bob: "secret" }),
  ]);
}

export async function startSMTP(
  options: Partial<ServeSMTPOptions> = {},
): Promise<MailFixture> {
  const root = await Deno.makeTempDir({ prefix: "spindle-smtp-" });
  const store = new MailStore(root);
  await store.createMailboxes(["alice", "bob"]);
  const server = await serveSMTP(new MaildirDelivery(store, { fsync: false }), {
    listen: "tcp:0:interface=127.0.0.1",
    domains: [DOMAIN],
    hostname: "mx.example.test",
    ...options,
  });
  // Its log line per message stays off a passing run's output.
  const logs = captureLogs({ level: "info" });
  return {
    store,
    server,
    port: (server.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      logs.stop();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** A raw SMTP client: write anything, read replies whole. */
export class RawClient {
  conn: Connection;
  #reader: MessageReader<SMTPReply>;

  private constructor(conn: Connection) {
    this.conn = conn;
    this.#reader = new MessageReader(conn, new SMTPReplyCore());
  }

  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await reactor.connectTCP("127.0.0.1", port));
  }

  /** After the client side's own STARTTLS: a fresh reader. */
  restart(): void {
    this.#reader.cancel();
    this.#reader = new MessageReader(this.conn, new SMTPReplyCore());
  }

  async send(text: string | Uint8Array): Promise<void> {
    await this.conn.write(
      typeof text === "string" ? encoder.encode(text) : text,
    );
  }

  /** The next reply as "code enhanced text" of its last line, or null at the end. */
  async reply(): Promise<string | null> {
    const reply = await this.#reader.read().catch(() => null);
    if (reply === null) return null;
    const text = reply.lines.at(-1) ?? "";
    return `${reply.code}${
      reply.enhancedCode ? ` ${reply.enhancedCode}` : ""
    } ${text}`.trimEnd();
  }

  async replyLines(): Promise<SMTPReply | null> {
    return await this.#reader.read();
  }

  /** Sends `line` CRLF and returns the reply's code and enhanced code. */
  async command(line: string): Promise<string> {
    await this.send(`${line}\r\n`);
    return code(await this.reply());
  }

  async close(): Promise<void> {
    this.#reader.cancel();
    await this.conn.close().catch(() => {});
  }
}

/** "250 2.1.0 Sender ok" → "250 2.1.0". */
export function code(reply: string | null): string {
  if (reply === null) return "closed";
  const match = /^(\d{3})(?: ([245]\.\d+\.\d+))?/.exec(reply);
  return match === null
    ? reply
    : match[2]
    ? `${match[1]} ${match[2]}`
    : match[1]!;
}

/** The messages of `user`, as text, oldest first. */
export async function messagesOf(
  store: MailStore,
  user: string,
): Promise<string[]> {
  const box = store.mailbox(user);
  const texts: string[] = [];
  for (const message of await box.list()) {
    texts.push(decoder.decode(await box.read(message)));
  }
  return texts;
}

/** The message without the two trace headers (Return-Path and a folded Received). */
export function withoutTrace(text: string): string {
  const lines = text.split("\r\n");
  let i = 0;
  if (lines[i]?.startsWith("Return-Path:")) i++;
  if (lines[i]?.startsWith("Received:")) {
    i++;
    while (lines[i]?.startsWith("\t")) i++;
  }
  return lines.slice(i).join("\r\n");
}
