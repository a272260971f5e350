/**
 * {@linkcode IMAPServer}: the IMAP4rev2 server (RFC 9051, answering
 * IMAP4rev1 clients too) over the shared maildir store.
 *
 * @module
 */
import { join } from "node:path";
import { UsernamePassword } from "../../cred/credentials.ts";
import type { CredentialsChecker } from "../../cred/checker.ts";
import { UnauthorizedLoginError } from "../../cred/errors.ts";
import { LoginLimiter } from "../../cred/login_limiter.ts";
import { Portal } from "../../cred/portal.ts";
import { getLogger } from "../../log/mod.ts";
import { BaseConnection } from "../../reactor/connection.ts";
import { ProtocolError } from "../../reactor/errors.ts";
import type { Connection, TLSCertificate } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import { startTLS, tlsInfo } from "../../reactor/tls.ts";
import type { Maildir } from "../mail/maildir.ts";
import { deliverMessage } from "../mail/maildir.ts";
import { setMaildirFlags } from "../mail/maildir_flags.ts";
import { MailRealm } from "../mail/realm.ts";
import { UidList } from "../mail/uid_list.ts";
import { decodeSaslPlain } from "../mail/sasl.ts";
import type { MailStore } from "../mail/store.ts";
import {
  type IMAPFrame,
  IMAPFrameDecoderCore,
  imapString,
  type IMAPToken,
  parseIMAPTokens,
} from "./codec.ts";
import { SPECIAL_USE, SYSTEM_FLAGS } from "./constants.ts";
import { IMAPParseError } from "./errors.ts";
import {
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_LITERAL_SIZE,
  type IMAPLimits,
} from "./limits.ts";
import {
  flagsOf,
  listPattern,
  mailboxNames,
  MailboxView,
  readSubscriptions,
  resolveMailbox,
  SEPARATOR,
  type ViewMessage,
  writeSubscriptions,
} from "./_mailbox.ts";
import {
  bodyStructure,
  envelope,
  type ParsedMessage,
  parseHeaderOnly,
  parseMessage,
  parseSection,
  sectionBytes,
} from "./_mime.ts";
import { matches, parseSearch } from "./_search.ts";
import {
  formatSequenceSet,
  inSequenceSet,
  parseSequenceSet,
} from "./_sequence_set.ts";
import { tokenBytes, tokenList, tokenText } from "./_tokens.ts";
import { type CachedResponses, ResponseCache } from "./_response_cache.ts";

const log = getLogger("spindle.imap");
const encoder = new TextEncoder();

/**
 * Options of {@linkcode IMAPServer}.
 *
 * @example Usage
 * ```ts
 * import type { IMAPServerOptions } from "@spindle/spindle/protocols/imap";
 * import { checkerFromString } from "@spindle/spindle/cred";
 * const options: IMAPServerOptions = { checker: checkerFromString("memory:alice=pw"), allowInsecureAuth: true };
 * console.assert(options.allowInsecureAuth);
 * ```
 */
export interface IMAPServerOptions extends IMAPLimits {
  /**
   * Checks the users' passwords: `checkerFromString("file:users.txt")`.
   * Give this or `portal`.
   */
  checker?: CredentialsChecker;
  /**
   * Where logins go instead of a portal of its own over `checker`: one whose
   * realm gives each user's maildir (`MailRealm`), shared with the other
   * mail servers.
   */
  portal?: Portal<Maildir, null>;
  /** The attempt limits of logins (a delay after each failure). Default: a fresh `LoginLimiter`. */
  limiter?: LoginLimiter;
  /** The certificate for STARTTLS; without it, STARTTLS is not offered. */
  tls?: TLSCertificate;
  /**
   * Allow LOGIN and AUTHENTICATE before TLS (default false: a cleartext
   * connection advertises LOGINDISABLED, loopback included).
   */
  allowInsecureAuth?: boolean;
  /** Bad commands in a row before BYE (default {@linkcode DEFAULT_MAX_BAD_COMMANDS}). */
  maxBadCommands?: number;
  /**
   * How often an IDLE session looks for changes, in milliseconds (default
   * 250: a delivered message shows up well within a second).
   */
  idleInterval?: number;
  /** Flush APPENDed and copied messages to disk before answering (default true). */
  fsync?: boolean;
  /**
   * How many messages' parsed FETCH answers (ENVELOPE, BODY, BODYSTRUCTURE)
   * the server keeps for all its sessions, the oldest dropped first
   * (default 50,000; the texts are kept outside V8's heap, a few hundred
   * bytes a message).
   */
  responseCacheSize?: number;
}

// How many times a message renamed under a session is looked up again
// before its read gives up.
const READ_ATTEMPTS = 5;
// How many messages' parsed answers a server keeps by default.
const CACHE_ENTRIES = 50_000;
// The FETCH items answered from that cache, and their place in an entry.
const CACHED_AS: Readonly<
  Record<"ENVELOPE" | "BODY" | "BODYSTRUCTURE", keyof CachedResponses>
> = {
  ENVELOPE: "envelope",
  BODY: "body",
  BODYSTRUCTURE: "bodyStructure",
};

function cachedAs(kind: string): keyof CachedResponses | undefined {
  return Object.hasOwn(CACHED_AS, kind)
    ? CACHED_AS[kind as keyof typeof CACHED_AS]
    : undefined;
}

