/**
 * The memcache client: memcached's text protocol, pipelined on one
 * connection (Twisted's `MemCacheProtocol`).
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  clientFromString,
  type EndpointReactor,
} from "../../reactor/endpoints/mod.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { ConnectionLostError } from "../../reactor/errors.ts";
import {
  type MemcacheItem,
  MemcacheResponseCore,
  type MemcacheResponsePart,
} from "./codec.ts";
import {
  InvalidKeyError,
  MalformedResponseError,
  MemcacheServerError,
  ValueTooLargeError,
} from "./errors.ts";
import {
  DEFAULT_MAX_VALUE_SIZE,
  MAX_KEY_LENGTH,
  type MemcacheLimits,
} from "./limits.ts";

const encoder = new TextEncoder();
const GET = encoder.encode("get ");
const GETS = encoder.encode("gets ");
// The size the outgoing buffer starts at and shrinks back to after a big
// value went out (a batch of gets fits many times over).
const OUTGOING_SIZE = 16 * 1024;

/**
 * Checks that `key` is one memcached takes: 1 to 250 bytes, no spaces, no
 * control characters.
 *
 * @throws {InvalidKeyError} When it is not.
 *
 * @example Usage
 * ```ts
 * import { validateKey } from "@spindle/spindle/protocols/memcache";
 * validateKey("user:42");
 * ```
 */
export function validateKey(key: string): void {
  if (key.length === 0) throw new InvalidKeyError(key, "is empty");
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x20\x7f]/.test(key)) {
    throw new InvalidKeyError(key, "holds a space or a control character");
  }
  // A UTF-8 character is at most 3 bytes per UTF-16 unit: short keys
  // need no encoding to be measured.
  if (
    key.length > MAX_KEY_LENGTH ||
    (key.length * 3 > MAX_KEY_LENGTH &&
      encoder.encode(key).length > MAX_KEY_LENGTH)
  ) {
    throw new InvalidKeyError(key, `is over ${MAX_KEY_LENGTH} bytes`);
  }
}

/**
 * Options of the storage commands.
 *
 * @example Usage
 * ```ts
 * import type { StoreOptions } from "@spindle/spindle/protocols/memcache";
 * const options: StoreOptions = { flags: 1, exptime: 60 };
 * console.assert(options.exptime === 60);
 * ```
 */
export interface StoreOptions {
  /** 32 bits stored with the value and returned by get; default 0. */
  flags?: number;
  /**
   * Expiry as memcached takes it: seconds from now (up to 30 days), a Unix
   * time beyond that, or 0 (the default) for never.
   */
  exptime?: number;
}

/**
 * The outcome of a `cas`: stored, someone else stored first (`EXISTS`), or
 * the key is gone.
 *
 * @example Usage
 * ```ts
 * import type { CasResult } from "@spindle/spindle/protocols/memcache";
 * const results: CasResult[] = ["STORED", "EXISTS", "NOT_FOUND"];
 * console.assert(results.length === 3);
 * ```
 */
export type CasResult = "STORED" | "EXISTS" | "NOT_FOUND";

// item: one key (resolves to the item or null); values: many keys (the
// items); line: a one-line reply; stats: STAT lines.
type Expect = "item" | "values" | "line" | "stats";

interface Request {
  expect: Expect;
  resolve(result: unknown): void;
  reject(error: unknown): void;
  item?: MemcacheItem;
  items?: MemcacheItem[];
  stats?: Map<string, string>;
}

/**
 * Options of {@linkcode MemcacheClient} and {@linkcode connectMemcache}.
 *
 * @example Usage
 * ```ts
 * import type { MemcacheClientOptions } from "@spindle/spindle/protocols/memcache";
 * const options: MemcacheClientOptions = { maxValueSize: 512 * 1024 };
 * console.assert(options.maxValueSize === 512 * 1024);
 * ```
 */
export interface MemcacheClientOptions extends MemcacheLimits {
  /** The reactor that parses the endpoint and connects; default: the default reactor. */
  reactor?: EndpointReactor;
}

/**
 * A memcached client over one connection. Commands are pipelined: each is
 * sent at once (the commands of one turn of the event loop in one write)
 * and the answers are matched in order, so many requests in flight cost
 * one round trip. Keys are checked ({@linkcode validateKey}) and values
 * limited to `maxValueSize`, before anything is sent.
 *
 * @example Usage
 * ```ts ignore
 * import { connectMemcache } from "@spindle/spindle/protocols/memcache";
 * const cache = await connectMemcache("tcp:127.0.0.1:11211");
 * await cache.set("greeting", "hello");
 * const item = await cache.get("greeting");
 * console.log(new TextDecoder().decode(item!.value));
 * await cache.close();
 * ```
 */
