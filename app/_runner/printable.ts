// Error messages reach a terminal, and they quote what a person (or a script
// gone wrong) typed: a token of binary garbage must neither flood the screen
// nor send it control characters.

// Longer runs of non-space characters are cut to their first LONG_KEPT ones.
const LONG_TOKEN = 120;
const LONG_KEPT = 60;
// A message is one line: longer ones are cut there.
const LONGEST_MESSAGE = 400;

/**
 * `text` with control characters (and the U+FFFD that stands for bytes that
 * were not UTF-8) escaped, long tokens cut, and cut to one screen line or so.
 */
export function printable(text: string): string {
  const escaped = text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\ufffd]/g,
    (c) =>
      c === "\ufffd"
        ? "\\ufffd"
        : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  const short = escaped.replace(
    new RegExp(`\\S{${LONG_TOKEN + 1},}`, "g"),
    (token) => `${token.slice(0, LONG_KEPT)}... (${token.length} characters)`,
  );
  return short.length <= LONGEST_MESSAGE
    ? short
    : `${short.slice(0, LONGEST_MESSAGE)}... (cut)`;
}
