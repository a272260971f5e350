/**
 * The manhole (Twisted's `twisted.conch.manhole`): a JavaScript REPL inside a
 * running process, over SSH. Each line is evaluated with the names of a
 * namespace in scope (`application` for `spindle run --manhole`), awaited
 * when it is a promise, and its result printed on its own line. In a terminal
 * (`ssh -t`) it edits lines: backspace, left and right arrows, history with
 * up and down, Ctrl-C to drop the line, Ctrl-D to leave.
 *
 * @module
 */
import type { Session, SessionHandler } from "./session.ts";

const AsyncFunction = (async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

// The most lines kept in a session's history.
const MAX_HISTORY = 500;

/**
 * Evaluates one line of JavaScript with `namespace`'s names in scope: as an
 * expression when it is one, otherwise as statements. A declaration
 * (`let x = 1`) keeps its name in `namespace`.
 *
 * @example Usage
 * ```ts
 * import { evaluateLine } from "@spindle/spindle/protocols/ssh";
 * console.assert((await evaluateLine("answer * 2", { answer: 21 })) === 42);
 * ```
 */
export async function evaluateLine(
  code: string,
  namespace: Record<string, unknown>,
): Promise<unknown> {
  // `let x = ...` would die with the function it runs in: keep `x` in the
  // namespace instead, so later lines see it, as in Twisted's manhole.
  const declaration =
    /^\s*(?:let|const|var)\s+([A-Za-z_$][\w$]*)\s*=([\s\S]*?);?\s*$/
      .exec(code);
  if (declaration !== null) {
    namespace[declaration[1]!] = await evaluateLine(declaration[2]!, namespace);
    return undefined;
  }
  const names = Object.keys(namespace).filter((name) =>
    /^[A-Za-z_$][\w$]*$/.test(name)
  );
  let run: (...values: unknown[]) => Promise<unknown>;
  try {
    run = new AsyncFunction(...names, `return (${code}\n);`);
  } catch {
    run = new AsyncFunction(...names, code);
  }
  return await run(...names.map((name) => namespace[name]));
}

function show(value: unknown): string {
  return typeof value === "string"
    ? JSON.stringify(value)
    : Deno.inspect(value, { colors: false, depth: 4 });
}

/**
 * The session handler of a manhole over `namespace`: a REPL in a shell
 * session (line editing when the client asked for a terminal), and one
 * evaluation for `exec`.
 *
 * @example Usage
 * ```ts
 * import { manholeSession } from "@spindle/spindle/protocols/ssh";
 * const handler = manholeSession({ application: { name: "demo" } });
 * console.assert(typeof handler === "function");
 * ```
 */
export function manholeSession(
  namespace: Record<string, unknown>,
): SessionHandler {
  return async (session: Session) => {
    // `_` is the last result, as in Python's REPL and Twisted's manhole.
    const scope: Record<string, unknown> = { ...namespace, _: undefined };
    const writer = session.stdout.getWriter();
    const terminal = session.pty !== null;
    const newline = terminal ? "\r\n" : "\n";
    const write = (text: string) =>
      writer.write(new TextEncoder().encode(text));
    const evaluate = async (code: string) => {
      try {
        const result = await evaluateLine(code, scope);
        scope._ = result;
        await write(show(result).replaceAll("\n", newline) + newline);
      } catch (error) {
        const message = error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
        await write(message + newline);
      }
    };
    if (session.command !== null) {
      await evaluate(session.command);
      await writer.close();
      return 0;
    }
    const prompt = ">>> ";
    await write(
      `Spindle manhole: JavaScript, with ${
        Object.keys(namespace).join(", ") || "nothing"
      } in scope${newline}${prompt}`,
    );
    const editor = new LineEditor();
    const decoder = new TextDecoder();
    for await (const chunk of session.stdin) {
      for (const key of keys(decoder.decode(chunk, { stream: true }))) {
        const action = editor.press(key, terminal);
        if (action.kind === "redraw" && terminal) {
          const back = editor.line.length - editor.cursor;
          await write(
            `\r\x1b[K${prompt}${editor.line}${back > 0 ? `\x1b[${back}D` : ""}`,
          );
        } else if (action.kind === "submit") {
          await write(newline);
          if (action.line.trim() !== "") await evaluate(action.line);
          await write(prompt);
        } else if (action.kind === "cancel") {
          await write(`^C${newline}${prompt}`);
        } else if (action.kind === "exit") {
          await write(newline);
          await writer.close();
          return 0;
        }
      }
    }
    await writer.close();
    return 0;
  };
}

// Splits input into keys: escape sequences whole, other characters one by one.
function* keys(text: string): Generator<string> {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\x1b" && text[i + 1] === "[" && i + 2 < text.length) {
      yield text.slice(i, i + 3);
      i += 2;
    } else yield text[i]!;
  }
}

/**
 * What a key did to the line: nothing to show, a redraw, a line to run,
 * the line dropped (Ctrl-C), or the end of the session (Ctrl-D).
 *
 * @example Usage
 * ```ts
 * import type { EditorAction } from "@spindle/spindle/protocols/ssh";
 * const action: EditorAction = { kind: "submit", line: "1 + 1" };
 * console.assert(action.kind === "submit");
 * ```
 */
export type EditorAction =
  | { kind: "none" | "redraw" | "cancel" | "exit" }
  | { kind: "submit"; line: string };

/**
 * The line editor of the manhole: a line, a cursor in it and a history.
 *
 * @example Usage
 * ```ts
 * import { LineEditor } from "@spindle/spindle/protocols/ssh";
 * const editor = new LineEditor();
 * for (const key of "1+2") editor.press(key, true);
 * editor.press("\x1b[D", true);
 * editor.press("\x7f", true);
 * console.assert(editor.line === "12");
 * ```
 */
export class LineEditor {
  /** The line being edited. */
  line = "";
  /** Where the cursor stands in it. */
  cursor = 0;
  readonly #history: string[] = [];
  #browsing = 0;

  /** Handles one key; says what the terminal must show. */
  press(key: string, terminal: boolean): EditorAction {
    switch (key) {
      case "\r":
      case "\n": {
        const line = this.line;
        if (line.trim() !== "") {
          this.#history.push(line);
          if (this.#history.length > MAX_HISTORY) this.#history.shift();
        }
        this.line = "";
        this.cursor = 0;
        this.#browsing = this.#history.length;
        return { kind: "submit", line };
      }
      case "\x7f":
      case "\b":
        if (this.cursor === 0) return { kind: "none" };
        this.line = this.line.slice(0, this.cursor - 1) +
          this.line.slice(this.cursor);
        this.cursor--;
        return { kind: "redraw" };
      case "\x03":
        this.line = "";
        this.cursor = 0;
        return { kind: "cancel" };
      case "\x04":
        return this.line === "" ? { kind: "exit" } : { kind: "none" };
      case "\x1b[D":
        this.cursor = Math.max(0, this.cursor - 1);
        return { kind: "redraw" };
      case "\x1b[C":
        this.cursor = Math.min(this.line.length, this.cursor + 1);
        return { kind: "redraw" };
      case "\x1b[A":
      case "\x1b[B": {
        const step = key === "\x1b[A" ? -1 : 1;
        const next = Math.max(
          0,
          Math.min(this.#history.length, this.#browsing + step),
        );
        this.#browsing = next;
        this.line = this.#history[next] ?? "";
        this.cursor = this.line.length;
        return { kind: "redraw" };
      }
    }
    if (key.startsWith("\x1b") || key < " ") return { kind: "none" };
    this.line = this.line.slice(0, this.cursor) + key +
      this.line.slice(this.cursor);
    this.cursor += key.length;
    return terminal ? { kind: "redraw" } : { kind: "none" };
  }
}
