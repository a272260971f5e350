/**
 * A connection in an `Agent`'s pool, read through the reactor's
 * `MessageReader` with a response core (which keeps the bytes read ahead).
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
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
  #reader: MessageReader<HTTPEvent>;
  /** A `next()` started while waiting for `100 Continue`, and still to be taken. */
  #ahead: Promise<HTTPEvent | null> | null = null;

  constructor(conn: Connection, key: string, limits: HTTPLimits) {
    this.conn = conn;
    this.key = key;
    this.core = new ResponseCore(limits);
    this.#reader = new MessageReader(conn, this.core, { max: Infinity });
  }

  /** The next core event, reading as needed; `null` at a clean end of input. */
  next(): Promise<HTTPEvent | null> {
    const ahead = this.#ahead;
    if (ahead !== null) {
      this.#ahead = null;
      return ahead;
    }
    return this.#reader.read();
  }

  /** Keeps `pending` (an unfinished `next()`) as the next event. */
  putBack(pending: Promise<HTTPEvent | null>): void {
    this.#ahead = pending;
  }

  /** Stops reading here: bytes read past the last event go back to the connection. */
  release(): void {
    this.#reader.release();
  }
}
