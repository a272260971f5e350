/**
 * The connection protocol (RFC 4254): channels multiplexed over one
 * transport, each with window flow control in both directions (a reader that
 * does not read stalls its own channel only), channel requests, and global
 * requests (answering `keepalive@openssh.com`).
 *
 * @module
 */
import { MSG, OPEN_FAILURE } from "./constants.ts";
import { ChannelOpenError, SSHError, SSHProtocolError } from "./errors.ts";
import {
  DEFAULT_MAX_CHANNEL_PACKET,
  DEFAULT_MAX_CHANNELS,
  DEFAULT_WINDOW_SIZE,
} from "./limits.ts";
import type { SSHTransport } from "./transport.ts";
import { SSHReader, SSHWriter } from "./wire.ts";

// Bytes queued on the transport above which a channel writer waits for its
// packet to be written: enough to keep the pipe full, bounded per connection.
const TRANSPORT_HIGH_WATER = 1024 * 1024;

/**
 * A request on a channel (RFC 4254 §5.4): its type, whether the peer wants
 * an answer, and a reader over its type-specific data.
 *
 * @example Usage
 * ```ts
 * import { SSHReader, type ChannelRequest } from "@spindle/spindle/protocols/ssh";
 * const request: ChannelRequest = { type: "exec", wantReply: true, data: new SSHReader(new Uint8Array(0)) };
 * console.assert(request.type === "exec");
 * ```
 */
export interface ChannelRequest {
  /** The request type: `exec`, `pty-req`, `exit-status`, ... */
  type: string;
  /** Whether the peer waits for CHANNEL_SUCCESS or CHANNEL_FAILURE. */
  wantReply: boolean;
  /** The request's own data, positioned after the common fields. */
  data: SSHReader;
}

/**
 * A channel open request from the peer (RFC 4254 §5.1).
 *
 * @example Usage
 * ```ts
 * import { SSHReader, type ChannelOpenRequest } from "@spindle/spindle/protocols/ssh";
 * const open: ChannelOpenRequest = { type: "session", data: new SSHReader(new Uint8Array(0)) };
 * console.assert(open.type === "session");
 * ```
 */
export interface ChannelOpenRequest {
  /** The channel type: `session`, `direct-tcpip`, ... */
  type: string;
  /** A reader over the type-specific data. */
  data: SSHReader;
}

/**
 * Decides on a channel the peer opens: returns a function that runs it once
 * open, or throws {@linkcode ChannelOpenError} to refuse it.
 *
 * @example Usage
 * ```ts
 * import { ChannelOpenError, type ChannelOpener } from "@spindle/spindle/protocols/ssh";
 * const refuseAll: ChannelOpener = (open) => {
 *   throw new ChannelOpenError(3, `no ${open.type} channels here`);
 * };
 * ```
 */
export type ChannelOpener = (
  open: ChannelOpenRequest,
) =>
  | ((channel: Channel) => void | Promise<void>)
  | Promise<(channel: Channel) => void | Promise<void>>;

/**
 * Answers a global request of `name` whose data `data` holds: resolves to
 * the reply's data, or `null` to refuse.
 *
 * @example Usage
 * ```ts
 * import type { GlobalRequestHandler } from "@spindle/spindle/protocols/ssh";
 * const refuseAll: GlobalRequestHandler = () => null;
 * ```
 */
export type GlobalRequestHandler = (
  name: string,
  data: SSHReader,
) => Uint8Array | null | Promise<Uint8Array | null>;

/**
 * The options of {@linkcode ChannelMux}.
 *
 * @example Usage
 * ```ts
 * import type { ChannelMuxOptions } from "@spindle/spindle/protocols/ssh";
 * const options: ChannelMuxOptions = { maxChannels: 8 };
 * console.assert(options.maxChannels === 8);
 * ```
 */
