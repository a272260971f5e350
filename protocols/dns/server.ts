/**
 * The authoritative DNS server: answers from zones over UDP and TCP on the
 * same port, optionally forwarding other names upstream.
 *
 * @module
 */
import { getLogger } from "../../log/mod.ts";
import type { Deferred } from "../../deferred/deferred.ts";
import type {
  Connection,
  ConnectionFactory,
  DatagramHandler,
  DatagramTransport,
  ListeningPort,
  ListenTCPOptions,
  ListenUDPOptions,
  Reactor,
} from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { AddressInUseError } from "../../reactor/errors.ts";
import {
  LengthPrefixedDecoderCore,
  LengthPrefixedEncoderCore,
  type LengthPrefixedOptions,
} from "../basic/length_prefixed.ts";
import { Opcode, Rcode, RecordClass, RecordType } from "./constants.ts";
import { DNSFormatError } from "./errors.ts";
import type { DNSMessage, EDNS, Question } from "./message.ts";
import { decodeMessage, encodeMessage, MAX_MESSAGE_SIZE } from "./wire.ts";
import { type Zone, ZoneAuthority } from "./zone.ts";

const logger = getLogger("spindle.dns.server");

const TCP_FRAMING: LengthPrefixedOptions = {
  prefixLength: 2,
  maxLength: MAX_MESSAGE_SIZE,
};

/**
 * The classic UDP payload limit without EDNS (RFC 1035 §4.2.1).
 *
 * @example Usage
 * ```ts
 * import { CLASSIC_UDP_SIZE } from "@spindle/spindle/protocols/dns";
 * console.assert(CLASSIC_UDP_SIZE === 512);
 * ```
 */
export const CLASSIC_UDP_SIZE = 512;

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
 * Options of {@linkcode DNSServerFactory}.
 *
 * @example Usage
 * ```ts
 * import { DNSServerFactory, type DNSServerOptions } from "@spindle/spindle/protocols/dns";
 * const options: DNSServerOptions = { zones: [], maxUdpPayload: 1400, tcpIdleTimeout: 5000 };
 * console.assert(new DNSServerFactory(options).authority.zones.length === 0);
 * ```
 */
export interface DNSServerOptions {
  /** The zones to serve authoritatively. */
  zones: Iterable<Zone>;
  /**
   * Answers names outside the zones through this upstream (forwarding mode).
   * Without it, such names get REFUSED: the server is not an open resolver.
   */
  forward?: DNSForwarder;
  /** The UDP payload size the server advertises and caps EDNS clients at. Default 1232. */
  maxUdpPayload?: number;
  /** Encoded answers kept for repeated questions. Default 10,000 (0 turns the cache off). */
  answerCacheSize?: number;
  /** Milliseconds a TCP connection may sit idle between queries. Default 10,000. */
  tcpIdleTimeout?: number;
}

