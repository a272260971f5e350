/**
 * Twisted's `LineReceiver` and `LineOnlyReceiver`, on the same line core as
 * {@linkcode LineDecoder}.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";
import { Protocol } from "../../reactor/protocol.ts";
import { Deliverer } from "./_deliver.ts";
import { concatBytes, EMPTY_BYTES } from "../../reactor/bytes.ts";
import { LineTooLongError } from "./errors.ts";
import { DEFAULT_MAX_LINE_LENGTH } from "./limits.ts";
import { LineDecoderCore, LineEncoderCore } from "./line.ts";

/**
 * A Twisted-style protocol that receives lines (UTF-8 text) and can switch to
 * raw bytes and back mid-stream: `setRawMode()` from `lineReceived` hands
 * every following byte to `rawDataReceived`, `setLineMode(extra)` goes back.
 *
 * Set `delimiter` (default `"\r\n"`) and `MAX_LENGTH` (default
 * {@linkcode DEFAULT_MAX_LINE_LENGTH} bytes) as fields of a subclass. A longer line calls `lineLengthExceeded`, which
 * drops the connection by default; a line that is not UTF-8 drops it too.
 *
 * @example A line-echo protocol
 * ```ts
 * import { LineReceiver } from "@spindle/spindle/protocols/basic";
 * import { Clock, connectedPair, runProtocol } from "@spindle/spindle/reactor";
 * import { assertEquals } from "@spindle/spindle/trial";
 * class Echo extends LineReceiver {
 *   override lineReceived(line: string): void {
 *     this.sendLine(line.toUpperCase());
 *   }
 * }
 * const [client, server] = connectedPair();
 * const done = runProtocol(new Echo(), server, { reactor: new Clock() });
 * await client.write(new TextEncoder().encode("hi\r\n"));
 * await client.closeWrite();
 * assertEquals(await new Response(client.readable).text(), "HI\r\n");
 * await client.close();
 * await done;
 * ```
 */
export class LineReceiver extends Protocol {
  /** What ends a line; `"\n"` accepts `"\r\n"` too. */
  delimiter: string | Uint8Array = "\r\n";
  /** The longest line accepted, in bytes without the delimiter. */
  MAX_LENGTH: number = DEFAULT_MAX_LINE_LENGTH;
  /** Whether delivery is paused (`pauseProducing`): bytes wait in the buffer. */
  paused = false;
  // The cores follow `delimiter` and `MAX_LENGTH` if a subclass changes them.
  #core: LineDecoderCore | null = null;
  #coreFor: string | Uint8Array = "";
  #encoderCore: LineEncoderCore | null = null;
  #encoderCoreFor: string | Uint8Array = "";
  #lineMode = true;
  // Bytes received but not yet handed to the line core or rawDataReceived.
  #input: Uint8Array = EMPTY_BYTES;
  #busy = false;
  #out: string[] = [];

  /** Called with each line, without its delimiter. */
  lineReceived(_line: string): void {}

  /** Called with bytes received in raw mode. */
  rawDataReceived(_data: Uint8Array): void {}

  /**
   * Called when a line is longer than `MAX_LENGTH`, with the bytes buffered
   * at that point; the buffer is then cleared. Drops the connection by default.
   */
  lineLengthExceeded(_line: Uint8Array): void {
    this.transport.loseConnection();
  }