export interface ChannelMuxOptions {
  /** Each channel's receive window; {@linkcode DEFAULT_WINDOW_SIZE} by default. */
  windowSize?: number;
  /** The largest data packet we accept; {@linkcode DEFAULT_MAX_CHANNEL_PACKET} by default. */
  maxPacket?: number;
  /** The most channels open at once; {@linkcode DEFAULT_MAX_CHANNELS} by default. */
  maxChannels?: number;
  /** Decides on channels the peer opens; all are refused by default. */
  onOpen?: ChannelOpener;
  /**
   * Answers the peer's global requests (RFC 4254 §4) other than keepalives:
   * the reply's data, or `null` to refuse. All are refused by default.
   */
  onGlobalRequest?: GlobalRequestHandler;
}

/**
 * One channel: its data as standard streams (`readable`, `writable`, and
 * `stderr` / `stderrWritable` for extended data), requests both ways, EOF
 * and close.
 *
 * @example Usage
 * ```ts ignore
 * const channel = await mux.open("session");
 * await channel.request("exec", true, new SSHWriter().string("date").finish());
 * for await (const chunk of channel.readable) console.log(chunk);
 * ```
 */
export class Channel {
  /** Our channel number. */
  readonly localId: number;
  /** The channel type. */
  readonly type: string;
  /** Data from the peer; reading it opens the window again. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Extended data (stderr) from the peer. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Data to the peer; closing it sends EOF. */
  readonly writable: WritableStream<Uint8Array>;
  /** Extended data (stderr) to the peer. */
  readonly stderrWritable: WritableStream<Uint8Array>;
  /** Handles the peer's requests; answers `false` by default. */
  onRequest: (request: ChannelRequest) => boolean | Promise<boolean> = () =>
    false;
  readonly #mux: ChannelMux;
  #remoteId = 0;
  #remoteWindow = 0;
  #remoteMaxPacket = 0;
  #windowWaiter: PromiseWithResolvers<void> | null = null;
  #localWindow: number;
  #consumed = 0;
  readonly #windowSize: number;
  readonly #data = new Inbox();
  readonly #extended = new Inbox();
  #replies: PromiseWithResolvers<boolean>[] = [];
  #sentEOF = false;
  #sentClose = false;
  #gotClose = false;
  #closed = Promise.withResolvers<void>();
  #writeLock: Promise<void> = Promise.resolve();

  /** @internal Made by {@linkcode ChannelMux}. */
  constructor(
    mux: ChannelMux,
    localId: number,
    type: string,
    windowSize: number,
  ) {
    this.#mux = mux;
    this.localId = localId;
    this.type = type;
    this.#windowSize = windowSize;
    this.#localWindow = windowSize;
    this.readable = this.#data.stream((n) => this.#onConsumed(n));
    this.stderr = this.#extended.stream((n) => this.#onConsumed(n));
    this.writable = new WritableStream({
      write: (chunk) => this.write(chunk),
      close: () => this.eof(),
      abort: () => this.close(),
    });
    this.stderrWritable = new WritableStream({
      write: (chunk) => this.write(chunk, 1),
    });
  }

  /** Resolves once both sides have closed the channel. */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /** @internal Records the peer's side once the open is confirmed. */
  confirm(remoteId: number, window: number, maxPacket: number): void {
    this.#remoteId = remoteId;
    this.#remoteWindow = window;
    this.#remoteMaxPacket = Math.max(1, Math.min(maxPacket, 256 * 1024));
  }

  #onConsumed(bytes: number): void {
    this.#consumed += bytes;
    if (this.#gotClose || this.#consumed < this.#windowSize / 2) return;
    const add = this.#consumed;
    this.#consumed = 0;
    this.#localWindow += add;
    this.#mux.transport.send(
      new SSHWriter().byte(MSG.CHANNEL_WINDOW_ADJUST).uint32(this.#remoteId)
        .uint32(add).finish(),
    ).catch(() => {});
  }

