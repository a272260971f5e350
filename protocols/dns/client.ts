/**
 * The DNS client: asks servers over UDP (retrying with growing timeouts, then
 * over TCP when an answer is truncated) and turns responses into Twisted's
 * `{ answers, authority, additional }` or typed errors.
 *
 * @module
 */
import { Deferred } from "../../deferred/mod.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { TimerScheduler } from "../../reactor/delayed_call.ts";
import { Rcode, RecordClass, RecordType } from "./constants.ts";
import {
  DNSFormatError,
  DNSNameError,
  DNSQueryTimeoutError,
  DNSServerError,
} from "./errors.ts";
import type { DNSMessage, Question, ResourceRecord } from "./message.ts";
import { createMessage } from "./message.ts";
import { nameKey } from "./name.ts";
import { decodeMessage, encodeMessage } from "./wire.ts";

/**
 * What a lookup resolves to (Twisted's `(answers, authority, additional)`).
 *
 * @example Usage
 * ```ts
 * import { type DNSResult } from "@spindle/spindle/protocols/dns";
 * const empty: DNSResult = { answers: [], authority: [], additional: [] };
 * console.assert(empty.answers.length === 0);
 * ```
 */
export interface DNSResult {
  /** The answer section. */
  answers: ResourceRecord[];
  /** The authority section. */
  authority: ResourceRecord[];
  /** The additional section. */
  additional: ResourceRecord[];
}

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
 * Options of {@linkcode DNSClient}.
 *
 * @example Usage
 * ```ts
 * import { DNSClient, type DNSClientOptions } from "@spindle/spindle/protocols/dns";
 * const options: DNSClientOptions = { servers: ["127.0.0.1:5353"], timeouts: [500, 2000] };
 * console.assert(new DNSClient(options).droppedResponses === 0);
 * ```
 */
export interface DNSClientOptions {
  /** The servers, tried in turn; `"127.0.0.1:5353"` strings or objects. */
  servers: Array<string | DNSServerAddress>;
  /** Milliseconds to wait for each UDP try; their number is the number of tries. Default `[1000, 3000, 11000]`. */
  timeouts?: number[];
  /** The time source for timeouts (a fake `Clock` in tests). Default: real time. */
  clock?: IReactorTime;
  /** Milliseconds a TCP exchange may take. Default 10,000. */
  tcpTimeout?: number;
  /** The EDNS UDP payload size to advertise; 0 sends no OPT record. Default 1232. */
  ednsPayloadSize?: number;
}

/**
 * The common lookups; both {@linkcode DNSClient} and `Resolver` offer them.
 *
 * @example Usage
 * ```ts
 * import { createResolver, DNSClient, type DNSLookups } from "@spindle/spindle/protocols/dns";
 * const lookups: DNSLookups[] = [
 *   new DNSClient({ servers: ["127.0.0.1:5353"] }),
 *   createResolver({ servers: ["127.0.0.1:5353"] }),
 * ];
 * console.assert(lookups.length === 2);
 * ```
 */
export interface DNSLookups {
  /** Asks for `type` records of `name`. */
  query(name: string, type: number): Deferred<DNSResult>;
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
export class DNSClient implements DNSLookups {
  #servers: Required<DNSServerAddress>[];
  #timeouts: number[];
  #clock: IReactorTime;
  #tcpTimeout: number;
  #ednsPayloadSize: number;
  #dropped = 0;