/**
 * An IMAP4rev2 server over a {@linkcode MailStore}: each user's maildir is
 * their INBOX and its Maildir++ folders their other mailboxes (hierarchy
 * separator "."). Logins go through `cred/` (the checker, a portal, the
 * attempt limiter), and only after TLS unless `allowInsecureAuth`.
 *
 * Run it with {@linkcode serveIMAP}, or hand it connections yourself.
 *
 * @example Serving an in-memory connection
 * ```ts
 * import { IMAPServer } from "@spindle/spindle/protocols/imap";
 * import { MailStore } from "@spindle/spindle/protocols/mail";
 * import { checkerFromString } from "@spindle/spindle/cred";
 * import { connectedPair } from "@spindle/spindle/reactor";
 * const root = await Deno.makeTempDir();
 * const server = new IMAPServer(new MailStore(root), { checker: checkerFromString("memory:alice=pw") });
 * const [client, conn] = connectedPair();
 * const done = server.serve(conn);
 * const greeting = new TextDecoder().decode((await client.read())!);
 * console.assert(greeting.startsWith("* OK"));
 * await client.write(new TextEncoder().encode("a1 LOGOUT\r\n"));
 * await done;
 * await client.close();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class IMAPServer {
  readonly #context: ServerContext;
  readonly #sessions = new Set<Session>();

  /** A server for the maildirs of `store`. */
  constructor(store: MailStore, options: IMAPServerOptions) {
    this.#context = {
      options,
      portal: options.portal ?? portalOver(store, options.checker),
      limiter: options.limiter ?? new LoginLimiter(),
      responses: new ResponseCache(options.responseCacheSize ?? CACHE_ENTRIES),
    };
  }

  /** Serves one connection until the client logs out or leaves; closes it then. */
  async serve(conn: Connection): Promise<void> {
    const session = new Session(this.#context, conn);
    this.#sessions.add(session);
    try {
      await session.run();
    } catch (error) {
      log.debug("IMAP session ended: {error}", { error: String(error) });
    } finally {
      this.#sessions.delete(session);
      await session.end();
    }
  }

  /** Ends every session (BYE, then close) and resolves when they are gone. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => s.shutdown()));
  }
}

function portalOver(
  store: MailStore,
  checker: CredentialsChecker | undefined,
): Portal<Maildir, null> {
  if (checker === undefined) {
    throw new TypeError(
      'an IMAP server needs a checker (checkerFromString("file:users.txt")) or a portal to log users in',
    );
  }
  return new Portal(new MailRealm(store), [checker]);
}

// What the sessions of one server share.
interface ServerContext {
  options: IMAPServerOptions;
  portal: Portal<Maildir, null>;
  limiter: LoginLimiter;
  responses: ResponseCache;
}

// What a session gathers before it writes, and its buffers' size: twice
// that, so the message that crosses the mark fits without growing one.
const OUT_BUFFER_SIZE = 256 * 1024;
const BUFFER_BYTES = 2 * OUT_BUFFER_SIZE;
// How many messages a FETCH reads ahead of the one it sends, and the size
// of the slots they are read into (a larger message gets a buffer of its
// own): 17 slots of 64 KiB a fetching session.
const FETCH_AHEAD = 16;
const SLOT_SIZE = 64 * 1024;

// A command's outcome: the tagged status and text.
class Reply {
  constructor(
    readonly status: "OK" | "NO" | "BAD",
    readonly text: string,
  ) {}
}
const ok = (text: string) => new Reply("OK", text);
const no = (text: string) => new Reply("NO", text);
const badReply = (text: string) => new Reply("BAD", text);

class BadCommand extends Error {}
function bad(message: string): never {
  throw new BadCommand(message);
}

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

function internalDate(date: Date): string {
  const d = String(date.getUTCDate()).padStart(2, " ");
  const pad = (n: number) => String(n).padStart(2, "0");
  return `"${d}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${
    pad(date.getUTCHours())
  }:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000"`;
}

function parseDateTime(text: string): Date | null {
  const match =
    /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/
      .exec(text);
  if (match === null) return null;
  const month = MONTHS.findIndex((m) =>
    m.toLowerCase() === match[2]!.toLowerCase()
  );
  if (month < 0) return null;
  const offset = (Number(match[8]) * 60 + Number(match[9])) *
    (match[7] === "-" ? -1 : 1);
  return new Date(
    Date.UTC(
      Number(match[3]),
      month,
      Number(match[1]),
      Number(match[4]),
      Number(match[5]),
      Number(match[6]),
    ) - offset * 60_000,
  );
}

function flagList(flags: Iterable<string>): string {
  return `(${[...flags].join(" ")})`;
}

// A flag as the maildir keeps it, or null for one it cannot keep (keywords).
function systemFlag(flag: string): string | null {
  const lower = flag.toLowerCase();
  return SYSTEM_FLAGS.find((f) => f.toLowerCase() === lower) ?? null;
}

interface FetchItem {
  kind:
    | "UID"
    | "FLAGS"
    | "INTERNALDATE"
    | "RFC822.SIZE"
    | "ENVELOPE"
    | "BODYSTRUCTURE"
    | "BODY"
    | "section";
  // For sections: the response name, the section, partial, and whether it sets \Seen.
  name?: string;
  section?: ReturnType<typeof parseSection>;
  partial?: [number, number] | null;
  peek?: boolean;
}

const FETCH_MACROS: Record<string, string[]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};

function parseFetchItems(token: IMAPToken | undefined): FetchItem[] {
  const words = tokenList(token);
  if (words === null || words.length === 0) bad("FETCH wants items");
  const items: FetchItem[] = [];
  for (const word of words) {
    const text = tokenText(word);
    if (text === null || word.type !== "atom") bad("FETCH items are atoms");
    const upper = text.toUpperCase();
    const macro = FETCH_MACROS[upper];
    if (macro !== undefined && words.length === 1) {
      for (const m of macro) items.push({ kind: m as FetchItem["kind"] });
      continue;
    }
    switch (upper) {
      case "UID":
      case "FLAGS":
      case "INTERNALDATE":
      case "RFC822.SIZE":
      case "ENVELOPE":
      case "BODYSTRUCTURE":
      case "BODY":
        items.push({ kind: upper });
        continue;
      case "RFC822":
        items.push({
          kind: "section",
          name: "RFC822",
          section: parseSection(""),
          partial: null,
          peek: false,
        });
        continue;
      case "RFC822.HEADER":
        items.push({
          kind: "section",
          name: "RFC822.HEADER",
          section: parseSection("HEADER"),
          partial: null,
          peek: true,
        });
        continue;
      case "RFC822.TEXT":
        items.push({
          kind: "section",
          name: "RFC822.TEXT",
          section: parseSection("TEXT"),
          partial: null,
          peek: false,
        });
        continue;
    }
    const match =
      /^(BODY|BODY\.PEEK|BINARY|BINARY\.PEEK)\[([^\]]*)\](?:<(\d{1,10})(?:\.(\d{1,10}))?>)?$/i
        .exec(text);
    if (match === null) bad(`${JSON.stringify(text)} is no FETCH item`);
    const section = parseSection(match[2]!);
    if (section === null) bad(`${JSON.stringify(match[2])} is no body section`);
    const binary = match[1]!.toUpperCase().startsWith("BINARY");
    if (binary && section.text !== "") bad("BINARY takes part numbers only");
    const origin = match[3] === undefined ? null : Number(match[3]);
    const partial: [number, number] | null = origin === null
      ? null
      : [origin, match[4] === undefined ? Infinity : Number(match[4])];
    const base = binary ? "BINARY" : "BODY";
    items.push({
      kind: "section",
      name: `${base}[${match[2]!.toUpperCase()}]${
        origin === null ? "" : `<${origin}>`
      }`,
      section,
      partial,
      peek: match[1]!.toUpperCase().endsWith(".PEEK"),
    });
  }
  return items;
}

// One client's session: states, the selected mailbox, the command loop.
class Session {
  readonly #server: ServerContext;
  readonly #conn: Connection;
  #reader: MessageReader<IMAPFrame>;
  #secure = false;
  #user: string | null = null;
  #home: Maildir | null = null;
  #logout: (() => Promise<void>) | null = null;
  #selected: MailboxView | null = null;
  #rev2 = false;
  #badInRow = 0;
  // The output, encoded as it is sent into a buffer the session reuses, so
  // a FETCH of 10,000 messages keeps no string or message alive until its
  // flush; a second buffer takes sends (IDLE's updates) while one is written.
  #buffer = new Uint8Array(0);
  #used = 0;
  #spare: Uint8Array<ArrayBuffer> | null = null;
  // Message files are read into these slots, not into a fresh buffer each.
  #slots: Uint8Array[] = [];
  #closing = false;
  #tag = "*";

  constructor(server: ServerContext, conn: Connection) {
    this.#server = server;
    this.#conn = conn;
    this.#reader = this.#newReader();
  }

  #newReader(): MessageReader<IMAPFrame> {
    const conn = this.#conn;
    const options = this.#server.options;
    // No unshift: bytes a client pipelined behind STARTTLS are dropped,
    // never read as commands after the handshake (the CVE-2011-0411 class).
    return new MessageReader(
      { read: () => conn.read() },
      new IMAPFrameDecoderCore({
        server: true,
        maxLineLength: options.maxLineLength,
        maxLiteralSize: options.maxLiteralSize ?? DEFAULT_MAX_LITERAL_SIZE,
      }),
    );
  }

  get #options(): IMAPServerOptions {
    return this.#server.options;
  }

  #authAllowed(): boolean {
    return this.#secure || this.#options.allowInsecureAuth === true;
  }

  #capabilities(): string {
    const caps = [
      "IMAP4rev1",
      "IMAP4rev2",
      "LITERAL+",
      "SASL-IR",
      "ID",
      "ENABLE",
      "IDLE",
      "NAMESPACE",
      "UIDPLUS",
      "MOVE",
      "UNSELECT",
      "CHILDREN",
      "SPECIAL-USE",
      "ESEARCH",
      "STATUS=SIZE",
    ];
    if (this.#user === null) {
      if (!this.#secure && this.#options.tls !== undefined) {
        caps.push("STARTTLS");
      }
      caps.push(this.#authAllowed() ? "AUTH=PLAIN" : "LOGINDISABLED");
    }
    return caps.join(" ");
  }

  async run(): Promise<void> {
    this.#secure = (await tlsInfo(this.#conn)) !== null;
    this.#send(
      `* OK [CAPABILITY ${this.#capabilities()}] Spindle IMAP4rev2 ready\r\n`,
    );
    await this.#flush();
    while (!this.#closing) {
      let frame: IMAPFrame | null;
      try {
        frame = await this.#reader.read();
      } catch (error) {
        if (error instanceof ProtocolError) {
          // The framing is lost (a line over the limit, a non-synchronising
          // literal too large): nothing after it can be read as commands.
          this.#send(`* BYE ${error.message}\r\n`);
          await this.#flush();
        }
        return;
      }
      if (frame === null) return;
      if (frame.kind === "continue") {
        this.#send("+ Ready for literal data\r\n");
        await this.#flush();
        continue;
      }
      if (frame.kind === "refused") {
        const tag = /^[^\s(){%*"\\\]]+/.exec(frame.text)?.[0] ?? "*";
        this.#send(
          `${tag} NO [TOOBIG] a literal of ${frame.size} bytes is over this server's limit\r\n`,
        );
        await this.#flush();
        continue;
      }
      // The server's core never streams literals: every other frame is a line.
      if (frame.kind !== "line") continue;
      await this.#command(frame.parts);
      await this.#flush();
    }
  }

  async #command(parts: (string | Uint8Array)[]): Promise<void> {
    const first = typeof parts[0] === "string" ? parts[0] : "";
    this.#tag = /^[^\s(){%*"\\\]+]+/.exec(first)?.[0] ?? "*";
    let reply: Reply;
    try {
      const tokens = parseIMAPTokens(parts, this.#options);
      if (tokens[0]?.type !== "atom" || this.#tag === "*") {
        bad("a command starts with a tag");
      }
      const name = tokenText(tokens[1]);
      if (name === null || tokens[1]!.type !== "atom") {
        bad("a command name follows the tag");
      }
      reply = await this.#dispatch(name.toUpperCase(), tokens.slice(2));
    } catch (error) {
      if (error instanceof AlreadyAnswered) return;
      if (error instanceof NoReply) {
        reply = no(error.message);
      } else if (
        error instanceof BadCommand || error instanceof IMAPParseError
      ) {
        reply = badReply(error.message);
      } else {
        log.warn("IMAP command failed: {error}", { error: String(error) });
        reply = no(
          `[SERVERBUG] the command failed on the server: ${
            (error as Error).message ?? error
          }`,
        );
      }
    }
    if (reply.status === "BAD") {
      this.#badInRow++;
      if (
        this.#badInRow >=
          (this.#options.maxBadCommands ?? DEFAULT_MAX_BAD_COMMANDS)
      ) {
        this.#send(
          `${this.#tag} BAD ${reply.text}\r\n* BYE too many bad commands in a row\r\n`,
        );
        this.#closing = true;
        return;
      }
    } else {
      this.#badInRow = 0;
    }
    this.#send(`${this.#tag} ${reply.status} ${reply.text}\r\n`);
  }

  async #dispatch(name: string, args: IMAPToken[]): Promise<Reply> {
    switch (name) {
      case "CAPABILITY":
        this.#send(`* CAPABILITY ${this.#capabilities()}\r\n`);
        return ok("CAPABILITY completed");
      case "NOOP":
      case "CHECK":
        await this.#report(true);
        return ok(`${name} completed`);
      case "LOGOUT":
        this.#send("* BYE logging out\r\n");
        this.#closing = true;
        return ok("LOGOUT completed");
      case "ID":
        this.#send('* ID ("name" "Spindle" "vendor" "Spindle")\r\n');
        return ok("ID completed");
      case "STARTTLS":
        return await this.#startTLS();
      case "LOGIN":
        return await this.#login(args);
      case "AUTHENTICATE":
        return await this.#authenticate(args);
    }
    if (this.#home === null) {
      if (
        [
          "ENABLE",
          "SELECT",
          "EXAMINE",
          "CREATE",
          "DELETE",
          "RENAME",
          "SUBSCRIBE",
          "UNSUBSCRIBE",
          "LIST",
          "LSUB",
          "NAMESPACE",
          "STATUS",
          "APPEND",
          "IDLE",
        ].includes(name)
      ) {
        return badReply(`${name} needs a login first`);
      }
    }
    switch (name) {
      case "ENABLE":
        return this.#enable(args);
      case "NAMESPACE":
        this.#send(`* NAMESPACE (("" "${SEPARATOR}")) NIL NIL\r\n`);
        return ok("NAMESPACE completed");
      case "SELECT":
      case "EXAMINE":
        return await this.#select(args, name === "EXAMINE");
      case "CREATE":
        return await this.#create(args);
      case "DELETE":
        return await this.#delete(args);
      case "RENAME":
        return await this.#rename(args);
      case "SUBSCRIBE":
      case "UNSUBSCRIBE":
        return await this.#subscribe(args, name === "SUBSCRIBE");
      case "LIST":
      case "LSUB":
        return await this.#list(args, name === "LSUB");
      case "STATUS":
        return await this.#status(args);
      case "APPEND":
        return await this.#append(args);
      case "IDLE":
        return await this.#idle();
    }
    if (this.#selected === null) {
      if (
        [
          "CLOSE",
          "UNSELECT",
          "EXPUNGE",
          "SEARCH",
          "FETCH",
          "STORE",
          "COPY",
          "MOVE",
          "UID",
        ].includes(name)
      ) {
        return badReply(`${name} needs a selected mailbox: SELECT one first`);
      }
      return badReply(`${name} is no IMAP command this server knows`);
    }
    let uid = false;
    if (name === "UID") {
      const sub = tokenText(args[0])?.toUpperCase();
      if (sub === undefined) bad("UID wants a command");
      uid = true;
      name = sub;
      args = args.slice(1);
      if (
        !["FETCH", "STORE", "COPY", "MOVE", "SEARCH", "EXPUNGE"].includes(name)
      ) {
        bad(`UID ${name} is no command`);
      }
    }
    switch (name) {
      case "CLOSE":
      case "UNSELECT":
        if (name === "CLOSE" && !this.#selected.readOnly) {
          await this.#expunge(null, true);
        }
        this.#selected = null;
        return ok(`${name} completed`);
      case "EXPUNGE":
        return await this.#expungeCommand(args, uid);
      case "SEARCH":
        return await this.#search(args, uid);
      case "FETCH":
        return await this.#fetch(args, uid);
      case "STORE":
        return await this.#store(args, uid);
      case "COPY":
      case "MOVE":
        return await this.#copy(args, uid, name === "MOVE");
    }
    return badReply(`${name} is no IMAP command this server knows`);
  }

  // ---- output

  #send(piece: string | Uint8Array): void {
    // A string takes at most 3 bytes per UTF-16 unit.
    const most = typeof piece === "string" ? piece.length * 3 : piece.length;
    if (this.#buffer.length - this.#used < most) this.#grow(most);
    if (typeof piece === "string") {
      this.#used += encoder.encodeInto(piece, this.#buffer.subarray(this.#used))
        .written;
    } else {
      this.#buffer.set(piece, this.#used);
      this.#used += piece.length;
    }
  }

  #grow(more: number): void {
    const grown = new Uint8Array(
      Math.max(this.#used + more, this.#buffer.length * 2, BUFFER_BYTES),
    );
    grown.set(this.#buffer.subarray(0, this.#used));
    this.#buffer = grown;
  }

  async #flush(): Promise<void> {
    if (this.#used === 0) return;
    // The buffer is lent to the connection (writeBorrowed): a FETCH of
    // 40 MiB of messages leaves no chunk of its own behind for the garbage
    // collector. A buffer grown for one large literal is not kept.
    const lent = this.#buffer;
    const out = lent.subarray(0, this.#used);
    this.#buffer = this.#spare ?? new Uint8Array(BUFFER_BYTES);
    this.#spare = null;
    this.#used = 0;
    await (this.#conn instanceof BaseConnection
      ? this.#conn.writeBorrowed(out)
      : this.#conn.write(out.slice()));
    if (lent.length === BUFFER_BYTES) this.#spare = lent;
  }

  // ---- session state

  async #startTLS(): Promise<Reply> {
    const tls = this.#options.tls;
    if (tls === undefined || this.#secure) {
      return badReply(
        this.#secure ? "TLS is already on" : "STARTTLS is not offered here",
      );
    }
    this.#send(`${this.#tag} OK begin TLS negotiation now\r\n`);
    await this.#flush();
    this.#reader.release(); // drops whatever was pipelined
    await startTLS(this.#conn, {
      isServer: true,
      cert: tls.cert,
      key: tls.key,
    });
    this.#secure = true;
    this.#reader = this.#newReader();
    // The tagged OK went out before the handshake; nothing more to say.
    this.#tag = "";
    throw new AlreadyAnswered();
  }

  async #loginWith(user: string, password: string): Promise<Reply> {
    if (!this.#authAllowed()) {
      return no("[PRIVACYREQUIRED] log in only over TLS: run STARTTLS first");
    }
    if (this.#home !== null) return badReply("already logged in");
    const conn = this.#conn;
    const source = "hostname" in conn.remoteAddr
      ? conn.remoteAddr.hostname
      : "local";
    try {
      const result = await this.#server.limiter.attempt(
        { connection: this, source },
        () =>
          this.#server.portal.login(
            new UsernamePassword(user, password),
            null,
            "imap",
          ),
      );
      this.#user = result.avatarId;
      this.#home = result.avatar;
      this.#logout = result.logout;
    } catch (error) {
      if (!(error instanceof UnauthorizedLoginError)) throw error;
      return no("[AUTHENTICATIONFAILED] the user name or password is wrong");
    }
    await this.#home.create();
    for (const folder of Object.keys(SPECIAL_USE)) {
      await this.#home.folder(folder).create();
    }
    return ok(`[CAPABILITY ${this.#capabilities()}] logged in`);
  }

  #login(args: IMAPToken[]): Promise<Reply> {
    const user = tokenText(args[0]);
    const password = tokenText(args[1]);
    if (user === null || password === null || args.length !== 2) {
      bad("LOGIN wants a user name and a password");
    }
    return this.#loginWith(user, password);
  }

  async #authenticate(args: IMAPToken[]): Promise<Reply> {
    const mechanism = tokenText(args[0])?.toUpperCase();
    if (mechanism !== "PLAIN") return no("only AUTHENTICATE PLAIN is offered");
    if (!this.#authAllowed()) {
      return no("[PRIVACYREQUIRED] log in only over TLS: run STARTTLS first");
    }
    let response = tokenText(args[1]);
    if (response === null) {
      this.#send("+ \r\n");
      await this.#flush();
      const frame = await this.#reader.read();
      if (frame === null || frame.kind !== "line") {
        this.#closing = true;
        return badReply("the client left during AUTHENTICATE");
      }
      response = frame.parts.filter((p) => typeof p === "string").join("")
        .trim();
    }
    if (response === "*") return badReply("AUTHENTICATE cancelled");
    const plain = decodeSaslPlain(response);
    if (plain === null) {
      return badReply(
        "the PLAIN response is not valid base64 user\\0name\\0password",
      );
    }
    if (plain.authzid !== "" && plain.authzid !== plain.username) {
      return no("[AUTHORIZATIONFAILED] acting as another user is not allowed");
    }
    return await this.#loginWith(plain.username, plain.password);
  }

  #enable(args: IMAPToken[]): Reply {
    const enabled: string[] = [];
    for (const arg of args) {
      const name = tokenText(arg)?.toUpperCase();
      if (name === "IMAP4REV2" && !this.#rev2) {
        this.#rev2 = true;
        enabled.push("IMAP4rev2");
      }
    }
    this.#send(`* ENABLED${enabled.map((e) => ` ${e}`).join("")}\r\n`);
    return ok("ENABLE completed");
  }

  // ---- mailboxes

  #mailbox(token: IMAPToken | undefined): { name: string; maildir: Maildir } {
    const name = tokenText(token);
    if (name === null) bad("a mailbox name is due here");
    const found = resolveMailbox(this.#home!, name);
    if (found === null) {
      throw new NoReply(
        `[CANNOT] ${JSON.stringify(name)} cannot name a mailbox here`,
      );
    }
    return found;
  }

  async #select(args: IMAPToken[], readOnly: boolean): Promise<Reply> {
    const previous = this.#selected;
    this.#selected = null;
    const { name, maildir } = this.#mailbox(args[0]);
    if (!(await maildir.exists())) return no("[NONEXISTENT] no such mailbox");
    const view = new MailboxView(name, maildir, readOnly);
    if (previous?.maildir.path === maildir.path) await view.reopen(previous);
    else await view.open();
    this.#selected = view;
    this.#send(
      `* FLAGS ${
        flagList(SYSTEM_FLAGS)
      }\r\n* ${view.messages.length} EXISTS\r\n`,
    );
    if (!this.#rev2) {
      this.#send("* 0 RECENT\r\n");
      const unseen = view.messages.findIndex((m) => !m.flags.has("\\Seen"));
      if (unseen >= 0) {
        this.#send(`* OK [UNSEEN ${unseen + 1}] first unseen\r\n`);
      }
    }
    this.#send(
      `* OK [PERMANENTFLAGS ${
        flagList(readOnly ? [] : SYSTEM_FLAGS)
      }] flags kept\r\n* OK [UIDVALIDITY ${view.uidValidity}] UIDs valid\r\n* OK [UIDNEXT ${view.uidNext}] predicted next UID\r\n`,
    );
    if (this.#rev2) {
      this.#send(`* LIST () "${SEPARATOR}" ${imapString(name)}\r\n`);
    }
    return ok(
      `[${readOnly ? "READ-ONLY" : "READ-WRITE"}] ${
        readOnly ? "EXAMINE" : "SELECT"
      } completed`,
    );
  }

  async #create(args: IMAPToken[]): Promise<Reply> {
    const { name, maildir } = this.#mailbox(args[0]);
    if (name === "INBOX" || (await maildir.exists())) {
      return no("[ALREADYEXISTS] the mailbox exists already");
    }
    await maildir.create();
    return ok("CREATE completed");
  }

  async #delete(args: IMAPToken[]): Promise<Reply> {
    const { name, maildir } = this.#mailbox(args[0]);
    if (name === "INBOX") return no("INBOX cannot be deleted");
    if (!(await maildir.exists())) return no("[NONEXISTENT] no such mailbox");
    if (this.#selected?.name === name) this.#selected = null;
    await Deno.remove(maildir.path, { recursive: true });
    return ok("DELETE completed");
  }

  async #rename(args: IMAPToken[]): Promise<Reply> {
    const from = this.#mailbox(args[0]);
    const to = this.#mailbox(args[1]);
    if (to.name === "INBOX" || (await to.maildir.exists())) {
      return no("[ALREADYEXISTS] the new name is taken");
    }
    if (!(await from.maildir.exists())) {
      return no("[NONEXISTENT] no such mailbox");
    }
    if (from.name === "INBOX") {
      // RFC 9051 §6.3.6: INBOX's messages move, INBOX stays (empty).
      await to.maildir.create();
      for (const subfolder of ["new", "cur"]) {
        for await (
          const entry of Deno.readDir(join(from.maildir.path, subfolder))
        ) {
          if (!entry.isFile) continue;
          await Deno.rename(
            join(from.maildir.path, subfolder, entry.name),
            join(to.maildir.path, subfolder, entry.name),
          );
        }
      }
      return ok("RENAME completed");
    }
    const home = this.#home!;
    for (const folder of await home.folders()) {
      if (
        folder === from.name || folder.startsWith(`${from.name}${SEPARATOR}`)
      ) {
        await Deno.rename(
          join(home.path, `.${folder}`),
          join(home.path, `.${to.name}${folder.slice(from.name.length)}`),
        );
      }
    }
    if (this.#selected?.name === from.name) this.#selected = null;
    return ok("RENAME completed");
  }

  async #subscribe(args: IMAPToken[], on: boolean): Promise<Reply> {
    const { name } = this.#mailbox(args[0]);
    const names = await readSubscriptions(this.#home!);
    if (on) names.add(name);
    else names.delete(name);
    await writeSubscriptions(this.#home!, names);
    return ok(on ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
  }

  async #list(args: IMAPToken[], lsub: boolean): Promise<Reply> {
    let i = 0;
    let subscribedOnly = lsub;
    let specialOnly = false;
    if (!lsub && args[0]?.type === "list") {
      for (const option of args[0].items) {
        const word = tokenText(option)?.toUpperCase();
        if (word === "SUBSCRIBED") subscribedOnly = true;
        else if (word === "SPECIAL-USE") specialOnly = true;
      }
      i = 1;
    }
    const reference = tokenText(args[i]);
    const patterns = (tokenList(args[i + 1]) ?? []).map(tokenText);
    if (
      reference === null || patterns.length === 0 || patterns.includes(null)
    ) {
      bad(`${lsub ? "LSUB" : "LIST"} wants a reference and a pattern`);
    }
    const verb = lsub ? "LSUB" : "LIST";
    if (patterns.length === 1 && patterns[0] === "") {
      this.#send(`* ${verb} (\\Noselect) "${SEPARATOR}" ""\r\n`);
      return ok(`${verb} completed`);
    }
    const home = this.#home!;
    const names = await mailboxNames(home);
    const subscribed = await readSubscriptions(home);
    const all = new Set(names);
    // Parents that exist only through their children are shown \NonExistent.
    for (const name of names) {
      const parts = name.split(SEPARATOR);
      for (let n = 1; n < parts.length; n++) {
        all.add(parts.slice(0, n).join(SEPARATOR));
      }
    }
    const regexes = patterns.map((p) => listPattern(reference + p!));
    for (const name of [...all].sort()) {
      if (!regexes.some((re) => re.test(name))) continue;
      if (subscribedOnly && !subscribed.has(name)) continue;
      const attributes: string[] = [];
      if (!names.includes(name)) attributes.push("\\NonExistent", "\\Noselect");
      const hasChildren = [...all].some((n) =>
        n.startsWith(`${name}${SEPARATOR}`)
      );
      attributes.push(hasChildren ? "\\HasChildren" : "\\HasNoChildren");
      const special = SPECIAL_USE[name];
      if (specialOnly && special === undefined) continue;
      if (special !== undefined) attributes.push(special);
      if (subscribedOnly && !lsub) attributes.push("\\Subscribed");
      this.#send(
        `* ${verb} (${attributes.join(" ")}) "${SEPARATOR}" ${
          imapString(name)
        }\r\n`,
      );
    }
    return ok(`${verb} completed`);
  }

  async #status(args: IMAPToken[]): Promise<Reply> {
    const { name, maildir } = this.#mailbox(args[0]);
    const items = tokenList(args[1]);
    if (items === null || items.length === 0) {
      bad("STATUS wants a list of items");
    }
    if (!(await maildir.exists())) return no("[NONEXISTENT] no such mailbox");
    const view = new MailboxView(name, maildir, true);
    await view.open();
    const out: string[] = [];
    for (const item of items) {
      const word = tokenText(item)?.toUpperCase();
      switch (word) {
        case "MESSAGES":
          out.push(`MESSAGES ${view.messages.length}`);
          break;
        case "UIDNEXT":
          out.push(`UIDNEXT ${view.uidNext}`);
          break;
        case "UIDVALIDITY":
          out.push(`UIDVALIDITY ${view.uidValidity}`);
          break;
        case "UNSEEN":
          out.push(
            `UNSEEN ${
              view.messages.filter((m) => !m.flags.has("\\Seen")).length
            }`,
          );
          break;
        case "DELETED":
          out.push(
            `DELETED ${
              view.messages.filter((m) => m.flags.has("\\Deleted")).length
            }`,
          );
          break;
        case "SIZE":
          out.push(
            `SIZE ${view.messages.reduce((n, m) => n + m.message.size, 0)}`,
          );
          break;
        case "RECENT":
          out.push("RECENT 0");
          break;
        default:
          bad(`${JSON.stringify(word)} is no STATUS item`);
      }
    }
    this.#send(`* STATUS ${imapString(name)} (${out.join(" ")})\r\n`);
    return ok("STATUS completed");
  }

  async #append(args: IMAPToken[]): Promise<Reply> {
    const { maildir } = this.#mailbox(args[0]);
    let i = 1;
    let flags: string[] = [];
    let date: Date | null = null;
    if (args[i]?.type === "list") {
      flags = (args[i] as { items: IMAPToken[] }).items.map((t) =>
        tokenText(t) ?? ""
      );
      i++;
    }
    if (args[i]?.type === "string") {
      date = parseDateTime((args[i] as { value: string }).value);
      if (date === null) {
        bad('APPEND\'s date is not like "1-Feb-2024 10:00:00 +0000"');
      }
      i++;
    }
    const message = tokenBytes(args[i]);
    if (
      message === null || args[i]!.type !== "literal" || args.length !== i + 1
    ) {
      bad(
        "APPEND wants a mailbox, optional flags and date, and the message as a literal",
      );
    }
    if (!(await maildir.exists())) {
      return no("[TRYCREATE] no such mailbox: CREATE it first");
    }
    const uid = await this.#store1(maildir, message, flags, date ?? new Date());
    if (this.#selected?.maildir.path === maildir.path) {
      await this.#report(false);
    }
    return ok(`[APPENDUID ${uid.uidValidity} ${uid.uid}] APPEND completed`);
  }

  // Delivers one message to `maildir` with `flags` and `date`, and returns its UID.
  async #store1(
    maildir: Maildir,
    bytes: Uint8Array,
    flags: Iterable<string>,
    date: Date,
  ): Promise<{ uid: number; uidValidity: number }> {
    const uids = new UidList(maildir);
    // The messages there get their UIDs first: a list made after delivery
    // would number by delivery time, and an APPEND's date may be older.
    await uids.sync();
    const [key] = await deliverMessage([maildir], bytes, {
      fsync: this.#options.fsync ?? true,
    });
    let path = join(maildir.path, "new", key!);
    await Deno.utime(path, date, date);
    const kept = [...flags].map(systemFlag).filter((f) => f !== null);
    if (kept.length > 0) {
      const moved = await setMaildirFlags(maildir, {
        subfolder: "new",
        name: key!,
        key: key!,
        path,
        size: bytes.length,
        mtime: date,
      }, kept);
      path = moved.path;
    }
    const snapshot = await uids.sync();
    const entry = snapshot.entries.find((e) => e.message.key === key);
    return { uid: entry?.uid ?? 0, uidValidity: snapshot.uidValidity };
  }

  // Sends what changed on disk: EXPUNGE (when allowed), EXISTS, FLAGS.
  async #report(expunge: boolean): Promise<void> {
    const view = this.#selected;
    if (view === null) return;
    const changes = await view.refresh(expunge);
    for (const seq of changes.expunged) this.#send(`* ${seq} EXPUNGE\r\n`);
    if (changes.exists !== null || changes.expunged.length > 0) {
      this.#send(`* ${view.messages.length} EXISTS\r\n`);
    }
    for (const message of changes.flagsChanged) {
      const seq = view.messages.indexOf(message) + 1;
      this.#send(
        `* ${seq} FETCH (UID ${message.uid} FLAGS ${
          flagList(message.flags)
        })\r\n`,
      );
    }
  }

  async #idle(): Promise<Reply> {
    this.#send("+ idling\r\n");
    await this.#flush();
    const interval = this.#options.idleInterval ?? 250;
    let stop = false;
    let stopTimer = () => {};
    const poll = (async () => {
      while (!stop) {
        await new Promise<void>((resolve) => {
          const id = setTimeout(resolve, interval);
          stopTimer = () => {
            clearTimeout(id);
            resolve();
          };
        });
        if (stop) break;
        await this.#report(true);
        await this.#flush();
      }
    })().catch((error) => {
      // The client left, or the disk failed: the read below ends the IDLE.
      log.debug("IDLE update failed: {error}", { error: String(error) });
    });
    let frame: IMAPFrame | null;
    try {
      frame = await this.#reader.read();
    } finally {
      stop = true;
      stopTimer();
      await poll;
    }
    if (frame === null) {
      this.#closing = true;
      return ok("IDLE ended");
    }
    const text = frame.kind === "line"
      ? frame.parts.join("").trim().toUpperCase()
      : "";
    if (text !== "DONE") return badReply("IDLE ends with DONE");
    return ok("IDLE terminated");
  }

  // ---- messages

  // The messages of a sequence set (or UID set), in mailbox order.
  #select1(set: IMAPToken | undefined, uid: boolean): ViewMessage[] {
    const text = tokenText(set);
    const ranges = text === null ? null : parseSequenceSet(text);
    if (ranges === null) bad(`${JSON.stringify(text)} is no sequence set`);
    const messages = this.#selected!.messages;
    if (uid) {
      const largest = messages.at(-1)?.uid ?? 0;
      return messages.filter((m) => inSequenceSet(ranges, m.uid, largest));
    }
    // "1:*" of an empty mailbox names nothing; a number past the last
    // message is a mistake (RFC 9051 §9, seq-number).
    for (const range of ranges) {
      if (messages.length === 0 && range.to === Infinity) continue;
      for (const n of [range.from, range.to]) {
        if (n !== Infinity && n > messages.length) {
          bad(
            `message ${n} is beyond the ${messages.length} messages of the mailbox`,
          );
        }
      }
    }
    return messages.filter((_, i) =>
      inSequenceSet(ranges, i + 1, messages.length)
    );
  }

  async #read(view: ViewMessage): Promise<Uint8Array> {
    // Another session may rename the file (its flags are in its name) again
    // between finding it and reading it: look it up again, a few times.
    for (let attempt = 1;; attempt++) {
      try {
        return await Deno.readFile(view.message.path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        if (attempt === READ_ATTEMPTS) {
          throw new NoReply(
            "a message kept moving while it was read: try the command again",
          );
        }
        if (await this.#selected!.locate(view) === null) {
          throw new NoReply("a message was expunged by another session");
        }
      }
    }
  }

  // The bytes of a message, read into slot `slot` when they fit, else (a
  // file too large, or moved) a promise of them read whole into a buffer of
  // their own. The slot is filled synchronously: a small file in the page
  // cache is read in microseconds, while each asynchronous file call is a
  // trip through Deno's blocking thread pool, and open + read + read cost
  // FETCH 1:* BODY.PEEK[] of 10,000 x 4 KiB half its rate against one
  // Deno.readFile a message.
  #readInto(
    view: ViewMessage,
    slot: number,
  ): Uint8Array | Promise<Uint8Array> {
    if (view.message.size >= SLOT_SIZE) return this.#read(view);
    const buffer = this.#slots[slot] ??= new Uint8Array(SLOT_SIZE);
    let file;
    try {
      file = Deno.openSync(view.message.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return this.#read(view);
    }
    try {
      let size = 0;
      for (;;) {
        const n = file.readSync(buffer.subarray(size));
        if (n === null) return buffer.subarray(0, size);
        size += n;
        // Larger than its name said: read it whole instead.
        if (size === SLOT_SIZE) return this.#read(view);
      }
    } finally {
      file.close();
    }
  }

  async #fetch(args: IMAPToken[], uid: boolean): Promise<Reply> {
    const targets = this.#select1(args[0], uid);
    const items = parseFetchItems(args[1]);
    if (uid && !items.some((i) => i.kind === "UID")) {
      items.unshift({ kind: "UID" });
    }
    const view = this.#selected!;
    // The targets come in the view's order, so one walk along it numbers
    // them all: a Map of 10,000 would outlive the young generation each FETCH.
    const all = view.messages;
    let at = 0;
    const seqOf = (target: ViewMessage): number => {
      while (at < all.length && all[at] !== target) at++;
      return at + 1;
    };
    // What needs the file: sections always, the rest only when not cached.
    const sections = items.some((i) => i.kind === "section");
    const structure = items.some((i) =>
      i.kind === "BODY" || i.kind === "BODYSTRUCTURE" ||
      (i.kind === "section" &&
        (i.section!.path.length > 0 || i.section!.text !== ""))
    );
    const responses = this.#server.responses;
    const needs = (cache: CachedResponses) =>
      sections ||
      items.some((i) => {
        const key = cachedAs(i.kind);
        return key !== undefined && cache[key] < 0;
      });
    const setsSeen = !view.readOnly &&
      items.some((i) => i.kind === "section" && !i.peek);
    // Reads a few messages ahead while earlier ones are written, each into
    // a slot of its own: message i's slot is taken again by message
    // i + FETCH_AHEAD + 1, read only once message i was sent (copied out).
    const loads: (Uint8Array | Promise<Uint8Array> | null)[] = [];
    const ahead = FETCH_AHEAD;
    const load = (i: number): Uint8Array | Promise<Uint8Array> | null => {
      const target = targets[i]!;
      return needs(responses.entry(target.message.path))
        ? this.#readInto(target, i % (FETCH_AHEAD + 1))
        : null;
    };
    for (let i = 0; i < Math.min(ahead, targets.length); i++) {
      loads.push(load(i));
    }
    for (let i = 0; i < targets.length; i++) {
      if (i + ahead < targets.length) loads.push(load(i + ahead));
      const target = targets[i]!;
      const loaded = loads[i];
      let bytes = loaded instanceof Promise ? await loaded : loaded;
      loads[i] = null;
      let parsed: ParsedMessage | null = null;
      const parse = (): ParsedMessage =>
        parsed ??= structure ? parseMessage(bytes!) : parseHeaderOnly(bytes!);
      if (setsSeen && !target.flags.has("\\Seen")) {
        await this.#setFlags(target, new Set([...target.flags, "\\Seen"]));
        if (!items.some((it) => it.kind === "FLAGS")) {
          items.push({ kind: "FLAGS" });
        }
      }
      let cache = responses.entry(target.message.path);
      // The file was left unread because its answers were cached, but other
      // sessions may have pushed them out of the cache since: read it now,
      // and look again after that await. No await follows until the message
      // is written, so what the entry holds stays.
      if (bytes === null && needs(cache)) {
        bytes = await this.#read(target);
        cache = responses.entry(target.message.path);
      }
      let line = `* ${seqOf(target)} FETCH (`;
      let first = true;
      for (const item of items) {
        if (!first) line += " ";
        first = false;
        switch (item.kind) {
          case "UID":
            line += `UID ${target.uid}`;
            break;
          case "FLAGS":
            line += `FLAGS ${flagList(target.flags)}`;
            break;
          case "INTERNALDATE":
            line += `INTERNALDATE ${internalDate(target.message.mtime)}`;
            break;
          case "RFC822.SIZE":
            line += `RFC822.SIZE ${target.message.size}`;
            break;
          case "ENVELOPE":
          case "BODY":
          case "BODYSTRUCTURE": {
            const key = CACHED_AS[item.kind];
            if (cache[key] < 0) {
              cache[key] = responses.store(
                item.kind === "ENVELOPE"
                  ? envelope(parse().root)
                  : bodyStructure(
                    parse(),
                    parse().root,
                    item.kind === "BODYSTRUCTURE",
                  ),
              );
            }
            // Sent from the cache's bytes: no string is made of them.
            this.#send(`${line}${item.kind} `);
            this.#send(responses.bytes(cache[key]));
            line = "";
            break;
          }
          case "section": {
            const section = item.section!;
            // The whole message is the file as it is: no parse needed.
            let data = section.path.length === 0 && section.text === ""
              ? bytes!
              : sectionBytes(parse(), section);
            if (item.partial) {
              const [origin, count] = item.partial;
              data = data.subarray(
                Math.min(origin, data.length),
                Math.min(origin + count, data.length),
              );
            }
            this.#send(`${line}${item.name} {${data.length}}\r\n`);
            this.#send(data);
            line = "";
            break;
          }
        }
      }
      this.#send(`${line})\r\n`);
      // Awaited only when due: an await a message is a cost of its own.
      if (this.#used >= OUT_BUFFER_SIZE) await this.#flush();
    }
    return ok(`${uid ? "UID " : ""}FETCH completed`);
  }

  async #setFlags(target: ViewMessage, flags: Set<string>): Promise<void> {
    const view = this.#selected!;
    let moved;
    try {
      moved = await setMaildirFlags(view.maildir, target.message, flags);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      const found = await view.locate(target);
      if (found === null) return; // expunged meanwhile: nothing to flag
      moved = await setMaildirFlags(view.maildir, found, flags);
    }
    target.message = moved;
    target.flags = flagsOf(moved.name);
  }

  async #store(args: IMAPToken[], uid: boolean): Promise<Reply> {
    const view = this.#selected!;
    if (view.readOnly) return no("[READ-ONLY] the mailbox was EXAMINEd");
    const targets = this.#select1(args[0], uid);
    const action = tokenText(args[1])?.toUpperCase();
    const match = action === undefined
      ? null
      : /^([+-]?)FLAGS(\.SILENT)?$/.exec(action);
    if (match === null) bad("STORE wants FLAGS, +FLAGS or -FLAGS (.SILENT)");
    const given = tokenList(args[2]);
    if (given === null) bad("STORE wants flags");
    const flags = given.map((t) => systemFlag(tokenText(t) ?? "")).filter((f) =>
      f !== null
    );
    for (const target of targets) {
      const next = match[1] === "+"
        ? new Set([...target.flags, ...flags])
        : match[1] === "-"
        ? new Set([...target.flags].filter((f) => !flags.includes(f)))
        : new Set(flags);
      await this.#setFlags(target, next);
      if (match[2] === undefined) {
        this.#send(
          `* ${view.messages.indexOf(target) + 1} FETCH (${
            uid ? `UID ${target.uid} ` : ""
          }FLAGS ${flagList(target.flags)})\r\n`,
        );
      }
    }
    return ok(`${uid ? "UID " : ""}STORE completed`);
  }

  async #expunge(only: ViewMessage[] | null, silent: boolean): Promise<void> {
    const view = this.#selected!;
    const doomed = view.messages.filter((m) =>
      m.flags.has("\\Deleted") && (only === null || only.includes(m))
    );
    for (const message of doomed) {
      try {
        await Deno.remove(message.message.path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        const found = await view.locate(message);
        if (found !== null) await Deno.remove(found.path);
      }
    }
    if (silent) {
      await view.refresh(true);
      return;
    }
    await this.#report(true);
  }

  async #expungeCommand(args: IMAPToken[], uid: boolean): Promise<Reply> {
    if (this.#selected!.readOnly) {
      return no("[READ-ONLY] the mailbox was EXAMINEd");
    }
    const only = uid ? this.#select1(args[0], true) : null;
    await this.#expunge(only, false);
    return ok(`${uid ? "UID " : ""}EXPUNGE completed`);
  }

  async #search(args: IMAPToken[], uid: boolean): Promise<Reply> {
    let i = 0;
    let esearch = this.#rev2;
    const returns: string[] = [];
    if (
      tokenText(args[0])?.toUpperCase() === "RETURN" && args[1]?.type === "list"
    ) {
      esearch = true;
      for (const r of args[1].items) {
        returns.push((tokenText(r) ?? "").toUpperCase());
      }
      i = 2;
    }
    if (tokenText(args[i])?.toUpperCase() === "CHARSET") {
      const charset = tokenText(args[i + 1])?.toUpperCase();
      if (charset !== "UTF-8" && charset !== "US-ASCII") {
        return no("[BADCHARSET (UTF-8 US-ASCII)] search in UTF-8");
      }
      i += 2;
    }
    const key = parseSearch(args.slice(i));
    const view = this.#selected!;
    const largest = {
      seq: view.messages.length,
      uid: view.messages.at(-1)?.uid ?? 0,
    };
    const found: number[] = [];
    for (let n = 0; n < view.messages.length; n++) {
      const message = view.messages[n]!;
      let parsed: Promise<ParsedMessage> | null = null;
      const hit = await matches(key, {
        seq: n + 1,
        uid: message.uid,
        flags: message.flags,
        size: message.message.size,
        internalDate: message.message.mtime,
        load: () => parsed ??= this.#read(message).then(parseMessage),
      }, largest);
      if (hit) found.push(uid ? message.uid : n + 1);
    }
    if (esearch) {
      const parts = [`* ESEARCH (TAG ${imapString(this.#tag)})`];
      if (uid) parts.push("UID");
      const want = returns.length === 0 ? ["ALL"] : returns;
      if (want.includes("MIN") && found.length > 0) {
        parts.push(`MIN ${found[0]}`);
      }
      if (want.includes("MAX") && found.length > 0) {
        parts.push(`MAX ${found.at(-1)}`);
      }
      if (want.includes("COUNT")) parts.push(`COUNT ${found.length}`);
      if (want.includes("ALL") && found.length > 0) {
        parts.push(`ALL ${formatSequenceSet(found)}`);
      }
      this.#send(`${parts.join(" ")}\r\n`);
    } else {
      this.#send(`* SEARCH${found.map((n) => ` ${n}`).join("")}\r\n`);
    }
    return ok(`${uid ? "UID " : ""}SEARCH completed`);
  }

  async #copy(args: IMAPToken[], uid: boolean, move: boolean): Promise<Reply> {
    const view = this.#selected!;
    if (move && view.readOnly) {
      return no("[READ-ONLY] the mailbox was EXAMINEd");
    }
    const targets = this.#select1(args[0], uid);
    const { maildir } = this.#mailbox(args[1]);
    if (!(await maildir.exists())) {
      return no("[TRYCREATE] no such mailbox: CREATE it first");
    }
    const fromUids: number[] = [];
    const toUids: number[] = [];
    let uidValidity = 0;
    for (const target of targets) {
      const bytes = await this.#read(target);
      const result = await this.#store1(
        maildir,
        bytes,
        target.flags,
        target.message.mtime,
      );
      fromUids.push(target.uid);
      toUids.push(result.uid);
      uidValidity = result.uidValidity;
    }
    const code = targets.length === 0
      ? ""
      : `[COPYUID ${uidValidity} ${formatSequenceSet(fromUids)} ${
        toUids.join(",")
      }] `;
    if (!move) return ok(`${code}COPY completed`);
    if (code !== "") this.#send(`* OK ${code}moved\r\n`);
    for (const target of targets) {
      try {
        await Deno.remove(target.message.path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        const found = await view.locate(target);
        if (found !== null) await Deno.remove(found.path);
      }
    }
    await this.#report(true);
    return ok(`${uid ? "UID " : ""}MOVE completed`);
  }

  // ---- ending

  async shutdown(): Promise<void> {
    this.#closing = true;
    try {
      this.#send("* BYE the server is shutting down\r\n");
      await this.#flush();
    } catch {
      // The client is gone already.
    }
    await this.#conn.close().catch(() => {});
  }

  async end(): Promise<void> {
    try {
      await this.#flush();
    } catch {
      // The client is gone already.
    }
    await this.#logout?.();
    await this.#conn.close().catch(() => {});
  }
}

// The command was answered already (STARTTLS's OK goes out before the handshake).
class AlreadyAnswered extends Error {}
// A tagged NO thrown from deep inside a command.
class NoReply extends Error {}
