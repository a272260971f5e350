// A Spindle IMAP server over a fresh maildir for each test, a raw client
// for bad input, and imaplib runs.
import { checkerFromString } from "../../../cred/mod.ts";
import { MailStore } from "../../../protocols/mail/mod.ts";
import {
  serveIMAP,
  type ServeIMAPOptions,
} from "../../../protocols/imap/mod.ts";
import type { DenoReactor, RunningServer } from "../../../reactor/mod.ts";
import { LoginLimiter } from "../../../cred/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const encoder = new TextEncoder();

/** The two messages alice starts with. */
export const HELLO =
  "From: Bob <bob@example.org>\r\nTo: alice@example.test\r\nSubject: hello there\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nhi alice\r\n";
export const MULTIPART =
  'From: carol@example.org\r\nSubject: multi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\npreamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\npart one\r\n--b1\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nFrom: x@example.net\r\n\r\ninner body\r\n--b1--\r\n';

/** A running server and where its mail lies. */
export interface Fixture {
  port: number;
  root: string;
  store: MailStore;
  server: RunningServer;
}

/**
 * Runs `fn` with a server for alice (password "pw") whose INBOX holds
 * HELLO and MULTIPART, then stops it and removes the mail.
 */
export async function withServer(
  reactor: DenoReactor,
  fn: (fixture: Fixture) => Promise<void>,
  options: Partial<ServeIMAPOptions> = {},
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "spindle-imap-" });
  const store = new MailStore(root);
  await store.createMailboxes(["alice"]);
  const inbox = store.mailbox("alice");
  await inbox.deliver(encoder.encode(HELLO), { fsync: false });
  await inbox.deliver(encoder.encode(MULTIPART), { fsync: false });
  const server = await serveIMAP(store, {
    listen: "tcp:0:interface=127.0.0.1",
    checker: checkerFromString("memory:alice=pw"),
    allowInsecureAuth: true,
    fsync: false,
    limiter: new LoginLimiter({ clock: reactor, failureDelay: 0 }),
    reactor,
    ...options,
  });
  try {
    await fn({ port: (server.addr as Deno.NetAddr).port, root, store, server });
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
}

/** A raw connection: send bytes, read up to a line that matches. */
export class RawClient {
  readonly conn: Deno.TcpConn;
  #buffer = "";
  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }
  static async connect(port: number): Promise<RawClient> {
    const client = new RawClient(
      await Deno.connect({ hostname: "127.0.0.1", port }),
    );
    await client.until(/^\* OK/m);
    return client;
  }
  async send(text: string | Uint8Array): Promise<void> {
    const bytes = typeof text === "string" ? encoder.encode(text) : text;
    let written = 0;
    while (written < bytes.length) {
      written += await this.conn.write(bytes.subarray(written));
    }
  }
  /** Reads until `pattern` matches what came since the last match; returns that text. */
  async until(pattern: RegExp): Promise<string> {
    const chunk = new Uint8Array(65536);
    for (;;) {
      const match = pattern.exec(this.#buffer);
      if (match !== null) {
        const end = this.#buffer.indexOf("\n", match.index + match[0].length);
        const cut = end < 0 ? this.#buffer.length : end + 1;
        const text = this.#buffer.slice(0, cut);
        this.#buffer = this.#buffer.slice(cut);
        return text;
      }
      const n = await this.conn.read(chunk);
      if (n === null) {
        const text = this.#buffer;
        this.#buffer = "";
        return text + "<EOF>";
      }
      this.#buffer += new TextDecoder().decode(chunk.subarray(0, n));
    }
  }
  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed by the server already
    }
  }
}

export const python = findPeer(PEERS.python);

/**
 * Runs Python code with `m`, an imaplib.IMAP4 logged in as alice on `port`
 * (`login: false` leaves it at the greeting), and returns its stdout.
 */
export async function imaplib(
  port: number,
  code: string,
  { login = true } = {},
): Promise<string> {
  const prelude =
    `import imaplib, sys\nm = imaplib.IMAP4("127.0.0.1", ${port})\n${
      login ? 'm.login("alice", "pw")\n' : ""
    }`;
  const output = await new Deno.Command(python.path, {
    args: ["-c", prelude + code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `imaplib failed: ${new TextDecoder().decode(output.stderr)}${out}`,
    );
  }
  return out;
}
