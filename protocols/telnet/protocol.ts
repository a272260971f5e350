/**
 * {@linkcode TelnetProtocol}: a Telnet connection that hands the
 * application clean data and option events.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import {
  encodeTelnetData,
  TelnetDecoderCore,
  type TelnetEvent,
} from "./codec.ts";
import { Telnet, TelnetOption } from "./constants.ts";
import {
  OptionNegotiator,
  type OptionPolicy,
  type OptionSide,
} from "./options.ts";

/**
 * What a {@linkcode TelnetProtocol} tells the application.
 *
 * @example Usage
 * ```ts
 * import type { TelnetHandlers } from "@spindle/spindle/protocols/telnet";
 * const handlers: TelnetHandlers = {
 *   dataReceived: (data) => console.log(data.length),
 *   windowSize: (columns, rows) => console.log(columns, rows),
 * };
 * console.assert(typeof handlers.dataReceived === "function");
 * ```
 */
export interface TelnetHandlers {
  /** Application data, with every Telnet command taken out. */
  dataReceived?(data: Uint8Array): void | Promise<void>;
  /** An option went on or off at one end. */
  optionChanged?(side: OptionSide, option: number, enabled: boolean): void;
  /** A command such as IP (interrupt), AYT, EC, EL, BRK. */
  commandReceived?(command: number): void;
  /** The peer's window size, from NAWS (RFC 1073). */
  windowSize?(columns: number, rows: number): void;
  /** The peer's terminal type, from TTYPE (RFC 1091). */
  terminalType?(name: string): void;
}

/**
 * The options a Spindle Telnet server agrees to by default: it will ECHO,
 * suppress go-ahead and send BINARY; it lets the peer report its window
 * size and terminal type, suppress go-ahead and send BINARY. LINEMODE (and
 * any other option) is refused with DONT/WONT, so the peer stays in
 * character mode, which the line editor needs.
 *
 * @example Usage
 * ```ts
 * import { SERVER_OPTION_POLICY, TelnetOption } from "@spindle/spindle/protocols/telnet";
 * console.assert(!SERVER_OPTION_POLICY.remote(TelnetOption.LINEMODE));
 * ```
 */
export const SERVER_OPTION_POLICY: OptionPolicy = {
  local: (option) =>
    option === TelnetOption.ECHO || option === TelnetOption.SGA ||
    option === TelnetOption.BINARY,
  remote: (option) =>
    option === TelnetOption.NAWS || option === TelnetOption.TTYPE ||
    option === TelnetOption.SGA || option === TelnetOption.BINARY,
};

/**
 * Options of {@linkcode TelnetProtocol}.
 *
 * @example Usage
 * ```ts
 * import { SERVER_OPTION_POLICY, type TelnetProtocolOptions } from "@spindle/spindle/protocols/telnet";
 * const options: TelnetProtocolOptions = { policy: SERVER_OPTION_POLICY };
 * console.assert(options.policy !== undefined);
 * ```
 */
export interface TelnetProtocolOptions {
  /** What to agree to when the peer asks; default {@linkcode SERVER_OPTION_POLICY}. */
  policy?: OptionPolicy;
}

const TTYPE_SEND = 1;
const TTYPE_IS = 0;

/**
 * A Telnet connection (RFC 854, Twisted's `TelnetProtocol`): it decodes
 * the stream, negotiates options by the Q method ({@linkcode OptionNegotiator}),
 * asks for the terminal type once TTYPE is on, reads NAWS and TTYPE
 * reports, and hands the application the data and the events. Writes are
 * escaped (IAC doubled; LF sent as CR LF unless BINARY is on).
 *
 * @example Usage
 * ```ts
 * import { TelnetOption, TelnetProtocol } from "@spindle/spindle/protocols/telnet";
 * import { connectedPair } from "@spindle/spindle/reactor";
 * const [client, server] = connectedPair();
 * const telnet = new TelnetProtocol(server, {});
 * telnet.enable("local", TelnetOption.ECHO);
 * console.assert((await client.read())!.join() === "255,251,1");
 * client.abort();
 * server.abort();
 * ```
 */
export class TelnetProtocol {
  /** The connection. */
  readonly conn: Connection;
  /** The state of every option. */
  readonly negotiator: OptionNegotiator;
  #handlers: TelnetHandlers;
  #core = new TelnetDecoderCore();
  #writing: Promise<void> = Promise.resolve();

  /** Wraps `conn`; call {@linkcode TelnetProtocol.run} to start reading. */
  constructor(
    conn: Connection,
    handlers: TelnetHandlers,
    options: TelnetProtocolOptions = {},
  ) {
    this.conn = conn;
    this.#handlers = handlers;
    this.negotiator = new OptionNegotiator({
      send: (verb, option) => this.#send([Telnet.IAC, verb, option]),
      policy: options.policy ?? SERVER_OPTION_POLICY,
      onChange: (side, option, enabled) => {
        if (side === "remote" && option === TelnetOption.TTYPE && enabled) {
          this.#send([
            Telnet.IAC,
            Telnet.SB,
            TelnetOption.TTYPE,
            TTYPE_SEND,
            Telnet.IAC,
            Telnet.SE,
          ]);
        }
        handlers.optionChanged?.(side, option, enabled);
      },
    });
  }

  #send(bytes: number[] | Uint8Array): Promise<void> {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    // One write after another, in order, whoever calls.
    this.#writing = this.#writing.then(() => this.conn.write(data));
    return this.#writing;
  }

  /** Asks to turn `option` on at `side`. */
  enable(side: OptionSide, option: number): void {
    this.negotiator.enable(side, option);
  }

  /** Asks to turn `option` off at `side`. */
  disable(side: OptionSide, option: number): void {
    this.negotiator.disable(side, option);
  }

  /** Sends application data: text is UTF-8; IAC is doubled, LF becomes CR LF unless BINARY is on. */
  write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string"
      ? new TextEncoder().encode(data)
      : data;
    return this.#send(encodeTelnetData(bytes, {
      crlf: !this.negotiator.isEnabled("local", TelnetOption.BINARY),
    }));
  }

  /** Reads the connection until its end, dispatching every event. */
  async run(): Promise<void> {
    const events: TelnetEvent[] = [];
    for (;;) {
      const chunk = await this.conn.read();
      if (chunk === null) break;
      this.#core.decode(chunk, events);
      for (const event of events) await this.#dispatch(event);
      events.length = 0;
    }
    await this.#writing.catch(() => {});
  }

  async #dispatch(event: TelnetEvent): Promise<void> {
    switch (event.type) {
      case "data":
        await this.#handlers.dataReceived?.(event.data);
        return;
      case "command":
        this.#handlers.commandReceived?.(event.command);
        return;
      case "negotiate":
        this.negotiator.receive(event.verb, event.option);
        return;
      case "subnegotiation":
        this.#subnegotiation(event.option, event.data);
    }
  }

  #subnegotiation(option: number, data: Uint8Array): void {
    if (option === TelnetOption.NAWS && data.length === 4) {
      this.#handlers.windowSize?.(
        (data[0]! << 8) | data[1]!,
        (data[2]! << 8) | data[3]!,
      );
    } else if (option === TelnetOption.TTYPE && data[0] === TTYPE_IS) {
      this.#handlers.terminalType?.(
        String.fromCharCode(...data.subarray(1, 41)).replace(
          /[^\x21-\x7e]/g,
          "",
        ),
      );
    }
  }
}