export class MemcacheClient {
  #conn: Connection;
  #core: MemcacheResponseCore;
  #maxValueSize: number;
  #queue: Request[] = [];
  #head = 0;
  // The commands of this turn, encoded back to back until the flush.
  #outgoing = new Uint8Array(OUTGOING_SIZE);
  #outgoingLength = 0;
  #flushing = false;
  #failure: unknown = undefined;
  #done: Promise<void>;
  // The latest request, answered after every earlier one (pipelining).
  #last: Promise<unknown> | undefined;

  /** A client over `conn`, connected to memcached; it starts reading at once. */
  constructor(conn: Connection, options: MemcacheLimits = {}) {
    this.#conn = conn;
    this.#maxValueSize = options.maxValueSize ?? DEFAULT_MAX_VALUE_SIZE;
    this.#core = new MemcacheResponseCore({ maxValueSize: this.#maxValueSize });
    this.#done = this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    const parts: MemcacheResponsePart[] = [];
    try {
      for (;;) {
        const chunk = await this.#conn.read();
        if (chunk === null) break;
        this.#core.decode(chunk, parts);
        for (let i = 0; i < parts.length; i++) this.#dispatch(parts[i]!);
        parts.length = 0;
      }
      this.#core.end(parts);
      this.#fail(new ConnectionLostError("memcached closed the connection"));
    } catch (error) {
      this.#fail(error);
      this.#conn.abort(error);
    }
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
    const pending = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    for (const request of pending) request.reject(this.#failure);
  }

  #dispatch(part: MemcacheResponsePart): void {
    const request = this.#queue[this.#head];
    if (request === undefined) {
      throw new MalformedResponseError(
        typeof part === "string" ? part : `VALUE ${part.key}`,
      );
    }
    if (typeof part !== "string") {
      if (request.expect !== "item" && request.expect !== "values") {
        throw new MalformedResponseError(`VALUE ${part.key}`);
      }
      if (request.expect === "item") request.item ??= part;
      else (request.items ??= []).push(part);
      return;
    }
    if (request.expect === "stats" && part.startsWith("STAT ")) {
      const space = part.indexOf(" ", 5);
      (request.stats ??= new Map()).set(
        part.slice(5, space === -1 ? undefined : space),
        space === -1 ? "" : part.slice(space + 1),
      );
      return;
    }
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (
      part === "ERROR" || part.startsWith("CLIENT_ERROR") ||
      part.startsWith("SERVER_ERROR")
    ) {
      request.reject(new MemcacheServerError(part));
      return;
    }
    switch (request.expect) {
      case "item":
        if (part !== "END") throw new MalformedResponseError(part);
        request.resolve(request.item ?? null);
        return;
      case "values":
        if (part !== "END") throw new MalformedResponseError(part);
        request.resolve(request.items ?? []);
        return;
      case "stats":
        if (part !== "END") throw new MalformedResponseError(part);
        request.resolve(request.stats ?? new Map());
        return;
      case "line":
        request.resolve(part);
    }
  }

