/**
 * The authoritative DNS server's logic: answers queries from zones (and
 * forwards other names when told to), as bytes in and bytes out, and serves
 * DNS over TCP on a connection. {@linkcode DNSDatagramProtocol} puts it on a
 * UDP port; `serveDNS` on both.
 *
 * @module
 */
import { getLogger } from "../../log/mod.ts";
import type {
  Connection,
  ConnectionFactory,
} from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { Deadline } from "../../reactor/deadline.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  LengthPrefixedDecoderCore,
  LengthPrefixedEncoderCore,
} from "../basic/length_prefixed.ts";
import { AnswerCache, answerCacheKey } from "./_answer_cache.ts";
import { minimalAnyAnswer } from "./_minimal_any.ts";
import {
  formatErrorResponse,
  replyTo,
  udpLimit,
  withoutRecords,
} from "./_response.ts";
import { TCP_FRAMING } from "./_tcp_framing.ts";
import { Opcode, Rcode, RecordClass, RecordType } from "./constants.ts";
import { DNSFormatError } from "./errors.ts";
import {
  CLASSIC_UDP_SIZE,
  SERVER_LIMITS,
  type ServerLimits,
} from "./limits.ts";
import type { DNSMessage, Question } from "./message.ts";
import { decodeMessage, encodeMessage } from "./wire.ts";
import { type Zone, ZoneAuthority } from "./zone.ts";

const logger = getLogger("spindle.dns.server");

/** The IXFR query type (RFC 1995): refused with AXFR. */
const IXFR = 251;

/**
 * Where unanswerable names go when a server forwards (a `DNSClient` fits).
 *
 * @example Usage
 * ```ts
 * import { DNSClient, type DNSForwarder } from "@spindle/spindle/protocols/dns";
 * // A client forwards; so can anything with queryMessage().
 * const forward: DNSForwarder = new DNSClient({ servers: ["127.0.0.1:5300"] });
 * console.assert(typeof forward.queryMessage === "function");
 * ```
 */
export interface DNSForwarder {
  /** Sends the question upstream and resolves to the upstream response. */
  queryMessage(question: Question): PromiseLike<DNSMessage>;
}

/**
 * Options of {@linkcode DNSServerFactory}: its limits, and where to forward.
 *
 * @example Usage
 * ```ts
 * import { DNSServerFactory, type DNSServerOptions } from "@spindle/spindle/protocols/dns";
 * const options: DNSServerOptions = { maxUdpPayload: 1400, tcpIdleTimeout: 5000 };
 * console.assert(new DNSServerFactory([], options).authority.zones.length === 0);
 * ```
 */
export interface DNSServerOptions extends ServerLimits {
  /**
   * Answers names outside the zones through this upstream (forwarding mode).
   * Without it, such names get REFUSED: the server is not an open resolver.
   */
  forward?: DNSForwarder;
}

/**
 * Answers DNS queries from zones: the protocol logic, free of sockets.
 * {@linkcode DNSServerFactory.answer} takes a query's bytes and returns the
 * response's bytes; {@linkcode DNSServerFactory.handleConnection} serves DNS
 * over TCP on a {@linkcode Connection}, so the factory can be given to
 * `listenTCP`. `serveDNS` puts it on a UDP and a TCP socket.
 *
 * @example Usage
 * ```ts
 * import {
 *   createMessage, decodeMessage, DNSServerFactory, encodeMessage, RecordType, Zone,
 * } from "@spindle/spindle/protocols/dns";
 * const zone = Zone.parse(`
 * @   3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300
 * www 3600 IN A   192.0.2.1
 * `, { origin: "example.org" });
 * const factory = new DNSServerFactory([zone]);
 * const query = encodeMessage(createMessage({
 *   id: 42, questions: [{ name: "www.example.org", type: RecordType.A, class: 1 }],
 * }));
 * const response = decodeMessage((await factory.answer(query, { udp: true }))!);
 * console.assert(response.authoritative && response.answers.length === 1);
 * ```
 */
export class DNSServerFactory implements ConnectionFactory {
  #authority: ZoneAuthority;
  #forward: DNSForwarder | undefined;
  #maxUdpPayload: number;
  #cache: AnswerCache;
  #tcpIdleTimeout: number;
  /** The open TCP connections and the promises of their handlers. */
  #connections: Map<Connection, Promise<void>> = new Map();

