/**
 * One request being served and its response: the state the connection's
 * read loop and the handler share, and the handler's `info`.
 *
 * @module
 */
import type { Address, Connection } from "../../reactor/interfaces.ts";
import type {
  ServeHandlerInfo,
  UpgradeOptions,
  UpgradeResult,
} from "./handler.ts";
import type { MessageHead } from "./message.ts";
import type { RequestAbort } from "./_fast_request.ts";
import type { RequestBody } from "./_request_body.ts";

/**
 * One request and its response, in flight. It is the handler's `info` too,
 * so a protocol switch it asks for is recorded here, not looked up.
 */
export class Exchange implements ServeHandlerInfo {
  readonly head: MessageHead;
  readonly remoteAddr: Address;
  readonly localAddr: Address;
  /** Aborts `request.signal` when the client goes away first. */
  readonly abort: RequestAbort;
  body: RequestBody | null = null;
  /** Resolves to whether the connection may carry another request. */
  done!: Promise<boolean>;
  /** The response head went out (or writing started). */
  started = false;
  /** The server answered an error itself: the handler's response is dropped. */
  superseded = false;
  /** Set when the handler upgraded and the connection was handed over. */
  handedOver = false;
  /** Made by `upgrade()` only, so a plain request carries one null field. */
  #upgrade: UpgradeRecord | null = null;

  constructor(head: MessageHead, conn: Connection, abort: RequestAbort) {
    this.head = head;
    this.remoteAddr = conn.remoteAddr;
    this.localAddr = conn.localAddr;
    this.abort = abort;
  }

  upgrade(options: UpgradeOptions = {}): UpgradeResult {
    const { promise, resolve } = Promise.withResolvers<Connection>();
    const response = new Response(null, {
      status: 200,
      headers: options.headers,
    });
    this.#upgrade = {
      response,
      handOver: resolve,
      onShutdown: options.onShutdown,
    };
    return { response, connection: promise };
  }

  /** Where to hand the connection over if `response` is the one `upgrade()` made. */
  handOverFor(response: Response): ((conn: Connection) => void) | null {
    const upgrade = this.#upgrade;
    return upgrade !== null && response === upgrade.response
      ? upgrade.handOver
      : null;
  }

  /** The new owner's graceful close (`UpgradeOptions.onShutdown`), once upgraded. */
  get onShutdown(): (() => void) | undefined {
    return this.#upgrade?.onShutdown;
  }
}

interface UpgradeRecord {
  response: Response;
  handOver: (conn: Connection) => void;
  onShutdown: (() => void) | undefined;
}
