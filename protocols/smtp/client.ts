/**
 * {@linkcode sendMail}: Spindle's SMTP client (Twisted's `sendmail`).
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type {
  Connection,
  Reactor,
  TLSReactor,
} from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import { startTLS } from "../../reactor/tls.ts";
import { RecordType } from "../dns/constants.ts";
import { DotStuffer } from "../mail/dot_stuffing.ts";
import type { MXData } from "../dns/message.ts";
import { type SMTPReply, SMTPReplyCore } from "./codec.ts";
import {
  AuthUnavailableError,
  SMTPPermanentError,
  SMTPProtocolError,
  SMTPReplyError,
  SMTPTransientError,
  TLSRequiredError,
} from "./errors.ts";
import { SMTP_PORT, SUBMISSIONS_PORT } from "./constants.ts";
import { DEFAULT_REPLY_TIMEOUT } from "./limits.ts";
import { defaultHostname } from "./_hostname.ts";
import { systemResolver } from "../dns/system_resolver.ts";

const encoder = new TextEncoder();
// A BDAT chunk: big enough that the command line costs nothing, small
// enough that a streamed message is not held whole.
const CHUNK_SIZE = 64 * 1024;

/**
 * What `sendMail` asks for MX, A and AAAA records: Spindle's DNS `Resolver`
 * and `DNSClient` (from `protocols/dns`) are ones.
 *
 * @example Usage
 * ```ts
 * import type { MailResolver } from "@spindle/spindle/protocols/smtp";
 * import { createResolver } from "@spindle/spindle/protocols/dns";
 * const resolver: MailResolver = createResolver({ servers: ["127.0.0.1:53"] });
 * console.assert(typeof resolver.query === "function");
 * ```
 */
export interface MailResolver {
  /** The records of `type` (a DNS type code) for `name`. */
  query(
    name: string,
    type: number,
  ): PromiseLike<{ answers: readonly { type: number; data: unknown }[] }>;
}

/**
 * Options of {@linkcode sendMail}.
 *
 * @example Usage
 * ```ts
 * import type { SendMailOptions } from "@spindle/spindle/protocols/smtp";
 * const options: SendMailOptions = {
 *   host: "smtp.example.org",
 *   port: 587,
 *   tls: "starttls",
 *   auth: { username: "alice", password: "secret" },
 *   from: "alice@example.org",
 *   to: ["bob@example.net"],
 *   message: "Subject: hi\r\n\r\nhello\r\n",
 * };
 * console.assert(options.port === 587);
 * ```
 */
export interface SendMailOptions {
  /**
   * The server; without it, the MX hosts of the recipients' domain (all
   * recipients must then share one), in preference order, then the domain's
   * own address.
   */
  host?: string;
  /** The port; default 465 for `tls: "implicit"`, 25 otherwise (use 587 for submission). */
  port?: number;
  /** The sender (the reverse path); `""` for a bounce (`<>`). */
  from: string;
  /** The recipients. */
  to: readonly string[];
  /**
   * The message, headers and body, with CRLF line ends (a bare LF is sent
   * as CRLF). A stream is sent as it is read.
   */
  message: string | Uint8Array | ReadableStream<Uint8Array>;
  /**
   * `"starttls"` (the default): upgrade with STARTTLS when the server offers
   * it; `"implicit"`: TLS from the first byte (port 465); `"none"`: never.
   * Certificates are verified in every case.
   */
  tls?: "starttls" | "implicit" | "none";
  /**
   * Fail with `TLSRequiredError` rather than send in clear when the server
   * offers no STARTTLS; default true when `auth` is given, else false.
   */
  requireTLS?: boolean;
  /** Log in with AUTH PLAIN (or LOGIN, when that is all the server offers). */
  auth?: { username: string; password: string };
  /** Abandons the sending; the connection is closed. */
  signal?: AbortSignal;
  /** The name to give in EHLO; default this host's name. */
  hostname?: string;
  /** Extra CA certificates (PEM) to trust, besides the system's. */
  caCerts?: string[];
  /** Where MX records are looked up; default the name servers of /etc/resolv.conf. */
  resolver?: MailResolver;
  /** Milliseconds the whole exchange may take; default `DEFAULT_REPLY_TIMEOUT`. */
  timeout?: number;
  /** The reactor to connect with. Default: the module's default reactor. */
  reactor?: Reactor & TLSReactor;
}

