/**
 * The DNS client: asks servers over UDP (retrying with growing timeouts, then
 * over TCP when an answer is truncated) and turns responses into Twisted's
 * `{ answers, authority, additional }` or typed errors. Its sockets are the
 * reactor's, so trial sees any left open.
 *
 * @module
 */
import { Deferred } from "../../deferred/mod.ts";
import type {
  Connection,
  DatagramHandler,
  Reactor,
  UDPReactor,
} from "../../reactor/interfaces.ts";
import {
  ConnectionRefusedError,
  ConnectTimeoutError,
} from "../../reactor/errors.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import { DNSTCPDecoderCore } from "./codec.ts";
import { type DNSResult, ResolverBase } from "./lookups.ts";
import { Rcode, RecordClass } from "./constants.ts";
import {
  DNSFormatError,
  DNSNameError,
  DNSQueryTimeoutError,
  DNSServerError,
} from "./errors.ts";
import type { DNSMessage, Question } from "./message.ts";
import { createMessage } from "./message.ts";
import { nameKey } from "./name.ts";
import { CLIENT_LIMITS, type ClientLimits } from "./limits.ts";
import { decodeMessage, encodeMessage } from "./wire.ts";

/**
 * A DNS server to ask.
 *
 * @example Usage
 * ```ts
 * import { DNSClient, type DNSServerAddress } from "@spindle/spindle/protocols/dns";
 * const server: DNSServerAddress = { hostname: "::1", port: 5353 };
 * const client = new DNSClient({ servers: [server] });
 * console.assert(client.droppedResponses === 0);
 * ```
 */
export interface DNSServerAddress {
  /** Its address (loopback in tests). */
  hostname: string;
  /** Its port. Default 53. */
  port?: number;
}

/**
 * Options of {@linkcode DNSClient}: the servers, its limits, and the
 * reactor it opens sockets with.
 *
 * @example Usage
 * ```ts
 * import { DNSClient, type DNSClientOptions } from "@spindle/spindle/protocols/dns";
 * const options: DNSClientOptions = { servers: ["127.0.0.1:5353"], timeouts: [500, 2000] };
 * console.assert(new DNSClient(options).droppedResponses === 0);
 * ```
 */
export interface DNSClientOptions extends ClientLimits {
  /** The servers, tried in turn; `"127.0.0.1:5353"` strings or objects. */
  servers: Array<string | DNSServerAddress>;
  /** The reactor that opens the UDP and TCP sockets. Default: the module's default reactor. */
  reactor?: Reactor & UDPReactor;
  /** The time source for timeouts (a fake `Clock` in tests). Default: the reactor. */
  clock?: IReactorTime;
}

function parseServer(
  server: string | DNSServerAddress,
): Required<DNSServerAddress> {
  if (typeof server !== "string") {
    return { hostname: server.hostname, port: server.port ?? 53 };
  }
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(server);
  if (bracketed) {
    return { hostname: bracketed[1]!, port: Number(bracketed[2] ?? 53) };
  }
  const parts = server.split(":");
  if (parts.length === 2) {
    return { hostname: parts[0]!, port: Number(parts[1]) };
  }
  return { hostname: server, port: 53 };
}

function randomId(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0]!;
}

/** Whether `response` answers `query`: same ID and the same question (case-insensitively). */
function matches(response: DNSMessage, query: DNSMessage): boolean {
  if (!response.response || response.id !== query.id) return false;
  const q = query.questions[0]!;
  const r = response.questions[0];
  // Some servers leave the question out of FORMERR/NOTIMP answers.
  if (r === undefined) return response.rcode !== Rcode.NOERROR;
  return r.type === q.type && r.class === q.class &&
    nameKey(r.name) === nameKey(q.name);
}

/**
 * A stub DNS client talking to given servers.
 *
 * @example Usage
 * ```ts ignore
 * import { DNSClient } from "@spindle/spindle/protocols/dns";
 * const client = new DNSClient({ servers: ["127.0.0.1:5353"] });
 * const { answers } = await client.lookupAddress("www.example.org");
 * console.log(answers.map((r) => r.data));
 * ```
 */
export class DNSClient extends ResolverBase {
  #servers: Required<DNSServerAddress>[];
  #timeouts: readonly number[];
  #reactor: Reactor & UDPReactor;
  #clock: IReactorTime;
  #tcpTimeout: number;
  #ednsPayloadSize: number;
  #dropped = 0;