/**
 * Answers DNS queries from zones: the protocol logic, free of sockets.
 * {@linkcode DNSServerFactory.answer} takes a query's bytes and returns the
 * response's bytes; {@linkcode DNSServerFactory.handleConnection} serves DNS
 * over TCP on a {@linkcode Connection}, so the factory can be given to
 * `listenTCP`. {@linkcode serveDNS} puts it on a UDP and a TCP socket.
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
 * const factory = new DNSServerFactory({ zones: [zone] });
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
  #cacheSize: number;
  #cache: Map<string, Uint8Array> = new Map();
  #tcpIdleTimeout: number;
  /** The open TCP connections and the promises of their handlers. */
  #connections: Map<Connection, Promise<void>> = new Map();

  /** Serves `options.zones`. */
  constructor(options: DNSServerOptions) {
    this.#authority = new ZoneAuthority(options.zones);
    this.#forward = options.forward;
    this.#maxUdpPayload = Math.max(
      CLASSIC_UDP_SIZE,
      options.maxUdpPayload ?? 1232,
    );
    this.#cacheSize = options.answerCacheSize ?? 10_000;
    this.#tcpIdleTimeout = options.tcpIdleTimeout ?? 10_000;
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
   */
  answer(
    query: Uint8Array,
    transport: { udp: boolean },
  ): Uint8Array | null | Promise<Uint8Array | null> {
    const key = this.#cacheSize > 0 ? cacheKey(query, transport.udp) : null;
    if (key !== null) {
      const cached = this.#cache.get(key);
      if (cached !== undefined) return patch(cached, query);
    }
    let message: DNSMessage;
    try {
      message = decodeMessage(query, { allowTruncated: false });
    } catch (error) {
      if (!(error instanceof DNSFormatError)) throw error;
      return formatErrorResponse(query);
    }
    if (message.response) return null;
    const response = this.#respond(message);
    if (response instanceof Promise) {
      return response.then((r) => this.#encode(r, message, transport.udp));
    }
    const bytes = this.#encode(response, message, transport.udp);
    if (key !== null && bytes !== null) {
      if (this.#cache.size >= this.#cacheSize) this.#cache.clear();
      this.#cache.set(key, bytes);
    }
    return bytes;
  }

  #respond(query: DNSMessage): DNSMessage | Promise<DNSMessage> {
    const response: DNSMessage = {
      id: query.id,
      response: true,
      opcode: query.opcode,
      authoritative: false,
      truncated: false,
      recursionDesired: query.recursionDesired,
      recursionAvailable: this.#forward !== undefined,
      authenticData: false,
      checkingDisabled: query.checkingDisabled,
      rcode: Rcode.NOERROR,
      questions: query.questions,
      answers: [],
      authority: [],
      additional: [],
    };
    if (query.edns !== undefined) {
      response.edns = {
        udpPayloadSize: this.#maxUdpPayload,
        version: 0,
        dnssecOk: query.edns.dnssecOk,
        options: [],
      } satisfies EDNS;
      if (query.edns.version > 0) {
        response.rcode = Rcode.BADVERS;
        return response;
      }
    }
    if (query.opcode !== Opcode.QUERY) {
      response.rcode = Rcode.NOTIMP;
      return response;
    }
    const question = query.questions[0];
    if (query.questions.length !== 1 || question === undefined) {
      response.rcode = Rcode.FORMERR;
      return response;
    }
    if (question.type === RecordType.AXFR || question.type === 251) {
      response.rcode = Rcode.REFUSED; // zone transfers are not offered
      return response;
    }
    const zone = this.#authority.findZone(question.name);
    if (
      zone === undefined && this.#forward !== undefined &&
      question.class === RecordClass.IN
    ) {
      return this.#forwardQuery(question, response);
    }
    const answer = this.#authority.lookup(question);
    response.rcode = answer.rcode;
    response.authoritative = answer.authoritative;
    response.answers = answer.answers;
    response.authority = answer.authority;
    response.additional = answer.additional;
    return response;
  }

  async #forwardQuery(
    question: Question,
    response: DNSMessage,
  ): Promise<DNSMessage> {
    try {
      const upstream = await this.#forward!.queryMessage(question);
      response.rcode = upstream.rcode & 0xf;
      response.answers = upstream.answers;
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

  #encode(
    response: DNSMessage,
    query: DNSMessage,
    udp: boolean,
  ): Uint8Array | null {
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(response);
    } catch (error) {
      logger.error("could not encode the answer to {question}", {
        question: query.questions[0]?.name,
        error,
      });
      bytes = encodeMessage({
        ...response,
        rcode: Rcode.SERVFAIL,
        answers: [],
        authority: [],
        additional: [],
      });
    }
    if (udp) {
      const limit = query.edns === undefined ? CLASSIC_UDP_SIZE : Math.min(
        this.#maxUdpPayload,
        Math.max(CLASSIC_UDP_SIZE, query.edns.udpPayloadSize),
      );
      if (bytes.length > limit) {
        bytes = encodeMessage({
          ...response,
          truncated: true,
          answers: [],
          authority: [],
          additional: [],
        });
      }
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
    let idle: DelayedCallLike | undefined;
    const clearIdle = () => {
      if (idle?.active()) idle.cancel();
    };
    const armIdle = () => {
      clearIdle();
      idle = reactor.callLater(this.#tcpIdleTimeout, () => conn.abort());
    };
    // DNS over TCP: each message behind a 16-bit length (RFC 1035 §4.2.2).
    const decoder = new LengthPrefixedDecoderCore(TCP_FRAMING);
    const encoder = new LengthPrefixedEncoderCore(TCP_FRAMING);
    const queries: Uint8Array[] = [];
    try {
      armIdle();
      for (;;) {
        const chunk = await conn.read();
        if (chunk === null) break;
        decoder.decode(chunk, queries);
        for (const query of queries) {
          clearIdle();
          const response = await this.answer(query, { udp: false });
          if (response !== null) await conn.write(encoder.encode(response));
          armIdle();
        }
        queries.length = 0;
      }
      await conn.close();
    } catch {
      // The peer reset or went idle: nothing to answer any more.
      conn.abort();
    } finally {
      clearIdle();
    }
  }
}

type DelayedCallLike = { active(): boolean; cancel(): void };

/**
 * A key naming everything a query's answer depends on except its ID and the
 * case of its question name: the bytes after the ID with the name lowered.
 * `null` when the query is not a plain one-question query with an
 * uncompressed name.
 */
function cacheKey(query: Uint8Array, udp: boolean): string | null {
  const n = query.length;
  if (n < 17 || n > 512) return null;
  // QR=0, opcode QUERY, one question, no answers or authority.
  if ((query[2]! & 0xf8) !== 0 || query[4] !== 0 || query[5] !== 1) return null;
  if (query[6] !== 0 || query[7] !== 0 || query[8] !== 0 || query[9] !== 0) {
    return null;
  }
  let key = udp ? "u" : "t";
  key += String.fromCharCode(query[2]!, query[3]!, query[10]!, query[11]!);
  let pos = 12;
  for (;;) {
    if (pos >= n) return null;
    const length = query[pos]!;
    if (length === 0) break;
    if (length > 63) return null;
    key += String.fromCharCode(length);
    const end = pos + 1 + length;
    if (end > n) return null;
    for (let i = pos + 1; i < end; i++) {
      const b = query[i]!;
      key += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
    }
    pos = end;
  }
  for (let i = pos; i < n; i++) key += String.fromCharCode(query[i]!);
  return key;
}

/** A cached response with the query's ID and question name (its case) put in. */
function patch(cached: Uint8Array, query: Uint8Array): Uint8Array {
  const out = cached.slice();
  out[0] = query[0]!;
  out[1] = query[1]!;
  let pos = 12;
  while (query[pos] !== 0) pos += query[pos]! + 1;
  out.set(query.subarray(12, pos), 12);
  return out;
}

/** FORMERR for a query that did not decode, if its header can be read. */
function formatErrorResponse(query: Uint8Array): Uint8Array | null {
  if (query.length < 12 || (query[2]! & 0x80) !== 0) return null;
  const out = new Uint8Array(12);
  out[0] = query[0]!;
  out[1] = query[1]!;
  out[2] = 0x80 | (query[2]! & 0x79); // QR, the opcode and RD
  out[3] = Rcode.FORMERR;
  return out;
}

/**
 * Twisted's `DNSDatagramProtocol`: serves a {@linkcode DNSServerFactory} on a
 * UDP port; give it to a reactor's `listenUDP`.
 *
 * @example Usage
 * ```ts
 * import { DNSDatagramProtocol, DNSServerFactory, Zone } from "@spindle/spindle/protocols/dns";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 * const zone = Zone.parse("@ 60 IN SOA ns hm 1 60 60 60 60\n", { origin: "example.org" });
 * const reactor = new DenoReactor();
 * const port = await reactor.listenUDP(
 *   0,
 *   new DNSDatagramProtocol(new DNSServerFactory({ zones: [zone] })),
 *   { interface: "127.0.0.1" },
 * );
 * await port.stopListening();
 * ```
 */
export class DNSDatagramProtocol implements DatagramHandler {
  #factory: DNSServerFactory;
  #transport: DatagramTransport | undefined;
  static #udp = { udp: true };

  /** Answers datagrams with `factory`. */
  constructor(factory: DNSServerFactory) {
    this.#factory = factory;
  }

  /** Keeps the port to send answers with. */
  makeConnection(transport: DatagramTransport): void {
    this.#transport = transport;
  }

  /** Answers one query; forwarded answers are sent when upstream replies. */
  datagramReceived(data: Uint8Array, addr: Deno.NetAddr): void {
    const transport = this.#transport;
    if (transport === undefined) return;
    const response = this.#factory.answer(data, DNSDatagramProtocol.#udp);
    if (response instanceof Promise) {
      response.then((bytes) => {
        if (bytes !== null) return transport.write(bytes, addr);
      }).catch(ignoreSendError);
    } else if (response !== null) {
      transport.write(response, addr).catch(ignoreSendError);
    }
  }
}

/** An ICMP error from an earlier send, or a port closed meanwhile: the peer can retry. */
function ignoreSendError(): void {}

/**
 * The reactor features {@linkcode serveDNS} uses.
 *
 * @example Usage
 * ```ts
 * import { type DNSReactor } from "@spindle/spindle/protocols/dns";
 * import { reactor } from "@spindle/spindle/reactor";
 * const dnsReactor: DNSReactor = reactor;
 * console.assert(typeof dnsReactor.listenUDP === "function");
 * ```
 */
export interface DNSReactor extends Reactor {
  /** Binds a UDP port (see `DenoReactor.listenUDP`). */
  listenUDP(
    port: number,
    handler: DatagramHandler,
    options?: ListenUDPOptions,
  ): Deferred<DatagramTransport>;
}

/**
 * Where {@linkcode serveDNS} listens.
 *
 * @example Usage
 * ```ts
 * import { type DNSListenOptions } from "@spindle/spindle/protocols/dns";
 * const listen: DNSListenOptions = { port: 5353, hostname: "127.0.0.1" };
 * console.assert(listen.port === 5353);
 * ```
 */
export interface DNSListenOptions {
  /** The port for both UDP and TCP; 0 picks a free one (the same for both). */
  port: number;
  /** The address to bind. Default `"127.0.0.1"`. */
  hostname?: string;
  /**
   * Share the port between processes, for `--workers`: TCP connections are
   * spread over them (SO_REUSEPORT). Deno offers only SO_REUSEADDR for UDP,
   * so every process can bind the port but the kernel hands each datagram to
   * one of them (the last one bound that is still running).
   */
  reusePort?: boolean;
}

/**
 * Options of {@linkcode serveDNS}.
 *
 * @example Usage
 * ```ts
 * import { type ServeDNSOptions } from "@spindle/spindle/protocols/dns";
 * const options: ServeDNSOptions = { zones: [], listen: { port: 0 } };
 * console.assert(options.listen.port === 0);
 * ```
 */
export interface ServeDNSOptions extends DNSServerOptions {
  /** Where to listen (UDP and TCP on the same port). */
  listen: DNSListenOptions;
  /** The reactor to listen with. Default: the module's default reactor. */
  reactor?: DNSReactor;
}

/**
 * A running DNS server.
 *
 * @example Usage
 * ```ts
 * import { serveDNS, type DNSServer } from "@spindle/spindle/protocols/dns";
 * const server: DNSServer = await serveDNS({ zones: [], listen: { port: 0 } });
 * console.assert(server.hostname === "127.0.0.1");
 * await server.close();
 * ```
 */
export interface DNSServer {
  /** The bound hostname. */
  readonly hostname: string;
  /** The bound port (UDP and TCP). */
  readonly port: number;
  /** The protocol logic. */
  readonly factory: DNSServerFactory;
  /** Stops both listeners and closes open TCP connections. */
  close(): Promise<void>;
}

/**
 * Serves zones over UDP and TCP on the same port.
 *
 * @example Usage
 * ```ts
 * import { serveDNS, Zone } from "@spindle/spindle/protocols/dns";
 * const zone = Zone.parse("@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300\n", {
 *   origin: "example.org",
 * });
 * const server = await serveDNS({ zones: [zone], listen: { port: 0 } });
 * console.assert(server.port > 0);
 * await server.close();
 * ```
 */
export async function serveDNS(options: ServeDNSOptions): Promise<DNSServer> {
  const reactor = options.reactor ?? defaultReactor;
  const factory = new DNSServerFactory(options);
  const hostname = options.listen.hostname ?? "127.0.0.1";
  const tcpOptions: ListenTCPOptions = {
    interface: hostname,
    reusePort: options.listen.reusePort,
  };
  // Port 0: UDP picks a free port, then TCP takes the same one (retrying if TCP's is taken).
  for (let attempt = 0;; attempt++) {
    const udp = await reactor.listenUDP(
      options.listen.port,
      new DNSDatagramProtocol(factory),
      {
        interface: hostname,
        maxPacketSize: 65535,
        reuseAddress: options.listen.reusePort,
      },
    );
    const port = udp.getHost().port;
    let tcp: ListeningPort;
    try {
      tcp = await reactor.listenTCP(port, factory, tcpOptions);
    } catch (error) {
      await udp.stopListening();
      if (
        error instanceof AddressInUseError && options.listen.port === 0 &&
        attempt < 20
      ) continue;
      throw error;
    }
    let closed: Promise<void> | undefined;
    return {
      hostname,
      port,
      factory,
      close() {
        closed ??= Promise.all([
          udp.stopListening().asPromise(),
          tcp.stopListening().asPromise(),
        ]).then(() => factory.closeConnections());
        return closed;
      },
    };
  }
}