/**
 * What the server answered one recipient.
 *
 * @example Usage
 * ```ts
 * import type { RecipientResult } from "@spindle/spindle/protocols/smtp";
 * const result: RecipientResult = { recipient: "bob@example.net", accepted: true, code: 250, enhancedCode: "2.1.5", text: "ok" };
 * console.assert(result.accepted);
 * ```
 */
export interface RecipientResult {
  /** The recipient. */
  readonly recipient: string;
  /** Whether the server took the message for it. */
  readonly accepted: boolean;
  /** The reply code to its RCPT. */
  readonly code: number;
  /** The reply's enhanced status code, or `""`. */
  readonly enhancedCode: string;
  /** The reply's text. */
  readonly text: string;
  /** For a refused recipient: the typed error (retryable for a 4xx). */
  readonly error?: SMTPReplyError;
}

/**
 * What {@linkcode sendMail} did: which server took the message, what it
 * answered each recipient and the message.
 *
 * @example Usage
 * ```ts
 * import type { SendMailResult } from "@spindle/spindle/protocols/smtp";
 * const accepted = (result: SendMailResult) => result.recipients.filter((r) => r.accepted);
 * console.assert(typeof accepted === "function");
 * ```
 */
export interface SendMailResult {
  /** The host that took the message. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  /** Whether the message went over TLS. */
  readonly tls: boolean;
  /** Each recipient's answer, in order. */
  readonly recipients: readonly RecipientResult[];
  /** The server's reply to the message (its `250`). */
  readonly reply: SMTPReply;
}

/**
 * Sends one message over SMTP and returns each recipient's answer. A refused
 * sender or message, or every recipient refused, rejects with an
 * `SMTPReplyError`: {@linkcode SMTPTransientError} for a `4xx` (send again
 * later), `SMTPPermanentError` for a `5xx`. Commands are pipelined when the
 * server offers PIPELINING, and the message goes by BDAT when it offers
 * CHUNKING (else DATA, dot-stuffed).
 *
 * @example Usage
 * ```ts ignore
 * import { sendMail } from "@spindle/spindle/protocols/smtp";
 * const result = await sendMail({
 *   host: "smtp.example.org",
 *   port: 587,
 *   auth: { username: "alice", password: "secret" },
 *   from: "alice@example.org",
 *   to: ["bob@example.net"],
 *   message: "From: alice@example.org\r\nSubject: hi\r\n\r\nhello\r\n",
 * });
 * console.log(result.recipients.map((r) => `${r.recipient}: ${r.code}`));
 * ```
 */
export async function sendMail(
  options: SendMailOptions,
): Promise<SendMailResult> {
  if (options.to.length === 0) {
    throw new TypeError("sendMail needs at least one recipient in `to`");
  }
  const tls = options.tls ?? "starttls";
  const port = options.port ??
    (tls === "implicit" ? SUBMISSIONS_PORT : SMTP_PORT);
  const targets = options.host !== undefined
    ? [{ name: options.host, address: options.host }]
    : await mailTargets(options, tls);
  let lastError: unknown;
  for (const { name, address } of targets) {
    let conn: Connection;
    try {
      conn = await connect(address, port, tls, options);
    } catch (error) {
      lastError = error;
      continue;
    }
    return await new ClientSession(conn, name, port, tls, options).send();
  }
  throw lastError;
}

/** A server to try: its name (for TLS) and the address to connect to. */
interface Target {
  name: string;
  address: string;
}

