/**
 * Request targets as log records show them: cut to 1 KiB, so a client that
 * sends a 16 KiB path cannot make every log line it causes 16 KiB long.
 *
 * @module
 */

/** The longest request target written to a log record whole, in characters (bytes: targets are ASCII or Latin-1). */
const MAX_LOGGED_TARGET = 1024;

/** `target` whole when it is short, else its first 1 KiB and a marker saying how much was cut. */
export function loggedTarget(target: string): string {
  if (target.length <= MAX_LOGGED_TARGET) return target;
  return `${target.slice(0, MAX_LOGGED_TARGET)}...[${
    target.length - MAX_LOGGED_TARGET
  } more bytes cut]`;
}
