/**
 * A line editor for character-mode Telnet sessions: editing keys, a
 * cursor, and history, as readline gives a shell.
 *
 * @module
 */
import { DEFAULT_HISTORY_SIZE, MAX_EDITED_LINE } from "./limits.ts";

/**
 * Options of {@linkcode LineEditor}.
 *
 * @example Usage
 * ```ts
 * import type { LineEditorOptions } from "@spindle/spindle/protocols/telnet";
 * const options: LineEditorOptions = { write: () => {}, onLine: () => {}, prompt: "> " };
 * console.assert(options.prompt === "> ");
 * ```
 */
export interface LineEditorOptions {
  /** Sends text to the terminal (what is typed is echoed through it). */
  write(text: string): void;
  /**
   * Whether the server echoes what is typed (Telnet's ECHO is on here);
   * when not, the client echoes and edits locally, so nothing is written
   * back. Default: always.
   */
  echo?: () => boolean;
  /** Called with each line entered. */
  onLine(line: string): void | Promise<void>;
  /** Shown before each line; default `"> "`. */
  prompt?: string;
  /** How many lines the history keeps; default {@linkcode DEFAULT_HISTORY_SIZE}. */
  historySize?: number;
}

/**
 * Edits lines from a terminal in character mode (the server echoes):
 * printable characters insert at the cursor; Backspace or DEL deletes
 * before it; Left and Right move it; Up and Down walk the history; Ctrl-A
 * and Ctrl-E go to the start and end; Ctrl-U clears the line; Enter hands
 * the line to `onLine` (and to the history). Lines are cut at
 * {@linkcode MAX_EDITED_LINE} characters.
 *
 * @example Usage
 * ```ts
 * import { LineEditor } from "@spindle/spindle/protocols/telnet";
 * const lines: string[] = [];
 * const editor = new LineEditor({ write: () => {}, onLine: (line) => void lines.push(line) });
 * await editor.feed(new TextEncoder().encode("helo\x1b[Dl\r"));
 * console.assert(lines[0] === "hello");
 * ```
 */
export class LineEditor {
  #options: LineEditorOptions;
  #prompt: string;
  #historySize: number;
  #line = "";
  #cursor = 0;
  #history: string[] = [];
  #browsing = -1; // index into the history while walking it; -1: not
  #escape = ""; // an escape sequence being read
  #afterCr = false;

  /** An editor writing through `options.write`. */
  constructor(options: LineEditorOptions) {
    this.#options = options;
    this.#prompt = options.prompt ?? "> ";
    this.#historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
  }

  /** The line as typed so far. */
  get line(): string {
    return this.#line;
  }

  /** The lines entered, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /** Shows the prompt (at the start, and after each line if the caller wants). */
  showPrompt(): void {
    this.#options.write(this.#prompt);
  }

  #echoWrite(text: string): void {
    if (this.#options.echo?.() ?? true) this.#options.write(text);
  }

  #redraw(): void {
    const back = this.#line.length - this.#cursor;
    this.#echoWrite(
      `\r${this.#prompt}${this.#line}\x1b[K${back > 0 ? `\x1b[${back}D` : ""}`,
    );
  }

  #replace(line: string): void {
    this.#line = line;
    this.#cursor = line.length;
    this.#redraw();
  }

  /** Handles the bytes the terminal sent. */
  async feed(data: Uint8Array): Promise<void> {
    for (const byte of data) {
      const char = String.fromCharCode(byte);
      if (this.#escape !== "") {
        this.#escape += char;
        if (this.#escape.length === 2 && char !== "[" && char !== "O") {
          this.#escape = "";
        } else if (this.#escape.length >= 3 && /[A-Za-z~]/.test(char)) {
          this.#key(this.#escape.slice(2));
          this.#escape = "";
        } else if (this.#escape.length > 8) this.#escape = "";
        continue;
      }
      if (byte === 10 && this.#afterCr) {
        this.#afterCr = false;
        continue;
      }
      this.#afterCr = byte === 13;
      if (byte === 13 || byte === 10) await this.#enter();
      else if (byte === 27) this.#escape = char;
      else if (byte === 127 || byte === 8) this.#backspace();
      else if (byte === 1) this.#move(-this.#cursor);
      else if (byte === 5) this.#move(this.#line.length - this.#cursor);
      else if (byte === 21) this.#replace("");
      else if (byte >= 32 && byte < 127) this.#insert(char);
    }
  }

  #key(code: string): void {
    if (code === "A") this.#walk(-1);
    else if (code === "B") this.#walk(1);
    else if (code === "C") this.#move(1);
    else if (code === "D") this.#move(-1);
    else if (code === "H") this.#move(-this.#cursor);
    else if (code === "F") this.#move(this.#line.length - this.#cursor);
  }

  #walk(step: number): void {
    if (this.#history.length === 0) return;
    let at = this.#browsing === -1 ? this.#history.length : this.#browsing;
    at = Math.max(0, Math.min(this.#history.length, at + step));
    this.#browsing = at === this.#history.length ? -1 : at;
    this.#replace(this.#browsing === -1 ? "" : this.#history[at]!);
  }

  #move(by: number): void {
    const to = Math.max(0, Math.min(this.#line.length, this.#cursor + by));
    if (to === this.#cursor) return;
    const delta = to - this.#cursor;
    this.#cursor = to;
    this.#echoWrite(delta > 0 ? `\x1b[${delta}C` : `\x1b[${-delta}D`);
  }

  #insert(char: string): void {
    if (this.#line.length >= MAX_EDITED_LINE) return;
    const atEnd = this.#cursor === this.#line.length;
    this.#line = this.#line.slice(0, this.#cursor) + char +
      this.#line.slice(this.#cursor);
    this.#cursor++;
    if (atEnd) this.#echoWrite(char);
    else this.#redraw();
  }

  #backspace(): void {
    if (this.#cursor === 0) return;
    this.#line = this.#line.slice(0, this.#cursor - 1) +
      this.#line.slice(this.#cursor);
    this.#cursor--;
    this.#redraw();
  }

  async #enter(): Promise<void> {
    const line = this.#line;
    this.#line = "";
    this.#cursor = 0;
    this.#browsing = -1;
    this.#echoWrite("\r\n");
    if (line.trim() !== "" && this.#history.at(-1) !== line) {
      this.#history.push(line);
      if (this.#history.length > this.#historySize) this.#history.shift();
    }
    await this.#options.onLine(line);
  }
}