// The servers to try for the recipients' domain (RFC 5321 §5.1): the
// addresses of its MX hosts by preference, or of the domain itself when it
// has no MX, all looked up through the resolver.
async function mailTargets(
  options: SendMailOptions,
  tls: "starttls" | "implicit" | "none",
): Promise<Target[]> {
  const domains = new Set(
    options.to.map((to) => to.slice(to.lastIndexOf("@") + 1).toLowerCase()),
  );
  if (domains.size !== 1) {
    throw new TypeError(
      `without a host, sendMail sends to one domain at a time, and the recipients are in ${
        [...domains].join(", ")
      }: call it once per domain`,
    );
  }
  const [domain] = domains as Set<string>;
  const resolver = options.resolver ?? await systemResolver();
  // A failed MX lookup fails the sending (retry later), rather than guess.
  const { answers } = await resolver.query(domain!, RecordType.MX);
  const mx = answers.filter((r) => r.type === RecordType.MX).map((r) =>
    r.data as MXData
  ).sort((a, b) => a.preference - b.preference);
  const names = mx.length === 0
    ? [domain!]
    : mx.map((m) => m.exchange.replace(/\.$/, ""));
  if (names.length === 1 && names[0] === "") {
    throw new SMTPPermanentError(
      556,
      "5.1.10",
      `${domain} accepts no mail (a null MX record, RFC 7505)`,
    );
  }
  const targets: Target[] = [];
  for (const name of names) {
    if (name === "") continue;
    // Implicit TLS checks the certificate against what it connects to: the name.
    if (tls === "implicit") {
      targets.push({ name, address: name });
      continue;
    }
    for (const type of [RecordType.A, RecordType.AAAA]) {
      for (const record of await answersOf(resolver, name, type)) {
        targets.push({
          name,
          address: (record.data as { address: string }).address,
        });
      }
    }
  }
  if (targets.length === 0) {
    throw new SMTPTransientError(
      451,
      "4.4.4",
      `no mail server address found for ${domain}: its MX hosts have no A or AAAA records`,
    );
  }
  return targets;
}

// The records of `type` for `name`; none when the lookup fails (a missing
// name, a server failure), so the next host is tried.
async function answersOf(
  resolver: MailResolver,
  name: string,
  type: number,
): Promise<{ type: number; data: unknown }[]> {
  try {
    const { answers } = await resolver.query(name, type);
    return answers.filter((r) => r.type === type);
  } catch {
    return [];
  }
}

async function connect(
  host: string,
  port: number,
  tls: "starttls" | "implicit" | "none",
  options: SendMailOptions,
): Promise<Connection> {
  const reactor = options.reactor ?? defaultReactor;
  const common = { signal: options.signal, timeout: options.timeout ?? 30_000 };
  return tls === "implicit"
    ? await reactor.connectTLS(host, port, {
      ...common,
      caCerts: options.caCerts,
    })
    : await reactor.connectTCP(host, port, common);
}

class ClientSession {
  #conn: Connection;
  #reader: MessageReader<SMTPReply>;
  #host: string;
  #port: number;
  #tlsMode: "starttls" | "implicit" | "none";
  #options: SendMailOptions;
  #tls: boolean;
  #extensions = new Map<string, string>();
  #abort = new AbortController();

  constructor(
    conn: Connection,
    host: string,
    port: number,
    tls: "starttls" | "implicit" | "none",
    options: SendMailOptions,
  ) {
    this.#conn = conn;
    this.#host = host;
    this.#port = port;
    this.#tlsMode = tls;
    this.#tls = tls === "implicit";
    this.#options = options;
    this.#reader = this.#newReader();
  }

