/**
 * A line-oriented Telnet server: character mode with server-side echo, a
 * line editor with history, and the terminal's size and type.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { TelnetOption } from "./constants.ts";
import { LineEditor } from "./line_editor.ts";
import { TelnetProtocol } from "./protocol.ts";
import { Telnet } from "./constants.ts";

/**
 * One client of {@linkcode telnetLineHandler}, as its line handler sees it.
 *
 * @example Usage
 * ```ts
 * import type { TelnetSession } from "@spindle/spindle/protocols/telnet";
 * function greet(session: TelnetSession): void {
 *   session.write(`hello, ${session.terminalType ?? "terminal"}\n`);
 * }
 * console.assert(typeof greet === "function");
 * ```
 */
export interface TelnetSession {
  /** Sends text (LF becomes CR LF). */
  write(text: string): void;
  /** Ends the session once what was written is sent. */
  close(): void;
  /** The terminal's size from NAWS, once the client told it. */
  readonly windowSize: { columns: number; rows: number } | undefined;
  /** The terminal type from TTYPE, once the client told it. */
  readonly terminalType: string | undefined;
  /** The lines entered so far, oldest first. */
  readonly history: readonly string[];
}

/**
 * Options of {@linkcode telnetLineHandler}.
 *
 * @example Usage
 * ```ts
 * import type { TelnetLineOptions } from "@spindle/spindle/protocols/telnet";
 * const options: TelnetLineOptions = { greeting: "Welcome!\n", prompt: "$ " };
 * console.assert(options.prompt === "$ ");
 * ```
 */
export interface TelnetLineOptions {
  /** Sent when a client connects. */
  greeting?: string;
  /** Shown before each line; default `"> "`. */
  prompt?: string;
  /** How many lines each session's history keeps. */
  historySize?: number;
}

/**
 * A line of a {@linkcode telnetLineHandler} session: what it returns (if
 * text) is sent back before the next prompt.
 *
 * @example Usage
 * ```ts
 * import type { TelnetLineCallback } from "@spindle/spindle/protocols/telnet";
 * const shout: TelnetLineCallback = (line) => line.toUpperCase();
 * console.assert(shout("hi", undefined!) === "HI");
 * ```
 */
export type TelnetLineCallback = (
  line: string,
  session: TelnetSession,
) => string | void | Promise<string | void>;

/**
 * A connection handler for text UIs over Telnet: it asks the client for
 * character mode with server-side echo (WILL ECHO, WILL SGA), for its
 * window size (DO NAWS) and terminal type (DO TTYPE), refuses LINEMODE,
 * edits lines with {@linkcode LineEditor} (history on the arrow keys) and
 * calls `onLine` for each. A client that refuses the options (a plain
 * socket, Python's `telnetlib`) still works: it echoes and edits locally.
 * Ctrl-C (IP) ends the session.
 *
 * @example Usage
 * ```ts
 * import { telnetLineHandler } from "@spindle/spindle/protocols/telnet";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 * const reactor = new DenoReactor();
 * const handler = telnetLineHandler((line) => line.toUpperCase());
 * const port = await reactor.listenTCP(0, handler, { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export function telnetLineHandler(
  onLine: TelnetLineCallback,
  options: TelnetLineOptions = {},
): (conn: Connection) => Promise<void> {
  return async (conn) => {
    let windowSize: TelnetSession["windowSize"];
    let terminalType: string | undefined;
    let closing = false;
    const telnet: TelnetProtocol = new TelnetProtocol(conn, {
      dataReceived: (data): Promise<void> | undefined =>
        closing ? undefined : editor.feed(data),
      windowSize: (columns, rows) => windowSize = { columns, rows },
      terminalType: (name) => terminalType = name,
      commandReceived: (command) => {
        if (command === Telnet.IP) session.close();
      },
    });
    const session: TelnetSession = {
      write: (text) => void telnet.write(text).catch(() => {}),
      close: () => {
        if (closing) return;
        closing = true;
        telnet.write("").then(() => conn.closeWrite()).then(
          () => conn.close(),
          () => conn.abort(),
        );
      },
      get windowSize() {
        return windowSize;
      },
      get terminalType() {
        return terminalType;
      },
      get history() {
        return editor.history;
      },
    };
    const editor: LineEditor = new LineEditor({
      write: session.write,
      echo: (): boolean =>
        telnet.negotiator.isEnabled("local", TelnetOption.ECHO),
      prompt: options.prompt,
      historySize: options.historySize,
      onLine: async (line) => {
        const reply = await onLine(line, session);
        if (typeof reply === "string" && reply !== "") {
          session.write(reply.endsWith("\n") ? reply : `${reply}\n`);
        }
        if (!closing) editor.showPrompt();
      },
    });
    telnet.enable("local", TelnetOption.ECHO);
    telnet.enable("local", TelnetOption.SGA);
    telnet.enable("remote", TelnetOption.SGA);
    telnet.enable("remote", TelnetOption.NAWS);
    telnet.enable("remote", TelnetOption.TTYPE);
    if (options.greeting !== undefined) session.write(options.greeting);
    editor.showPrompt();
    await telnet.run();
  };
}