  /** Sends `line` followed by the delimiter. */
  sendLine(line: string | Uint8Array): void {
    if (this.#encoderCore === null || this.#encoderCoreFor !== this.delimiter) {
      this.#encoderCore = new LineEncoderCore({ delimiter: this.delimiter });
      this.#encoderCoreFor = this.delimiter;
    }
    this.transport.write(this.#encoderCore.encode(line));
  }

  /** From now on, bytes go to `rawDataReceived` (the rest of this chunk included). */
  setRawMode(): void {
    this.#lineMode = false;
  }

  /** Back to lines; `extra` bytes are decoded as lines first. */
  setLineMode(extra?: Uint8Array): void {
    this.#lineMode = true;
    if (extra !== undefined && extra.length > 0) this.dataReceived(extra);
  }

  /**
   * Stops delivering lines (and raw data) and pauses reading the transport,
   * as Twisted's `LineReceiver.pauseProducing` does.
   */
  pauseProducing(): void {
    this.paused = true;
    if (this.connected) this.transport.pauseProducing();
  }

  /** Delivers what was held back, then resumes reading the transport. */
  resumeProducing(): void {
    this.paused = false;
    if (this.connected) this.transport.resumeProducing();
    this.dataReceived(EMPTY_BYTES);
  }

  /** Stops delivering for good and stops the transport. */
  stopProducing(): void {
    this.paused = true;
    if (this.connected) this.transport.stopProducing();
  }

  /** Returns the bytes received but not yet decoded, and forgets them. */
  clearLineBuffer(): Uint8Array {
    const buffered = concatBytes(
      this.#core?.release() ?? EMPTY_BYTES,
      this.#input,
    );
    this.#input = EMPTY_BYTES;
    return buffered;
  }

  /** Decodes lines (or passes raw bytes on) as the mode says. */
  override dataReceived(data: Uint8Array): void {
    this.#input = concatBytes(this.#input, data);
    // A callback that feeds data back in (setLineMode from rawDataReceived)
    // only queues it: the loop below picks it up in order.
    if (this.#busy) return;
    this.#busy = true;
    try {
      this.#receive();
    } finally {
      this.#busy = false;
    }
  }

  #receive(): void {
    const out = this.#out;
    while (!this.paused && !(this.connected && this.transport.disconnecting)) {
      if (!this.#lineMode) {
        const raw = concatBytes(
          this.#core?.release() ?? EMPTY_BYTES,
          this.#input,
        );
        this.#input = EMPTY_BYTES;
        if (raw.length === 0) return;
        this.rawDataReceived(raw);
        continue;
      }
      const core = this.#lineCore();
      const input = this.#input;
      this.#input = EMPTY_BYTES;
      try {
        // One line at a time, so a mode switch in lineReceived sees every byte after it.
        core.decode(input, out, 1);
      } catch (error) {
        const buffered = core.release();
        this.#input = EMPTY_BYTES;
        if (error instanceof LineTooLongError) {
          this.lineLengthExceeded(buffered);
        } else if (error instanceof ProtocolError) {
          this.transport.loseConnection(error);
        } else throw error;
        return;
      }
      const line = out.pop();
      if (line === undefined) return;
      this.lineReceived(line);
    }
  }

  #lineCore(): LineDecoderCore {
    const current = this.#core;
    if (
      current !== null && current.maxLength === this.MAX_LENGTH &&
      this.#coreFor === this.delimiter
    ) return current;
    const core = new LineDecoderCore({
      delimiter: this.delimiter,
      maxLength: this.MAX_LENGTH,
    });
    if (current !== null) {
      this.#input = concatBytes(current.release(), this.#input);
    }
    this.#core = core;
    this.#coreFor = this.delimiter;
    return core;
  }
}

/**
 * A Twisted-style protocol that only receives lines (no raw mode), decoding
 * each chunk's lines in one go: faster than {@linkcode LineReceiver}.
 *
 * @example Usage
 * ```ts
 * import { LineOnlyReceiver } from "@spindle/spindle/protocols/basic";
 * class Logger extends LineOnlyReceiver {
 *   lines: string[] = [];
 *   override lineReceived(line: string): void {
 *     this.lines.push(line);
 *   }
 * }
 * const logger = new Logger();
 * logger.dataReceived(new TextEncoder().encode("a\r\nb\r\n"));
 * console.assert(logger.lines.join() === "a,b");
 * ```
 */
export class LineOnlyReceiver extends Protocol {
  /** What ends a line; `"\n"` accepts `"\r\n"` too. Set before the first data. */
  delimiter: string | Uint8Array = "\r\n";
  /** The longest line accepted, in bytes. Set before the first data. */
  MAX_LENGTH: number = DEFAULT_MAX_LINE_LENGTH;
  #core: LineDecoderCore | null = null;
  #encoderCore: LineEncoderCore | null = null;
  #deliverer = new Deliverer<string>(
    this,
    (line) => this.lineReceived(line),
  );

  /** Called with each line, without its delimiter. */
  lineReceived(_line: string): void {}

  /** Called when a line is longer than `MAX_LENGTH`; drops the connection by default. */
  lineLengthExceeded(_line: Uint8Array): void {
    this.transport.loseConnection();
  }

  /** Sends `line` followed by the delimiter. */
  sendLine(line: string | Uint8Array): void {
    this.#encoderCore ??= new LineEncoderCore({ delimiter: this.delimiter });
    this.transport.write(this.#encoderCore.encode(line));
  }

  /** Decodes the lines in `data` and calls `lineReceived` for each. */
  override dataReceived(data: Uint8Array): void {
    const core = this.#core ??= new LineDecoderCore({
      delimiter: this.delimiter,
      maxLength: this.MAX_LENGTH,
    });
    const failure = this.#deliverer.deliver(core, data);
    if (failure === undefined) return;
    const buffered = core.release();
    if (failure instanceof LineTooLongError) this.lineLengthExceeded(buffered);
    else if (failure instanceof ProtocolError) {
      this.transport.loseConnection(failure);
    } else throw failure;
  }
}