  /** @internal Data (or extended data) from the peer. */
  receive(data: Uint8Array, extended: boolean): void {
    if (data.length > this.#localWindow) {
      throw new SSHProtocolError(
        `the peer sent ${data.length} bytes on channel ${this.localId} with only ${this.#localWindow} left in its window`,
      );
    }
    this.#localWindow -= data.length;
    (extended ? this.#extended : this.#data).push(data);
  }

  /** @internal The peer added to our send window. */
  adjust(bytes: number): void {
    this.#remoteWindow += bytes;
    if (this.#remoteWindow > 0xffffffff) this.#remoteWindow = 0xffffffff;
    this.#windowWaiter?.resolve();
    this.#windowWaiter = null;
  }

  /**
   * Sends `data` (as extended data of `type` when given), waiting for the
   * peer's window as needed; resolves once it is handed to the transport.
   */
  write(data: Uint8Array, extendedType?: number): Promise<void> {
    const run = this.#writeLock.then(() => this.#write(data, extendedType));
    this.#writeLock = run.catch(() => {});
    return run;
  }

  async #write(data: Uint8Array, extendedType?: number): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      if (this.#sentEOF || this.#sentClose || this.#gotClose) {
        throw new SSHError(`channel ${this.localId} is closed for writing`);
      }
      if (this.#remoteWindow === 0) {
        this.#windowWaiter ??= Promise.withResolvers<void>();
        await this.#windowWaiter.promise;
        continue;
      }
      const size = Math.min(
        data.length - offset,
        this.#remoteWindow,
        this.#remoteMaxPacket,
      );
      const piece = data.subarray(offset, offset + size);
      offset += size;
      this.#remoteWindow -= size;
      const writer = new SSHWriter(0, size + 16).byte(
        extendedType === undefined
          ? MSG.CHANNEL_DATA
          : MSG.CHANNEL_EXTENDED_DATA,
      ).uint32(this.#remoteId);
      if (extendedType !== undefined) writer.uint32(extendedType);
      const sent = this.#mux.transport.send(writer.string(piece).finish());
      if (this.#mux.transport.pendingBytes > TRANSPORT_HIGH_WATER) await sent;
      else sent.catch(() => {});
    }
  }

  /**
   * Sends a channel request; with `wantReply`, resolves to whether the peer
   * granted it (otherwise to `true` once sent).
   */
  async request(
    type: string,
    wantReply: boolean,
    data: Uint8Array = new Uint8Array(0),
  ): Promise<boolean> {
    await this.#writeLock;
    const message = new SSHWriter().byte(MSG.CHANNEL_REQUEST).uint32(
      this.#remoteId,
    ).string(type).boolean(wantReply).raw(data).finish();
    if (!wantReply) {
      await this.#mux.transport.send(message);
      return true;
    }
    const reply = Promise.withResolvers<boolean>();
    this.#replies.push(reply);
    await this.#mux.transport.send(message);
    return await reply.promise;
  }

  /** @internal A reply to one of our requests. */
  reply(success: boolean): void {
    this.#replies.shift()?.resolve(success);
  }

  /** @internal A request from the peer. */
  async handleRequest(request: ChannelRequest): Promise<void> {
    let granted = false;
    try {
      granted = await this.onRequest(request);
    } catch {
      granted = false;
    }
    if (request.wantReply && !this.#sentClose) {
      await this.#mux.transport.send(
        new SSHWriter().byte(
          granted ? MSG.CHANNEL_SUCCESS : MSG.CHANNEL_FAILURE,
        )
          .uint32(this.#remoteId).finish(),
      );
    }
  }

  /** Sends EOF once the data written so far is out: we send no more data. */
  async eof(): Promise<void> {
    await this.#writeLock;
    if (this.#sentEOF || this.#sentClose) return;
    this.#sentEOF = true;
    await this.#mux.transport.send(
      new SSHWriter().byte(MSG.CHANNEL_EOF).uint32(this.#remoteId).finish(),
    ).catch(() => {});
  }

  /** @internal The peer sent EOF. */
  receiveEOF(): void {
    this.#data.end();
    this.#extended.end();
  }

  /** Closes the channel (after the data written so far); resolves once both sides have. */
  async close(): Promise<void> {
    await this.#writeLock;
    this.#sendClose();
    await this.closed;
  }

  #sendClose(): void {
    if (this.#sentClose) return;
    this.#sentClose = true;
    this.#mux.transport.send(
      new SSHWriter().byte(MSG.CHANNEL_CLOSE).uint32(this.#remoteId).finish(),
    ).catch(() => {});
    if (this.#gotClose) this.#finish();
  }

  /** @internal The peer closed the channel. */
  receiveClose(): void {
    this.#gotClose = true;
    this.receiveEOF();
    this.#windowWaiter?.resolve();
    for (const reply of this.#replies) reply.resolve(false);
    this.#replies = [];
    this.#writeLock.then(() => this.#sendClose());
    if (this.#sentClose) this.#finish();
  }

  /** @internal The connection ended. */
  abort(reason: unknown): void {
    this.#gotClose = true;
    this.#sentClose = true;
    this.#data.fail(reason);
    this.#extended.fail(reason);
    this.#windowWaiter?.resolve();
    for (const reply of this.#replies) reply.resolve(false);
    this.#replies = [];
    this.#finish();
  }

  #finish(): void {
    this.#mux.forget(this.localId);
    this.#closed.resolve();
  }
}

// The data of one direction of a channel, handed to a ReadableStream one
// chunk per pull, so bytes count as consumed (and reopen the window) only
// when the reader takes them.
class Inbox {
  #chunks: Uint8Array[] = [];
  #ended = false;
  #failure: unknown = null;
  #waiting: ReadableStreamDefaultController<Uint8Array> | null = null;
  #consumed: (bytes: number) => void = () => {};

  stream(consumed: (bytes: number) => void): ReadableStream<Uint8Array> {
    this.#consumed = consumed;
    return new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (!this.#deliver(controller)) this.#waiting = controller;
      },
      cancel: () => {
        // Nobody will read: keep the window open so the channel's other
        // streams are not stalled behind this one.
        this.#ended = true;
        const bytes = this.#chunks.reduce(
          (sum, chunk) => sum + chunk.length,
          0,
        );
        this.#chunks = [];
        this.#consumed(bytes);
      },
    }, { highWaterMark: 0 });
  }

  #deliver(controller: ReadableStreamDefaultController<Uint8Array>): boolean {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      controller.enqueue(chunk);
      this.#consumed(chunk.length);
      return true;
    }
    if (this.#failure !== null) {
      controller.error(this.#failure);
      return true;
    }
    if (this.#ended) {
      controller.close();
      return true;
    }
    return false;
  }

  #wake(): void {
    const controller = this.#waiting;
    if (controller !== null && this.#deliver(controller)) this.#waiting = null;
  }

  push(chunk: Uint8Array): void {
    if (this.#ended) {
      this.#consumed(chunk.length);
      return;
    }
    this.#chunks.push(chunk);
    this.#wake();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#wake();
  }

  fail(reason: unknown): void {
    if (this.#ended && this.#chunks.length === 0) return;
    this.#failure = reason;
    this.#ended = true;
    this.#wake();
  }
}

/**
 * The channels of one connection, either side: opens channels, takes the
 * peer's opens through {@linkcode ChannelMuxOptions.onOpen}, and routes the
 * channel messages (90..100) and global requests (80..82) the transport
 * hands it through {@linkcode handle}.
 *
 * @example Usage
 * ```ts ignore
 * const mux = new ChannelMux(transport, { onOpen: (open) => (channel) => channel.close() });
 * transport.onMessage = (payload) => mux.handle(payload);
 * ```
 */
export class ChannelMux {
  /** The transport underneath. */
  readonly transport: SSHTransport;
  readonly #channels = new Map<number, Channel>();
  readonly #pending = new Map<
    number,
    { channel: Channel; opened: PromiseWithResolvers<Channel> }
  >();
  readonly #windowSize: number;
  readonly #maxPacket: number;
  readonly #maxChannels: number;
  readonly #onOpen: ChannelOpener;
  readonly #onGlobalRequest: GlobalRequestHandler;
  #nextId = 0;
  readonly #running = new Set<Promise<void>>();
  #globalReplies: PromiseWithResolvers<Uint8Array | null>[] = [];

  /** Creates the channels' table over `transport`. */
  constructor(transport: SSHTransport, options: ChannelMuxOptions = {}) {
    this.transport = transport;
    this.#windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
    this.#maxPacket = options.maxPacket ?? DEFAULT_MAX_CHANNEL_PACKET;
    this.#maxChannels = options.maxChannels ?? DEFAULT_MAX_CHANNELS;
    this.#onGlobalRequest = options.onGlobalRequest ?? (() => null);
    this.#onOpen = options.onOpen ?? ((open) => {
      throw new ChannelOpenError(
        OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE,
        `${open.type} channels are not accepted`,
      );
    });
  }

