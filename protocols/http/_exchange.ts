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
  #upgradeResponse: Response | null = null;
  #handOver: ((conn: Connection) => void) | null = null;

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
    this.#upgradeResponse = response;
    this.#handOver = resolve;
    return { response, connection: promise };
  }

  /** Where to hand the connection over if `response` is the one `upgrade()` made. */
  handOverFor(response: Response): ((conn: Connection) => void) | null {
    return response === this.#upgradeResponse ? this.#handOver : null;
  }
}
