/**
 * What a reactor keeps track of, so that `openResources()` can list it and
 * `cleanUp()` can close it — listeners, connections, datagram ports — and
 * {@linkcode StreamHost}, the narrow view of a reactor that its listeners and
 * connection attempts get (so they need not know the reactor class).
 *
 * @module
 */
import { formatAddress } from "./connection.ts";
import type { Connection, ConnectionHandler } from "./interfaces.ts";
import type { IReactorTime } from "./time.ts";

/**
 * A resource still open in a reactor, as listed by `openResources()`.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, type OpenResource } from "@spindle/spindle/reactor";
 * const open: OpenResource[] = new DenoReactor().openResources();
 * console.assert(open.length === 0);
 * ```
 */
export interface OpenResource {
  /** What kind of resource it is. */
  kind: "listener" | "connection" | "delayed call" | "datagram port";
  /** A human description: its address or what it will call. */
  description: string;
}

/**
 * Something a reactor can close when it cleans up.
 */
export interface Closable {
  /** What kind of resource it is. */
  readonly kind: OpenResource["kind"];
  /** A human description: its address or what it will call. */
  describe(): string;
  /** Releases it at once. */
  forceClose(): Promise<void>;
  /** Releases it gracefully (a connection flushes first), if it can. */
  close?(): Promise<void>;
}

/**
 * The part of a reactor that its listeners and connection attempts use: they
 * register what they open, and hand each new connection over to be served.
 * {@linkcode DenoReactor} implements it.
 */
export interface StreamHost extends IReactorTime {
  /** Tracks a resource so `openResources()` and `cleanUp()` see it. */
  track(resource: Closable): void;
  /** Stops tracking a resource that closed. */
  untrack(resource: Closable): void;
  /** Tracks a connection until it closes. */
  trackConnection(conn: Connection): void;
  /** Serves `conn` with `handler`. */
  serve(conn: Connection, handler: ConnectionHandler): void;
}

/**
 * The resources open in one reactor.
 */
export class ResourceSet {
  #resources = new Set<Closable>();

  /** Tracks `resource`. */
  add(resource: Closable): void {
    this.#resources.add(resource);
  }

  /** Forgets `resource`. */
  delete(resource: Closable): void {
    this.#resources.delete(resource);
  }

  /** Tracks `conn` until it closes, however it closes. */
  addConnection(conn: Connection): void {
    const resource: Closable = {
      kind: "connection",
      describe: () =>
        `${formatAddress(conn.localAddr)} -> ${formatAddress(conn.remoteAddr)}`,
      forceClose: () => {
        conn.abort();
        return conn.closed.catch(() => {});
      },
      close: () => conn.close(),
    };
    this.#resources.add(resource);
    const forget = () => this.#resources.delete(resource);
    conn.closed.then(forget, forget);
  }

  /** What is tracked, one entry each. */
  list(): OpenResource[] {
    const open: OpenResource[] = [];
    for (const resource of this.#resources) {
      open.push({ kind: resource.kind, description: resource.describe() });
    }
    return open;
  }

  /**
   * Stops everything but the connections at once, then closes the connections
   * gracefully (flushing what they have to send) for at most `timeout` ms.
   * What is still open afterwards is left to {@linkcode forceCloseAll}.
   */
  async closeGracefully(timeout: number): Promise<void> {
    const resources = [...this.#resources];
    await Promise.all(
      resources.filter((r) => r.kind !== "connection").map((r) =>
        r.forceClose()
      ),
    );
    const closing = resources.filter((r) => r.kind === "connection").map((r) =>
      (r.close ?? r.forceClose)()
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout);
    });
    await Promise.race([Promise.all(closing), deadline]);
    clearTimeout(timer);
  }

  /** Closes everything at once and forgets it; resolves when all is released. */
  async forceCloseAll(): Promise<void> {
    const resources = [...this.#resources];
    this.#resources.clear();
    await Promise.all(resources.map((resource) => resource.forceClose()));
  }
}