  /** A client for `options.servers`. */
  constructor(options: DNSClientOptions) {
    super();
    if (options.servers.length === 0) {
      throw new TypeError("a DNS client needs at least one server");
    }
    this.#servers = options.servers.map(parseServer);
    this.#timeouts = options.timeouts ?? CLIENT_LIMITS.timeouts;
    this.#reactor = options.reactor ?? defaultReactor;
    this.#clock = options.clock ?? this.#reactor;
    this.#tcpTimeout = options.tcpTimeout ?? CLIENT_LIMITS.tcpTimeout;
    this.#ednsPayloadSize = options.ednsPayloadSize ??
      CLIENT_LIMITS.ednsPayloadSize;
  }

  /** How many datagrams were dropped because they did not answer the query sent (wrong ID, question or sender, or malformed). */
  get droppedResponses(): number {
    return this.#dropped;
  }

  /**
   * Sends one question and resolves to the whole response, whatever its
   * RCODE. Rejects with {@linkcode DNSQueryTimeoutError} when no server answers.
   */
  async queryMessage(question: Question): Promise<DNSMessage> {
    const query = this.#newQuery(question);
    let tries = 0;
    for (const timeout of this.#timeouts) {
      for (const server of this.#servers) {
        tries++;
        let response = await this.#udpExchange(query, server, timeout);
        if (response === null) continue;
        if (
          query.edns !== undefined && response.edns === undefined &&
          (response.rcode === Rcode.FORMERR || response.rcode === Rcode.NOTIMP)
        ) {
          // A server from before EDNS (RFC 6891 §7): ask it again without OPT.
          delete query.edns;
          response = await this.#udpExchange(query, server, timeout);
          if (response === null) continue;
        }
        if (response.truncated) return await this.#tcpExchange(query, server);
        return response;
      }
    }
    throw new DNSQueryTimeoutError(
      `no answer for ${question.name} type ${question.type} after ${tries} tries: check that the servers are reachable`,
    );
  }

  /**
   * Sends one question over TCP (Twisted's `queryTCP`), to the first server
   * that takes the connection, and resolves to the whole response. Rejects
   * with {@linkcode DNSQueryTimeoutError} when the answer takes longer than
   * `tcpTimeout`, or with the last server's connection error.
   */
  async queryTCP(question: Question): Promise<DNSMessage> {
    const query = this.#newQuery(question);
    let failure: unknown;
    for (const server of this.#servers) {
      try {
        return await this.#tcpExchange(query, server);
      } catch (error) {
        if (!isConnectError(error)) throw error;
        failure = error;
      }
    }
    throw failure;
  }

  #newQuery(question: Question): DNSMessage {
    const query = createMessage({
      recursionDesired: true,
      questions: [question],
    });
    if (this.#ednsPayloadSize > 0) {
      query.edns = {
        udpPayloadSize: this.#ednsPayloadSize,
        version: 0,
        dnssecOk: false,
        options: [],
      };
    }
    return query;
  }

  async #udpExchange(
    query: DNSMessage,
    server: Required<DNSServerAddress>,
    timeout: number,
  ): Promise<DNSMessage | null> {
    query.id = randomId();
    const exchange = new UDPExchange(query, server, () => this.#dropped++);
    // A fresh socket per try: a random source port from the system (RFC 5452).
    const socket = await this.#reactor.listenUDP(0, exchange, {
      interface: server.hostname.includes(":") ? "::" : "0.0.0.0",
    });
    const timer = this.#clock.callLater(timeout, () => exchange.settle(null));
    try {
      await socket.write(encodeMessage(query), {
        transport: "udp",
        hostname: server.hostname,
        port: server.port,
      });
      return await exchange.response;
    } finally {
      if (timer.active()) timer.cancel();
      await socket.stopListening();
    }
  }

  async #tcpExchange(
    query: DNSMessage,
    server: Required<DNSServerAddress>,
  ): Promise<DNSMessage> {
    query.id = randomId();
    const where = `${server.hostname}:${server.port}`;
    const conn = await this.#reactor.connectTCP(server.hostname, server.port, {
      timeout: this.#tcpTimeout,
    });
    let timedOut = false;
    const timer = this.#clock.callLater(this.#tcpTimeout, () => {
      timedOut = true;
      conn.abort();
    });
    try {
      await conn.write(encodeMessage(query, { lengthPrefix: true }));
      const response = await readResponse(conn, where);
      if (!matches(response, query)) {
        this.#dropped++;
        throw new DNSServerError(
          `${where} answered over TCP with a response to another query`,
          -1,
        );
      }
      return response;
    } catch (error) {
      if (timedOut) {
        throw new DNSQueryTimeoutError(
          `no TCP answer from ${where} within ${this.#tcpTimeout} ms`,
        );
      }
      throw error;
    } finally {
      if (timer.active()) timer.cancel();
      if (!timedOut) await conn.close().catch(() => conn.abort());
    }
  }

  /**
   * Asks for `type` records of `name` and resolves to the sections; fails with
   * {@linkcode DNSNameError} (NXDOMAIN), {@linkcode DNSServerError} (another
   * error code) or {@linkcode DNSQueryTimeoutError}.
   */
  query(name: string, type: number): Deferred<DNSResult> {
    return Deferred.fromPromise(
      this.queryMessage({ name, type, class: RecordClass.IN }).then((m) =>
        resultOf(m, name, type)
      ),
    );
  }
}