  /** Serves `zones`. */
  constructor(zones: Iterable<Zone>, options: DNSServerOptions = {}) {
    this.#authority = new ZoneAuthority(zones);
    this.#forward = options.forward;
    this.#maxUdpPayload = Math.max(
      CLASSIC_UDP_SIZE,
      options.maxUdpPayload ?? SERVER_LIMITS.maxUdpPayload,
    );
    this.#cache = new AnswerCache(
      options.answerCacheSize ?? SERVER_LIMITS.answerCacheSize,
    );
    this.#tcpIdleTimeout = options.tcpIdleTimeout ??
      SERVER_LIMITS.tcpIdleTimeout;
  }

  /** The zones and their lookup. */
  get authority(): ZoneAuthority {
    return this.#authority;
  }

  /** Part of `ConnectionFactory`; nothing to do. */
  doStart(): void {}

  /** Part of `ConnectionFactory`: closes the TCP connections still open. */
  doStop(): void {
    for (const conn of this.#connections.keys()) conn.abort();
  }

  /** Closes the TCP connections still open; resolves once their handlers have finished. */
  async closeConnections(): Promise<void> {
    const handlers = [...this.#connections.values()];
    this.doStop();
    await Promise.allSettled(handlers);
  }

  /**
   * The response to one query, as bytes; `null` when the bytes deserve no
   * answer (shorter than a header, or themselves a response). Over UDP
   * (`udp: true`), a response larger than 512 bytes — or the client's EDNS
   * size — is replaced by an empty one with the TC bit. Never throws.
   *
   * An `ANY` query over UDP is answered as RFC 8482 §4.1 advises, with one
   * RRset of the name (its smallest on the wire, with the RRSIGs covering
   * it), so that `ANY` cannot turn a small spoofed query into a reply many
   * times its size. Over TCP, where the client's address is proven,
   * `ANY` gets every RRset: RFC 8482 §4.4 lets a responder tell the two
   * transports apart.
   */
  answer(
    query: Uint8Array,
    transport: { udp: boolean },
  ): Uint8Array | null | Promise<Uint8Array | null> {
    const cache = this.#cache;
    const key = cache.enabled ? answerCacheKey(query, transport.udp) : null;
    if (key !== null) {
      const cached = cache.get(key, query);
      if (cached !== undefined) return cached;
    }
    let message: DNSMessage;
    try {
      message = decodeMessage(query, { allowTruncated: false });
    } catch (error) {
      if (!(error instanceof DNSFormatError)) throw error;
      return formatErrorResponse(query);
    }
    if (message.response) return null;
    const response = this.#respond(message, transport.udp);
    if (response instanceof Promise) {
      return response.then((r) => this.#encode(r, message, transport.udp));
    }
    const bytes = this.#encode(response, message, transport.udp);
    if (key !== null) cache.set(key, bytes);
    return bytes;
  }

  #respond(query: DNSMessage, udp: boolean): DNSMessage | Promise<DNSMessage> {
    const response = replyTo(
      query,
      this.#maxUdpPayload,
      this.#forward !== undefined,
    );
    const question = query.questions[0];
    if (query.edns !== undefined && query.edns.version > 0) {
      response.rcode = Rcode.BADVERS;
    } else if (query.opcode !== Opcode.QUERY) {
      response.rcode = Rcode.NOTIMP;
    } else if (query.questions.length !== 1 || question === undefined) {
      response.rcode = Rcode.FORMERR;
    } else if (question.type === RecordType.AXFR || question.type === IXFR) {
      response.rcode = Rcode.REFUSED; // zone transfers are not offered
    } else if (
      this.#forward !== undefined && question.class === RecordClass.IN &&
      this.#authority.findZone(question.name) === undefined
    ) {
      return this.#forwardQuery(question, response, udp);
    } else {
      const answer = this.#authority.lookup(question);
      response.rcode = answer.rcode;
      response.authoritative = answer.authoritative;
      response.answers = udp && question.type === RecordType.ANY
        ? minimalAnyAnswer(answer.answers)
        : answer.answers;
      response.authority = answer.authority;
      response.additional = answer.additional;
    }
    return response;
  }

  async #forwardQuery(
    question: Question,
    response: DNSMessage,
    udp: boolean,
  ): Promise<DNSMessage> {
    try {
      const upstream = await this.#forward!.queryMessage(question);
      response.rcode = upstream.rcode & 0xf;
      response.answers = udp && question.type === RecordType.ANY
        ? minimalAnyAnswer(upstream.answers)
        : upstream.answers;
      response.authority = upstream.authority;
      response.additional = upstream.additional;
    } catch (error) {
      const rcode = (error as { rcode?: unknown }).rcode;
      response.rcode = typeof rcode === "number" && rcode >= 0 && rcode < 16
        ? rcode
        : Rcode.SERVFAIL;
    }
    return response;
  }

  #encode(response: DNSMessage, query: DNSMessage, udp: boolean): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(response);
    } catch (error) {
      logger.error("could not encode the answer to {question}", {
        question: query.questions[0]?.name,
        error,
      });
      bytes = encodeMessage(
        withoutRecords(response, { rcode: Rcode.SERVFAIL }),
      );
    }
    if (udp && bytes.length > udpLimit(query, this.#maxUdpPayload)) {
      bytes = encodeMessage(withoutRecords(response, { truncated: true }));
    }
    return bytes;
  }

  /**
   * Serves DNS over TCP (RFC 7766): length-prefixed queries, answered in
   * order, until the peer closes or stays idle for `tcpIdleTimeout`.
   */
  handleConnection(
    conn: Connection,
    reactor: IReactorTime = defaultReactor,
  ): Promise<void> {
    const handler = this.#serveConnection(conn, reactor).finally(() =>
      this.#connections.delete(conn)
    );
    this.#connections.set(conn, handler);
    return handler;
  }

  async #serveConnection(
    conn: Connection,
    reactor: IReactorTime,
  ): Promise<void> {
    const idle = new Deadline<"idle">(reactor, () => conn.abort());
    // DNS never switches framing, so the core may decode a whole chunk ahead.
    const queries = new MessageReader(
      conn,
      new LengthPrefixedDecoderCore(TCP_FRAMING),
      { max: Infinity },
    );
    const encoder = new LengthPrefixedEncoderCore(TCP_FRAMING);
    try {
      idle.arm("idle", this.#tcpIdleTimeout);
      for (;;) {
        const query = queries.tryRead() ?? await queries.read();
        if (query === null) break;
        // Time spent answering (forwarding upstream) is not the peer's idling.
        idle.suspend();
        const response = await this.answer(query, { udp: false });
        if (response !== null) await conn.write(encoder.encode(response));
        idle.resume();
      }
      await conn.close();
    } catch {
      // The peer reset, went idle or sent a frame that is not DNS.
      conn.abort();
    } finally {
      idle.cancel();
    }
  }
}
