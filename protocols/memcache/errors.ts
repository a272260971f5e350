/**
 * The errors of the memcache client.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * A key memcached would not take: empty, longer than 250 bytes, or with
 * spaces or control characters.
 *
 * @example Usage
 * ```ts
 * import { InvalidKeyError, validateKey } from "@spindle/spindle/protocols/memcache";
 * try {
 *   validateKey("two words");
 * } catch (error) {
 *   console.assert(error instanceof InvalidKeyError);
 * }
 * ```
 */
export class InvalidKeyError extends RangeError {
  /** Creates the error for `key` and what is wrong with it. */
  constructor(key: string, reason: string) {
    super(
      `The memcache key ${
        JSON.stringify(key.slice(0, 60))
      } ${reason}: keys are 1 to 250 bytes without spaces or control characters (hash longer ones)`,
    );
    this.name = "InvalidKeyError";
  }
}

/**
 * A value larger than the client's `maxValueSize`, stored or received.
 *
 * @example Usage
 * ```ts
 * import { ValueTooLargeError } from "@spindle/spindle/protocols/memcache";
 * console.assert(new ValueTooLargeError(2048, 1024).size === 2048);
 * ```
 */
export class ValueTooLargeError extends ProtocolError {
  /** The value's size, in bytes. */
  readonly size: number;
  /** Creates the error for a value of `size` bytes over `limit`. */
  constructor(size: number, limit: number) {
    super(
      `A memcache value of ${size} bytes is over the limit of ${limit}: raise maxValueSize (and memcached's -I) or store smaller values`,
    );
    this.size = size;
  }
}

/**
 * memcached answered a command with `ERROR`, `CLIENT_ERROR` or
 * `SERVER_ERROR`.
 *
 * @example Usage
 * ```ts
 * import { MemcacheServerError } from "@spindle/spindle/protocols/memcache";
 * const error = new MemcacheServerError("SERVER_ERROR out of memory");
 * console.assert(error.kind === "SERVER_ERROR");
 * ```
 */
export class MemcacheServerError extends Error {
  /** `ERROR`, `CLIENT_ERROR` or `SERVER_ERROR`. */
  readonly kind: string;
  /** Creates the error from the server's line. */
  constructor(line: string) {
    super(`memcached answered ${JSON.stringify(line)}: the command failed`);
    this.name = "MemcacheServerError";
    this.kind = line.split(" ", 1)[0]!;
  }
}

/**
 * memcached sent something that is not a response of its text protocol,
 * or not the one the command expects.
 *
 * @example Usage
 * ```ts
 * import { MalformedResponseError } from "@spindle/spindle/protocols/memcache";
 * console.assert(new MalformedResponseError("HELLO").message.includes("HELLO"));
 * ```
 */
export class MalformedResponseError extends ProtocolError {
  /** Creates the error for the line received. */
  constructor(line: string) {
    super(
      `The memcache server sent ${
        JSON.stringify(line.slice(0, 80))
      }, which is not a response of the text protocol: the connection was closed`,
    );
  }
}
