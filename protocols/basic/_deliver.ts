// The delivery loop of the Twisted-style receivers that decode a whole chunk
// at once (the Int*StringReceivers, LineOnlyReceiver, NetstringReceiver): one place that decides
// which messages still reach the protocol when the chunk also holds bad bytes
// or the protocol starts closing the connection.
import type { DecoderCore } from "../../reactor/codec.ts";
import type { Protocol } from "../../reactor/protocol.ts";

export class Deliverer<M> {
  #protocol: Protocol;
  #receive: (message: M) => void;
  // Reused for every chunk, so decoding allocates no array per chunk.
  #out: M[] = [];

  constructor(protocol: Protocol, receive: (message: M) => void) {
    this.#protocol = protocol;
    this.#receive = receive;
  }

  // Decodes `data` and hands each message to `receive` until the transport
  // starts disconnecting. The messages decoded before a bad byte are delivered
  // first, then what the core threw is returned for the caller to handle:
  // undefined when it threw nothing, and also when delivery stopped because the
  // connection is closing (a failure no longer matters then).
  deliver(core: DecoderCore<M>, data: Uint8Array): unknown {
    const out = this.#out;
    let failure: unknown = undefined;
    try {
      core.decode(data, out);
    } catch (error) {
      failure = error;
    }
    const protocol = this.#protocol;
    try {
      for (let i = 0; i < out.length; i++) {
        if (protocol.connected && protocol.transport.disconnecting) {
          return undefined;
        }
        this.#receive(out[i] as M);
      }
    } finally {
      out.length = 0;
    }
    return failure;
  }
}
