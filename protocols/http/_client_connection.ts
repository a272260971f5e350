/**
 * A connection in an `Agent`'s pool, with the response core that keeps the
 * bytes it read ahead.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import type { DelayedCall } from "../../reactor/time.ts";
import { ResponseCore } from "./codec.ts";
import type { HTTPLimits } from "./limits.ts";
import type { HTTPEvent } from "./message.ts";

/** A pooled connection with its core. */
export class ClientConnection {
  readonly conn: Connection;
  readonly key: string;
  readonly core: ResponseCore;
  idleTimer: DelayedCall | null = null;
  /** Served at least one response (a failure may mean the server closed it while idle). */
  reused = false;
  #events: HTTPEvent[] = [];
  #index = 0;
  /** A `next()` started while waiting for `100 Continue`, and still to be taken. */
  #ahead: Promise<HTTPEvent | null> | null = null;

  constructor(conn: Connection, key: string, limits: HTTPLimits) {
    this.conn = conn;
    this.key = key;
    this.core = new ResponseCore(limits);
  }

  /** The next core event, reading as needed; `null` at a clean end of input. */
  next(): Promise<HTTPEvent | null> {
    const ahead = this.#ahead;
    if (ahead !== null) {
      this.#ahead = null;
      return ahead;
    }
    if (this.#index < this.#events.length) {
      return Promise.resolve(this.#events[this.#index++]!);
    }
    return this.#read();
  }

  /** Keeps `pending` (an unfinished `next()`) as the next event. */
  putBack(pending: Promise<HTTPEvent | null>): void {
    this.#ahead = pending;
  }

  async #read(): Promise<HTTPEvent | null> {
    const events = this.#events;
    while (this.#index === events.length) {
      events.length = 0;
      this.#index = 0;
      const chunk = await this.conn.read();
      if (chunk === null) {
        this.core.end(events);
        if (events.length === 0) return null;
        break;
      }
      this.core.decode(chunk, events);
    }
    return events[this.#index++]!;
  }
}