  /** How many channels are open or opening. */
  get size(): number {
    return this.#channels.size + this.#pending.size;
  }

  #allocate(type: string): Channel {
    while (
      this.#channels.has(this.#nextId) || this.#pending.has(this.#nextId)
    ) {
      this.#nextId = (this.#nextId + 1) >>> 0;
    }
    const channel = new Channel(this, this.#nextId, type, this.#windowSize);
    this.#nextId = (this.#nextId + 1) >>> 0;
    return channel;
  }

  /** @internal Drops a closed channel. */
  forget(id: number): void {
    this.#channels.delete(id);
  }

  /**
   * Opens a channel of `type` with its type-specific `data`; rejects with
   * {@linkcode ChannelOpenError} when the peer refuses.
   */
  async open(
    type: string,
    data: Uint8Array = new Uint8Array(0),
  ): Promise<Channel> {
    const channel = this.#allocate(type);
    const opened = Promise.withResolvers<Channel>();
    this.#pending.set(channel.localId, { channel, opened });
    await this.transport.send(
      new SSHWriter().byte(MSG.CHANNEL_OPEN).string(type).uint32(
        channel.localId,
      )
        .uint32(this.#windowSize).uint32(this.#maxPacket).raw(data).finish(),
    );
    return await opened.promise;
  }

  /**
   * Sends a global request (RFC 4254 §4); with `wantReply`, resolves to the
   * reply's data, or `null` when refused.
   */
  async globalRequest(
    name: string,
    wantReply: boolean,
    data: Uint8Array = new Uint8Array(0),
  ): Promise<Uint8Array | null> {
    const reply = Promise.withResolvers<Uint8Array | null>();
    if (wantReply) this.#globalReplies.push(reply);
    await this.transport.send(
      new SSHWriter().byte(MSG.GLOBAL_REQUEST).string(name).boolean(wantReply)
        .raw(data).finish(),
    );
    return wantReply ? await reply.promise : new Uint8Array(0);
  }

  #channel(reader: SSHReader): Channel {
    const id = reader.uint32();
    const channel = this.#channels.get(id);
    if (channel === undefined) {
      throw new SSHProtocolError(
        `the peer used channel ${id}, which is not open`,
      );
    }
    return channel;
  }