  // Room for `size` more bytes in the outgoing buffer.
  #reserve(size: number): Uint8Array {
    const needed = this.#outgoingLength + size;
    if (needed > this.#outgoing.length) {
      const grown = new Uint8Array(Math.max(needed, this.#outgoing.length * 2));
      grown.set(this.#outgoing.subarray(0, this.#outgoingLength));
      this.#outgoing = grown;
    }
    return this.#outgoing;
  }

  #send<T>(expect: Expect, bytes?: Uint8Array): Promise<T> {
    if (this.#failure !== undefined) {
      // A get's command is encoded already: it must not go out later.
      this.#outgoingLength = 0;
      return Promise.reject(this.#failure);
    }
    if (bytes !== undefined) {
      this.#reserve(bytes.length).set(bytes, this.#outgoingLength);
      this.#outgoingLength += bytes.length;
    }
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#queue.push({
      expect,
      resolve: resolve as (r: unknown) => void,
      reject,
    });
    this.#last = promise;
    if (!this.#flushing) {
      this.#flushing = true;
      // The commands of this turn go out together, in one write.
      queueMicrotask(() => this.#flush());
    }
    return promise;
  }

  // Encodes `command` (such as "get ") and `key` and CRLF into the outgoing
  // buffer, checking the key on the way: the get path, with no string built
  // and no array allocated per request.
  #encodeKeyCommand(command: Uint8Array, key: string): void {
    const length = key.length;
    const start = this.#outgoingLength + command.length;
    const out = this.#reserve(command.length + length * 3 + 2);
    out.set(command, this.#outgoingLength);
    let end = start + length;
    let ascii = length > 0 && length <= MAX_KEY_LENGTH;
    for (let i = 0; ascii && i < length; i++) {
      const code = key.charCodeAt(i);
      if (code <= 0x20 || code >= 0x7f) ascii = false;
      else out[start + i] = code;
    }
    if (!ascii) {
      // Throws for a bad key; a good one is UTF-8 beyond ASCII.
      validateKey(key);
      end = start + encoder.encodeInto(key, out.subarray(start)).written;
    }
    out[end] = 13;
    out[end + 1] = 10;
    this.#outgoingLength = end + 2;
  }

  #flush(): void {
    this.#flushing = false;
    const bytes = this.#outgoing.slice(0, this.#outgoingLength);
    this.#outgoingLength = 0;
    if (this.#outgoing.length > OUTGOING_SIZE) {
      this.#outgoing = new Uint8Array(OUTGOING_SIZE);
    }
    if (bytes.length === 0) return;
    this.#conn.write(bytes).catch((error) => {
      this.#fail(error);
      this.#conn.abort(error);
    });
  }

  async #line(command: string): Promise<string> {
    return await this.#send<string>("line", encoder.encode(command));
  }

  /** The item of `key`, or `null` when there is none. */
  get(key: string): Promise<MemcacheItem | null> {
    // The hot path: no async wrapper, the request resolves to the item.
    try {
      this.#encodeKeyCommand(GET, key);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send("item");
  }

  /** The items of `keys` that exist, by key, in one request. */
  async getMulti(keys: readonly string[]): Promise<Map<string, MemcacheItem>> {
    return await this.#multi("get", keys);
  }

  /** The item of `key` with its CAS unique, or `null`. */
  gets(key: string): Promise<MemcacheItem | null> {
    try {
      this.#encodeKeyCommand(GETS, key);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send("item");
  }

  /** The items of `keys` with their CAS uniques, by key, in one request. */
  async getsMulti(keys: readonly string[]): Promise<Map<string, MemcacheItem>> {
    return await this.#multi("gets", keys);
  }

  async #multi(
    command: string,
    keys: readonly string[],
  ): Promise<Map<string, MemcacheItem>> {
    if (keys.length === 0) return new Map();
    for (const key of keys) validateKey(key);
    const items = await this.#send<MemcacheItem[]>(
      "values",
      encoder.encode(`${command} ${keys.join(" ")}\r\n`),
    );
    return new Map(items.map((item) => [item.key, item]));
  }

  #storage(
    command: string,
    key: string,
    value: Uint8Array | string,
    options: StoreOptions,
    cas?: string,
  ): Promise<string> {
    validateKey(key);
    const data = typeof value === "string" ? encoder.encode(value) : value;
    if (data.length > this.#maxValueSize) {
      throw new ValueTooLargeError(data.length, this.#maxValueSize);
    }
    const flags = options.flags ?? 0;
    const exptime = options.exptime ?? 0;
    if (!(Number.isInteger(flags) && flags >= 0 && flags < 2 ** 32)) {
      throw new RangeError(
        `flags must be a 32-bit unsigned integer, not ${flags}`,
      );
    }
    if (!Number.isInteger(exptime)) {
      throw new RangeError(
        `exptime must be an integer number of seconds, not ${exptime}`,
      );
    }
    const head = encoder.encode(
      `${command} ${key} ${flags} ${exptime} ${data.length}${
        cas === undefined ? "" : ` ${cas}`
      }\r\n`,
    );
    const bytes = new Uint8Array(head.length + data.length + 2);
    bytes.set(head);
    bytes.set(data, head.length);
    bytes.set([13, 10], head.length + data.length);
    return this.#send<string>("line", bytes);
  }

  async #stored(
    command: string,
    key: string,
    value: Uint8Array | string,
    options: StoreOptions,
  ): Promise<boolean> {
    const reply = await this.#storage(command, key, value, options);
    if (reply === "STORED") return true;
    if (reply === "NOT_STORED") return false;
    throw new MalformedResponseError(reply);
  }

  /** Stores `value` under `key`; resolves to whether it was stored. */
  set(
    key: string,
    value: Uint8Array | string,
    options: StoreOptions = {},
  ): Promise<boolean> {
    return this.#stored("set", key, value, options);
  }

  /** Stores `value` only if `key` has no value; resolves to whether it did. */
  add(
    key: string,
    value: Uint8Array | string,
    options: StoreOptions = {},
  ): Promise<boolean> {
    return this.#stored("add", key, value, options);
  }

  /** Stores `value` only if `key` has a value; resolves to whether it did. */
  replace(
    key: string,
    value: Uint8Array | string,
    options: StoreOptions = {},
  ): Promise<boolean> {
    return this.#stored("replace", key, value, options);
  }

  /** Adds `value` after the existing value of `key`; resolves to whether there was one. */
  append(key: string, value: Uint8Array | string): Promise<boolean> {
    return this.#stored("append", key, value, {});
  }

  /** Adds `value` before the existing value of `key`; resolves to whether there was one. */
  prepend(key: string, value: Uint8Array | string): Promise<boolean> {
    return this.#stored("prepend", key, value, {});
  }

  /**
   * Stores `value` under `key` only if its CAS unique is still `cas` (from
   * {@linkcode MemcacheClient.gets}).
   */
  async cas(
    key: string,
    value: Uint8Array | string,
    options: StoreOptions & { cas: string },
  ): Promise<CasResult> {
    if (!/^\d{1,20}$/.test(options.cas)) {
      throw new RangeError(
        `a CAS unique is a decimal number, not ${options.cas}`,
      );
    }
    const reply = await this.#storage("cas", key, value, options, options.cas);
    if (reply === "STORED" || reply === "EXISTS" || reply === "NOT_FOUND") {
      return reply;
    }
    throw new MalformedResponseError(reply);
  }

  async #found(command: string, expected: string): Promise<boolean> {
    const reply = await this.#line(command);
    if (reply === expected) return true;
    if (reply === "NOT_FOUND") return false;
    throw new MalformedResponseError(reply);
  }

  /** Deletes `key`; resolves to whether it existed. */
  delete(key: string): Promise<boolean> {
    validateKey(key);
    return this.#found(`delete ${key}\r\n`, "DELETED");
  }

  /** Sets a new expiry for `key`; resolves to whether it existed. */
  touch(key: string, exptime: number): Promise<boolean> {
    validateKey(key);
    if (!Number.isInteger(exptime)) {
      throw new RangeError("exptime must be an integer");
    }
    return this.#found(`touch ${key} ${exptime}\r\n`, "TOUCHED");
  }

  async #counter(
    command: string,
    key: string,
    delta: number | bigint,
  ): Promise<bigint | null> {
    validateKey(key);
    const by = BigInt(delta);
    if (by < 0n || by >= 2n ** 64n) {
      throw new RangeError(
        `the delta must be from 0 to 2^64 - 1, not ${delta}`,
      );
    }
    const reply = await this.#line(`${command} ${key} ${by}\r\n`);
    if (reply === "NOT_FOUND") return null;
    if (!/^\d{1,20}$/.test(reply)) throw new MalformedResponseError(reply);
    return BigInt(reply);
  }

  /** Adds `delta` (default 1) to the counter `key`; resolves to the new value, or `null` if none. */
  incr(key: string, delta: number | bigint = 1): Promise<bigint | null> {
    return this.#counter("incr", key, delta);
  }

  /** Takes `delta` (default 1) from the counter `key` (not below 0); the new value, or `null`. */
  decr(key: string, delta: number | bigint = 1): Promise<bigint | null> {
    return this.#counter("decr", key, delta);
  }

  /** The server's statistics (`stats`, or `stats ARG` such as `"slabs"`), by name. */
  stats(arg?: string): Promise<Map<string, string>> {
    if (arg !== undefined && !/^[a-z_ ]{1,32}$/.test(arg)) {
      throw new RangeError(`stats takes a word such as "slabs", not ${arg}`);
    }
    return this.#send(
      "stats",
      encoder.encode(arg === undefined ? "stats\r\n" : `stats ${arg}\r\n`),
    );
  }

  /** Invalidates every item, now or in `delay` seconds. */
  async flushAll(delay?: number): Promise<void> {
    const reply = await this.#line(
      delay === undefined
        ? "flush_all\r\n"
        : `flush_all ${Math.trunc(delay)}\r\n`,
    );
    if (reply !== "OK") throw new MalformedResponseError(reply);
  }

  /** The server's version string. */
  async version(): Promise<string> {
    const reply = await this.#line("version\r\n");
    if (!reply.startsWith("VERSION ")) throw new MalformedResponseError(reply);
    return reply.slice(8);
  }

  /** Closes the connection once the requests in flight are answered. */
  async close(): Promise<void> {
    await this.#last?.catch(() => {});
    await this.#conn.close();
    await this.#done;
  }
}

/**
 * Connects to memcached at `endpoint` (a client endpoint string, default
 * `tcp:127.0.0.1:11211`) and returns a {@linkcode MemcacheClient}.
 *
 * @example Usage
 * ```ts ignore
 * import { connectMemcache } from "@spindle/spindle/protocols/memcache";
 * const cache = await connectMemcache("tcp:127.0.0.1:11211");
 * console.log(await cache.version());
 * await cache.close();
 * ```
 */
export async function connectMemcache(
  endpoint = "tcp:127.0.0.1:11211",
  options: MemcacheClientOptions = {},
): Promise<MemcacheClient> {
  const conn = await clientFromString(
    options.reactor ?? defaultReactor,
    endpoint,
  )
    .connect();
  conn.setNoDelay(true);
  return new MemcacheClient(conn, options);
}