  #newReader(): MessageReader<SMTPReply> {
    return new MessageReader(this.#conn, new SMTPReplyCore(), {
      signal: this.#abort.signal,
    });
  }

  async send(): Promise<SendMailResult> {
    const reactor = this.#options.reactor ?? defaultReactor;
    const timer = reactor.callLater(
      this.#options.timeout ?? DEFAULT_REPLY_TIMEOUT,
      () =>
        this.#stop(
          new SMTPProtocolError(`${this.#host} did not finish in time`),
        ),
    );
    const onAbort = () => this.#stop(this.#options.signal?.reason);
    this.#options.signal?.addEventListener("abort", onAbort);
    try {
      if (this.#options.signal?.aborted) throw this.#options.signal.reason;
      const result = await this.#exchange();
      await this.#write("QUIT\r\n").catch(() => {});
      await this.#reply().catch(() => {});
      return result;
    } finally {
      timer.cancel();
      this.#options.signal?.removeEventListener("abort", onAbort);
      await this.#conn.close().catch(() => {});
    }
  }

  #stop(reason: unknown): void {
    this.#abort.abort(reason);
    this.#conn.abort(reason);
  }

  async #write(text: string | Uint8Array): Promise<void> {
    await this.#conn.write(
      typeof text === "string" ? encoder.encode(text) : text,
    );
  }

  async #reply(): Promise<SMTPReply> {
    const reply = await this.#reader.read();
    if (reply === null) {
      throw new SMTPProtocolError(
        `${this.#host} closed the connection before it replied`,
      );
    }
    return reply;
  }

  // A reply that must be positive (2xx, or `expect`), else its error.
  async #expect(expect = 2): Promise<SMTPReply> {
    const reply = await this.#reply();
    if (Math.floor(reply.code / 100) !== expect) throw replyError(reply);
    return reply;
  }

  async #ehlo(): Promise<void> {
    const name = this.#options.hostname ?? defaultHostname();
    await this.#write(`EHLO ${name}\r\n`);
    const reply = await this.#reply();
    this.#extensions.clear();
    if (reply.code !== 250) {
      // An old server: HELO, and no extensions.
      await this.#write(`HELO ${name}\r\n`);
      await this.#expect();
      return;
    }
    for (const line of reply.lines.slice(1)) {
      const [keyword = "", ...rest] = line.split(" ");
      this.#extensions.set(keyword.toUpperCase(), rest.join(" "));
    }
  }

  async #exchange(): Promise<SendMailResult> {
    await this.#expect();
    await this.#ehlo();
    const options = this.#options;
    const requireTLS = options.requireTLS ?? options.auth !== undefined;
    if (!this.#tls && this.#tlsMode === "starttls") {
      if (this.#extensions.has("STARTTLS")) {
        await this.#write("STARTTLS\r\n");
        await this.#expect();
        this.#reader.cancel();
        await startTLS(this.#conn, {
          hostname: this.#host,
          caCerts: options.caCerts,
        });
        this.#tls = true;
        this.#reader = this.#newReader();
        await this.#ehlo();
      }
    }
    if (!this.#tls && requireTLS) throw new TLSRequiredError(this.#host);
    if (options.auth !== undefined) await this.#login(options.auth);
    return await this.#transaction();
  }

  async #login(auth: { username: string; password: string }): Promise<void> {
    const offered = (this.#extensions.get("AUTH") ?? "").toUpperCase().split(
      " ",
    ).filter((m) => m !== "");
    const b64 = (text: string) => {
      const bytes = encoder.encode(text);
      return btoa(String.fromCharCode(...bytes));
    };
    if (offered.includes("PLAIN")) {
      await this.#write(
        `AUTH PLAIN ${b64(`\0${auth.username}\0${auth.password}`)}\r\n`,
      );
      await this.#expect();
    } else if (offered.includes("LOGIN")) {
      await this.#write("AUTH LOGIN\r\n");
      await this.#expect(3);
      await this.#write(`${b64(auth.username)}\r\n`);
      await this.#expect(3);
      await this.#write(`${b64(auth.password)}\r\n`);
      await this.#expect();
    } else {
      throw new AuthUnavailableError(this.#host, offered);
    }
  }

  async #transaction(): Promise<SendMailResult> {
    const options = this.#options;
    const pipelining = this.#extensions.has("PIPELINING");
    const chunking = this.#extensions.has("CHUNKING");
    const params: string[] = [];
    if (this.#extensions.has("8BITMIME")) params.push("BODY=8BITMIME");
    const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s);
    if (
      this.#extensions.has("SMTPUTF8") &&
      ![options.from, ...options.to].every(ascii)
    ) {
      params.push("SMTPUTF8");
    }
    const message = typeof options.message === "string"
      ? encoder.encode(options.message)
      : options.message;
    if (message instanceof Uint8Array && this.#extensions.has("SIZE")) {
      params.push(`SIZE=${message.length}`);
    }
    const mail = `MAIL FROM:<${options.from}>${
      params.map((p) => ` ${p}`).join("")
    }\r\n`;
    const rcpts = options.to.map((to) => `RCPT TO:<${to}>\r\n`);
    const sendData = !chunking;
    // With PIPELINING, MAIL, every RCPT and DATA go out in one write
    // (RFC 2920); otherwise each waits for its reply.
    let mailReply: SMTPReply;
    const recipients: RecipientResult[] = [];
    let dataReply: SMTPReply | null = null;
    if (pipelining) {
      await this.#write(mail + rcpts.join("") + (sendData ? "DATA\r\n" : ""));
      mailReply = await this.#reply();
      for (const to of options.to) {
        recipients.push(recipientResult(to, await this.#reply()));
      }
      if (sendData) dataReply = await this.#reply();
      if (Math.floor(mailReply.code / 100) !== 2) {
        if (dataReply?.code === 354) {
          await this.#write(".\r\n").then(() => this.#reply());
        }
        throw replyError(mailReply);
      }
    } else {
      await this.#write(mail);
      mailReply = await this.#reply();
      if (Math.floor(mailReply.code / 100) !== 2) throw replyError(mailReply);
      for (const [i, to] of options.to.entries()) {
        await this.#write(rcpts[i]!);
        recipients.push(recipientResult(to, await this.#reply()));
      }
    }
    const accepted = recipients.some((r) => r.accepted);
    if (!accepted) {
      // RFC 2920 §3.1: a DATA that got 354 anyway is ended at once.
      if (dataReply?.code === 354) {
        await this.#write(".\r\n");
        await this.#reply();
      }
      await this.#write("RSET\r\n");
      await this.#reply();
      throw recipients[0]!.error!;
    }
    let reply: SMTPReply;
    if (chunking) {
      reply = await this.#bdat(message, pipelining);
    } else {
      if (dataReply === null) {
        await this.#write("DATA\r\n");
        dataReply = await this.#reply();
      }
      if (dataReply.code !== 354) throw replyError(dataReply);
      await this.#data(message);
      reply = await this.#expect();
    }
    return {
      host: this.#host,
      port: this.#port,
      tls: this.#tls,
      recipients,
      reply,
    };
  }

  async #data(message: Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
    const lines = new LineEnds();
    const stuffer = new DotStuffer();
    for await (const chunk of chunksOf(message)) {
      await this.#write(stuffer.stuff(lines.convert(chunk)));
    }
    await this.#write(stuffer.end());
  }

  // The message in BDAT chunks; with PIPELINING, the replies are read after
  // the last one.
  async #bdat(
    message: Uint8Array | ReadableStream<Uint8Array>,
    pipelining: boolean,
  ): Promise<SMTPReply> {
    const normalizer = new LineEnds();
    let pending = 0;
    let held: Uint8Array | null = null;
    const flush = async (chunk: Uint8Array, last: boolean) => {
      const head = encoder.encode(
        `BDAT ${chunk.length}${last ? " LAST" : ""}\r\n`,
      );
      const bytes = new Uint8Array(head.length + chunk.length);
      bytes.set(head);
      bytes.set(chunk, head.length);
      await this.#write(bytes);
      pending++;
      if (!pipelining || last) {
        let reply: SMTPReply | undefined;
        for (; pending > 0; pending--) {
          const r = await this.#reply();
          if (Math.floor(r.code / 100) !== 2) throw replyError(r);
          reply = r;
        }
        return reply;
      }
    };
    for await (const chunk of chunksOf(message)) {
      const normal = normalizer.convert(chunk);
      for (let at = 0; at < normal.length; at += CHUNK_SIZE) {
        if (held !== null) await flush(held, false);
        held = normal.subarray(at, at + CHUNK_SIZE);
      }
    }
    return (await flush(held ?? new Uint8Array(0), true))!;
  }
}