  /** A client for `options.servers`. */
  constructor(options: DNSClientOptions) {
    if (options.servers.length === 0) {
      throw new TypeError("a DNS client needs at least one server");
    }
    this.#servers = options.servers.map(parseServer);
    this.#timeouts = options.timeouts ?? [1000, 3000, 11000];
    this.#clock = options.clock ?? new TimerScheduler();
    this.#tcpTimeout = options.tcpTimeout ?? 10_000;
    this.#ednsPayloadSize = options.ednsPayloadSize ?? 1232;
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
    const query = createMessage({
      id: randomId(),
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
    let tries = 0;
    for (const timeout of this.#timeouts) {
      for (const server of this.#servers) {
        tries++;
        query.id = randomId();
        let response = await this.#udpExchange(query, server, timeout);
        if (response === null) continue;
        if (
          query.edns !== undefined && response.edns === undefined &&
          (response.rcode === Rcode.FORMERR || response.rcode === Rcode.NOTIMP)
        ) {
          // A server from before EDNS (RFC 6891 §7): ask it again without OPT.
          delete query.edns;
          query.id = randomId();
          response = await this.#udpExchange(query, server, timeout);
          if (response === null) continue;
        }
        if (response.truncated) {
          query.id = randomId();
          return await this.#tcpExchange(query, server);
        }
        return response;
      }
    }
    throw new DNSQueryTimeoutError(
      `no answer for ${question.name} type ${question.type} after ${tries} tries: check that the servers are reachable`,
    );
  }

  async #udpExchange(
    query: DNSMessage,
    server: Required<DNSServerAddress>,
    timeout: number,
  ): Promise<DNSMessage | null> {
    const hostname = server.hostname.includes(":") ? "::" : "0.0.0.0";
    // A fresh socket per try: a random source port from the system (RFC 5452).
    const socket = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
    const timer = this.#clock.callLater(timeout, () => socket.close());
    try {
      await socket.send(encodeMessage(query), {
        transport: "udp",
        hostname: server.hostname,
        port: server.port,
      });
      for (;;) {
        const [data, from] = await socket.receive();
        const addr = from as Deno.NetAddr;
        if (
          addr.port !== server.port || !sameHost(addr.hostname, server.hostname)
        ) {
          this.#dropped++;
          continue;
        }
        let response: DNSMessage;
        try {
          response = decodeMessage(data);
        } catch (error) {
          if (!(error instanceof DNSFormatError)) throw error;
          this.#dropped++;
          continue;
        }
        if (!matches(response, query)) {
          this.#dropped++;
          continue;
        }
        return response;
      }
    } catch (error) {
      if (!timer.active()) return null; // timed out: the socket was closed
      throw error;
    } finally {
      if (timer.active()) {
        timer.cancel();
        socket.close();
      }
    }
  }

  async #tcpExchange(
    query: DNSMessage,
    server: Required<DNSServerAddress>,
  ): Promise<DNSMessage> {
    const conn = await Deno.connect({
      transport: "tcp",
      hostname: server.hostname,
      port: server.port,
    });
    const timer = this.#clock.callLater(this.#tcpTimeout, () => conn.close());
    try {
      const framed = encodeMessage(query, { lengthPrefix: true });
      let written = 0;
      while (written < framed.length) {
        written += await conn.write(framed.subarray(written));
      }
      const header = await readExactly(conn, 2);
      const body = await readExactly(conn, (header[0]! << 8) | header[1]!);
      const response = decodeMessage(body, { allowTruncated: false });
      if (!matches(response, query)) {
        this.#dropped++;
        throw new DNSServerError(
          `${server.hostname}:${server.port} answered over TCP with a response to another query`,
          -1,
        );
      }
      return response;
    } catch (error) {
      if (!timer.active()) {
        throw new DNSQueryTimeoutError(
          `no TCP answer from ${server.hostname}:${server.port} within ${this.#tcpTimeout} ms`,
        );
      }
      throw error;
    } finally {
      if (timer.active()) {
        timer.cancel();
        conn.close();
      }
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

  /** A records of `name`. */
  lookupAddress(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.A);
  }

  /** AAAA records of `name`. */
  lookupIPV6Address(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.AAAA);
  }

  /** MX records of `name`. */
  lookupMailExchange(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.MX);
  }

  /** TXT records of `name`. */
  lookupText(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.TXT);
  }

  /** SRV records of `name` (`_service._proto.domain`). */
  lookupService(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.SRV);
  }

  /** NS records of `name`. */
  lookupNameservers(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.NS);
  }

  /** PTR records of `name` (`1.2.0.192.in-addr.arpa`). */
  lookupPointer(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.PTR);
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

async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const read = await conn.read(out.subarray(got));
    if (read === null) {
      throw new DNSServerError(
        "the server closed the TCP connection before answering",
        -1,
      );
    }
    got += read;
  }
  return out;
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