  /**
   * Handles a connection-protocol message; `false` for other messages.
   * Throws `SSHProtocolError` for a malformed one.
   */
  async handle(payload: Uint8Array): Promise<boolean> {
    const reader = new SSHReader(payload, 1);
    switch (payload[0]) {
      case MSG.CHANNEL_DATA:
        this.#channel(reader).receive(reader.bytes(), false);
        return true;
      case MSG.CHANNEL_EXTENDED_DATA: {
        const channel = this.#channel(reader);
        reader.uint32();
        channel.receive(reader.bytes(), true);
        return true;
      }
      case MSG.CHANNEL_WINDOW_ADJUST:
        this.#channel(reader).adjust(reader.uint32());
        return true;
      case MSG.CHANNEL_EOF:
        this.#channel(reader).receiveEOF();
        return true;
      case MSG.CHANNEL_CLOSE:
        this.#channel(reader).receiveClose();
        return true;
      case MSG.CHANNEL_REQUEST: {
        const channel = this.#channel(reader);
        const type = reader.text();
        const wantReply = reader.boolean();
        // Requests run in order but do not hold up the channel's data.
        channel.handleRequest({ type, wantReply, data: reader }).catch(
          () => {},
        );
        return true;
      }
      case MSG.CHANNEL_SUCCESS:
      case MSG.CHANNEL_FAILURE:
        this.#channel(reader).reply(payload[0] === MSG.CHANNEL_SUCCESS);
        return true;
      case MSG.CHANNEL_OPEN:
        await this.#onOpenRequest(reader);
        return true;
      case MSG.CHANNEL_OPEN_CONFIRMATION: {
        const id = reader.uint32();
        const pending = this.#pending.get(id);
        if (pending === undefined) {
          throw new SSHProtocolError(
            `the peer confirmed channel ${id}, which we did not open`,
          );
        }
        this.#pending.delete(id);
        pending.channel.confirm(
          reader.uint32(),
          reader.uint32(),
          reader.uint32(),
        );
        this.#channels.set(id, pending.channel);
        pending.opened.resolve(pending.channel);
        return true;
      }
      case MSG.CHANNEL_OPEN_FAILURE: {
        const id = reader.uint32();
        const pending = this.#pending.get(id);
        if (pending === undefined) {
          throw new SSHProtocolError(
            `the peer refused channel ${id}, which we did not open`,
          );
        }
        this.#pending.delete(id);
        pending.opened.reject(
          new ChannelOpenError(reader.uint32(), reader.text()),
        );
        return true;
      }
      case MSG.GLOBAL_REQUEST: {
        const name = reader.text();
        const wantReply = reader.boolean();
        // keepalive@openssh.com is refused, the answer OpenSSH's keepalive
        // expects; the handler decides on the rest.
        const reply = name === "keepalive@openssh.com"
          ? null
          : await this.#onGlobalRequest(name, reader);
        if (wantReply) {
          await this.transport.send(
            reply === null
              ? new Uint8Array([MSG.REQUEST_FAILURE])
              : new SSHWriter().byte(MSG.REQUEST_SUCCESS).raw(reply).finish(),
          );
        }
        return true;
      }
      case MSG.REQUEST_SUCCESS:
        this.#globalReplies.shift()?.resolve(reader.rest().slice());
        return true;
      case MSG.REQUEST_FAILURE:
        this.#globalReplies.shift()?.resolve(null);
        return true;
    }
    return false;
  }