async function* chunksOf(
  message: Uint8Array | ReadableStream<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (message instanceof Uint8Array) yield message;
  else yield* message;
}

function replyError(reply: SMTPReply): SMTPReplyError {
  return SMTPReplyError.of(
    reply.code,
    reply.enhancedCode,
    reply.lines.join("\n"),
  );
}

function recipientResult(recipient: string, reply: SMTPReply): RecipientResult {
  const accepted = Math.floor(reply.code / 100) === 2;
  return {
    recipient,
    accepted,
    code: reply.code,
    enhancedCode: reply.enhancedCode,
    text: reply.lines.join("\n"),
    error: accepted ? undefined : replyError(reply),
  };
}

// Bare LF becomes CRLF (SMTP lines end with CRLF, RFC 5321 §2.3.8).
class LineEnds {
  #prevCR = false;

  convert(chunk: Uint8Array): Uint8Array {
    let bare = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 10 && (i > 0 ? chunk[i - 1] !== 13 : !this.#prevCR)) {
        bare++;
      }
    }
    let out = chunk;
    if (bare > 0) {
      out = new Uint8Array(chunk.length + bare);
      let o = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i]!;
        if (c === 10 && (i > 0 ? chunk[i - 1] !== 13 : !this.#prevCR)) {
          out[o++] = 13;
        }
        out[o++] = c;
      }
    }
    if (chunk.length > 0) this.#prevCR = chunk[chunk.length - 1] === 13;
    return out;
  }
}
