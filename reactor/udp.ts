/**
 * UDP for the reactor: `listenUDP` over `Deno.listenDatagram` (which needs
 * `--unstable-net`), driving a {@linkcode DatagramHandler}.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { getLogger } from "../log/mod.ts";
import { formatAddress } from "./connection.ts";
import { stopOnAbort } from "./_abort.ts";
import { AddressInUseError } from "./errors.ts";
import type {
  DatagramHandler,
  DatagramTransport,
  ListenUDPOptions,
} from "./interfaces.ts";

const logger = getLogger("spindle.reactor.udp");

/** The largest UDP payload over IPv4. */
const DEFAULT_MAX_PACKET_SIZE = 65_507;

/** What a reactor offers a UDP port so it can track it. */
export interface DatagramPortOwner {
  /** Tracks the port while it listens. */
  track(port: DatagramPort): void;
  /** Forgets the port once it stopped. */
  untrack(port: DatagramPort): void;
}

/**
 * Binds a UDP socket on `port` and feeds each datagram to `handler`. Fails
 * with `AddressInUseError` when the port is taken, and with a `TypeError`
 * saying so when Deno runs without `--unstable-net`.
 */
export function listenUDP(
  owner: DatagramPortOwner,
  port: number,
  handler: DatagramHandler,
  options: ListenUDPOptions = {},
): Deferred<DatagramTransport> {
  const deferred = new Deferred<DatagramTransport>();
  const hostname = options.interface ?? "0.0.0.0";
  if (typeof Deno.listenDatagram !== "function") {
    deferred.errback(
      new TypeError(
        "UDP needs Deno's unstable network API: run with --unstable-net",
      ),
    );
    return deferred;
  }
  if (options.signal?.aborted) {
    deferred.errback(options.signal.reason);
    return deferred;
  }
  let conn: Deno.DatagramConn;
  try {
    conn = Deno.listenDatagram({
      hostname,
      port,
      transport: "udp",
      reuseAddress: options.reuseAddress,
    });
  } catch (error) {
    deferred.errback(
      error instanceof Deno.errors.AddrInUse
        ? new AddressInUseError(
          formatAddress({ transport: "udp", hostname, port }),
          { cause: error },
        )
        : error,
    );
    return deferred;
  }
  const udp = new DatagramPort(
    owner,
    conn,
    handler,
    options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE,
  );
  owner.track(udp);
  try {
    handler.makeConnection?.(udp);
  } catch (error) {
    logger.error("makeConnection of the UDP handler threw", { error });
  }
  udp.start();
  udp.stopWhenAborted(options.signal);
  deferred.callback(udp);
  return deferred;
}

/** A bound UDP socket with its one receive loop. */
export class DatagramPort implements DatagramTransport {
  /** What the reactor's leftover list calls it. */
  readonly kind = "datagram port" as const;
  #owner: DatagramPortOwner;
  #conn: Deno.DatagramConn;
  #handler: DatagramHandler;
  #buffer: Uint8Array;
  #address: Deno.NetAddr;
  #loop: Promise<void> | undefined;
  #stopping: Deferred<void> | undefined;
  #forgetSignal = () => {};

  /** Wraps a bound socket; `start()` begins receiving. */
  constructor(
    owner: DatagramPortOwner,
    conn: Deno.DatagramConn,
    handler: DatagramHandler,
    maxPacketSize: number,
  ) {
    this.#owner = owner;
    this.#conn = conn;
    this.#handler = handler;
    this.#buffer = new Uint8Array(maxPacketSize);
    this.#address = conn.addr as Deno.NetAddr;
  }

  /** Starts the receive loop. */
  start(): void {
    this.#loop = this.#receiveLoop();
  }

  /** Stops listening when `signal` aborts. */
  stopWhenAborted(signal: AbortSignal | undefined): void {
    this.#forgetSignal = stopOnAbort(signal, () => this.stopListening());
  }

  async #receiveLoop(): Promise<void> {
    while (this.#stopping === undefined) {
      let data: Uint8Array;
      let addr: Deno.Addr;
      try {
        [data, addr] = await this.#conn.receive(this.#buffer);
      } catch (error) {
        if (this.#stopping !== undefined) return;
        if (error instanceof Deno.errors.BadResource) return;
        // ICMP errors from earlier sends surface here; they concern one peer.
        logger.debug("Receiving on {address} failed; going on", {
          address: formatAddress(this.#address),
          error,
        });
        continue;
      }
      // The buffer is reused: the handler gets its own copy.
      this.#deliver(data.slice(), addr as Deno.NetAddr);
    }
  }

  #deliver(data: Uint8Array, addr: Deno.NetAddr): void {
    try {
      const result = this.#handler.datagramReceived(data, addr);
      if (result instanceof Promise) {
        result.catch((error) => this.#crashed(error, addr));
      }
    } catch (error) {
      this.#crashed(error, addr);
    }
  }

  #crashed(error: unknown, addr: Deno.NetAddr): void {
    logger.error("The UDP handler failed on a datagram from {peer}", {
      peer: formatAddress(addr),
      error,
    });
  }

  /** The bound address. */
  getHost(): Deno.NetAddr {
    return this.#address;
  }

  /** Sends one datagram to `addr`. */
  async write(data: Uint8Array, addr: Deno.NetAddr): Promise<void> {
    await this.#conn.send(data, { ...addr, transport: "udp" });
  }

  /** A description for leftover lists. */
  describe(): string {
    return `UDP port on ${formatAddress(this.#address)}`;
  }

  /** Closes the socket; resolves once the address can be bound again. */
  stopListening(): Deferred<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    const stopping = new Deferred<void>();
    this.#stopping = stopping;
    this.#forgetSignal();
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    (this.#loop ?? Promise.resolve()).then(() => {
      this.#owner.untrack(this);
      try {
        this.#handler.doStop?.();
      } catch (error) {
        logger.error("doStop of the UDP handler threw", { error });
      }
      stopping.callback(undefined);
    });
    return stopping;
  }

  /** Stops listening (for a reactor's clean-up). */
  forceClose(): Promise<void> {
    return this.stopListening().asPromise();
  }

  /** Stops listening, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stopListening().asPromise();
  }
}