/**
 * One UDP try: takes the first datagram from the server that answers the
 * query, and counts the others as dropped.
 */
class UDPExchange implements DatagramHandler {
  /** The answer, or `null` once {@linkcode UDPExchange.settle} gave up on it. */
  readonly response: Promise<DNSMessage | null>;
  #settle!: (response: DNSMessage | null) => void;
  #query: DNSMessage;
  #server: Required<DNSServerAddress>;
  #dropped: () => void;

  constructor(
    query: DNSMessage,
    server: Required<DNSServerAddress>,
    dropped: () => void,
  ) {
    this.#query = query;
    this.#server = server;
    this.#dropped = dropped;
    this.response = new Promise((resolve) => this.#settle = resolve);
  }

  settle(response: DNSMessage | null): void {
    this.#settle(response);
  }

  datagramReceived(data: Uint8Array, addr: Deno.NetAddr): void {
    const server = this.#server;
    if (
      addr.port !== server.port || !sameHost(addr.hostname, server.hostname)
    ) {
      return this.#dropped();
    }
    let response: DNSMessage;
    try {
      response = decodeMessage(data);
    } catch (error) {
      if (!(error instanceof DNSFormatError)) throw error;
      return this.#dropped();
    }
    if (!matches(response, this.#query)) return this.#dropped();
    this.#settle(response);
  }
}

function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (h: string) => h.replace(/^::ffff:/, "");
  return strip(a) === strip(b) ||
    (isLocalhost(a) && isLocalhost(b) && a.includes(":") === b.includes(":"));
}

function isLocalhost(h: string): boolean {
  return h === "localhost" || h === "127.0.0.1" || h === "::1";
}

/** Whether `error` says the connection could not be made, so the next server may be tried. */
function isConnectError(error: unknown): boolean {
  return error instanceof ConnectionRefusedError ||
    error instanceof ConnectTimeoutError;
}

/** Reads one length-prefixed response off `conn`. */
async function readResponse(
  conn: Connection,
  where: string,
): Promise<DNSMessage> {
  const response = await new MessageReader(conn, new DNSTCPDecoderCore())
    .read();
  if (response === null) {
    throw new DNSServerError(
      `${where} closed the TCP connection before answering`,
      -1,
    );
  }
  return response;
}

/**
 * The sections of a response, or the error its RCODE means.
 *
 * @example Usage
 * ```ts
 * import { createMessage, DNSNameError, Rcode, resultOf } from "@spindle/spindle/protocols/dns";
 * try {
 *   resultOf(createMessage({ response: true, rcode: Rcode.NXDOMAIN }), "x.example", 1);
 * } catch (error) {
 *   console.assert(error instanceof DNSNameError);
 * }
 * ```
 */
export function resultOf(
  response: DNSMessage,
  name: string,
  type: number,
): DNSResult {
  if (response.rcode === Rcode.NXDOMAIN) {
    throw new DNSNameError(`${name} does not exist (NXDOMAIN)`);
  }
  if (response.rcode !== Rcode.NOERROR) {
    const names: Record<number, string> = {
      1: "FORMERR",
      2: "SERVFAIL",
      4: "NOTIMP",
      5: "REFUSED",
    };
    throw new DNSServerError(
      `the server answered ${
        names[response.rcode] ?? `RCODE ${response.rcode}`
      } for ${name} type ${type}`,
      response.rcode,
    );
  }
  return {
    answers: response.answers,
    authority: response.authority,
    additional: response.additional,
  };
}