  async #onOpenRequest(reader: SSHReader): Promise<void> {
    const type = reader.text();
    const remoteId = reader.uint32();
    const window = reader.uint32();
    const maxPacket = reader.uint32();
    const refuse = (reason: number, description: string) =>
      this.transport.send(
        new SSHWriter().byte(MSG.CHANNEL_OPEN_FAILURE).uint32(remoteId)
          .uint32(reason).string(description).string("").finish(),
      );
    if (this.size >= this.#maxChannels) {
      await refuse(
        OPEN_FAILURE.RESOURCE_SHORTAGE,
        `too many channels open (${this.#maxChannels})`,
      );
      return;
    }
    let run: (channel: Channel) => void | Promise<void>;
    try {
      run = await this.#onOpen({ type, data: reader });
    } catch (error) {
      if (error instanceof ChannelOpenError) {
        await refuse(error.reason, error.message);
        return;
      }
      throw error;
    }
    const channel = this.#allocate(type);
    channel.confirm(remoteId, window, maxPacket);
    this.#channels.set(channel.localId, channel);
    await this.transport.send(
      new SSHWriter().byte(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(remoteId)
        .uint32(channel.localId).uint32(this.#windowSize).uint32(
          this.#maxPacket,
        )
        .finish(),
    );
    const running = Promise.resolve().then(() => run(channel)).catch(() =>
      channel.close()
    ).catch(() => {});
    this.#running.add(running);
    running.finally(() => this.#running.delete(running));
  }

  /** Resolves once the handlers of the channels the peer opened have all returned. */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  /** Fails every channel: the connection ended. */
  abortAll(reason: unknown): void {
    for (const { opened } of this.#pending.values()) opened.reject(reason);
    this.#pending.clear();
    for (const channel of [...this.#channels.values()]) channel.abort(reason);
    for (const reply of this.#globalReplies) reply.resolve(null);
    this.#globalReplies = [];
  }
}
