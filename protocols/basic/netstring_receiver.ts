/**
 * Twisted's `NetstringReceiver`, on the same core as {@linkcode NetstringDecoder}.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";
import { Protocol } from "../../reactor/protocol.ts";
import { Deliverer } from "./_deliver.ts";
import { DEFAULT_MAX_STRING_LENGTH } from "./limits.ts";
import { NetstringDecoderCore, NetstringEncoderCore } from "./netstring.ts";

/**
 * A Twisted-style protocol that receives netstrings. `MAX_LENGTH` (default
 * {@linkcode DEFAULT_MAX_STRING_LENGTH}, as in Twisted) limits what is
 * received. A malformed or oversized netstring makes `brokenPeer` true and
 * ends the connection with that `ProtocolError` (`MalformedNetstringError`,
 * `FrameTooLongError`) as the reason `connectionLost` gets: `dataReceived`
 * throws it, and the transport closes the connection at once.
 *
 * @example Usage
 * ```ts
 * import { NetstringReceiver } from "@spindle/spindle/protocols/basic";
 * class Collect extends NetstringReceiver {
 *   got: string[] = [];
 *   override stringReceived(data: Uint8Array): void {
 *     this.got.push(new TextDecoder().decode(data));
 *   }
 * }
 * const receiver = new Collect();
 * receiver.dataReceived(new TextEncoder().encode("3:abc,"));
 * console.assert(receiver.got[0] === "abc");
 * ```
 */
export class NetstringReceiver extends Protocol {
  /** The longest string accepted, in bytes. Set before the first data. */
  MAX_LENGTH: number = DEFAULT_MAX_STRING_LENGTH;
  /** Whether the peer sent a malformed netstring (the connection is then dropped). */
  brokenPeer = false;
  #core: NetstringDecoderCore | null = null;
  #encoderCore: NetstringEncoderCore = new NetstringEncoderCore({
    maxLength: Number.MAX_SAFE_INTEGER,
  });
  #deliverer = new Deliverer<Uint8Array>(
    this,
    (data) => this.stringReceived(data),
  );

  /** Called with each string received (bytes that may share the chunk's memory). */
  stringReceived(_data: Uint8Array): void {}

  /** Sends `data` as a netstring. */
  sendString(data: string | Uint8Array): void {
    this.transport.write(this.#encoderCore.encode(data));
  }

  /**
   * Decodes the netstrings in `data` and calls `stringReceived` for each.
   * Throws the `ProtocolError` of a broken peer, after the strings before it.
   */
  override dataReceived(data: Uint8Array): void {
    if (this.brokenPeer) return;
    const core = this.#core ??= new NetstringDecoderCore({
      maxLength: this.MAX_LENGTH,
    });
    const failure = this.#deliverer.deliver(core, data);
    if (failure === undefined) return;
    if (failure instanceof ProtocolError) this.brokenPeer = true;
    throw failure;
  }
}
