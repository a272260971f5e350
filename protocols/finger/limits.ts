/**
 * The limits of the finger server and client, each with its reason.
 *
 * @module
 */

/**
 * The longest query line the server reads, in bytes. RFC 1288 sets none;
 * a user name and a few host names fit many times over.
 *
 * @example Usage
 * ```ts
 * import { MAX_QUERY_LENGTH } from "@spindle/spindle/protocols/finger";
 * console.assert(MAX_QUERY_LENGTH === 1024);
 * ```
 */
export const MAX_QUERY_LENGTH = 1024;

/**
 * Milliseconds a client has to send its query before the server closes the
 * connection: the query is one line, sent at once by every real client.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_QUERY_TIMEOUT } from "@spindle/spindle/protocols/finger";
 * console.assert(DEFAULT_QUERY_TIMEOUT === 10_000);
 * ```
 */
export const DEFAULT_QUERY_TIMEOUT = 10_000;

/**
 * The largest answer the client reads, in bytes; a server that sends more
 * fails the query with `FingerResponseTooLargeError`. RFC 1288 sets no
 * limit; a plan file is a few lines.
 *
 * @example Usage
 * ```ts
 * import { MAX_RESPONSE_SIZE } from "@spindle/spindle/protocols/finger";
 * console.assert(MAX_RESPONSE_SIZE === 1024 * 1024);
 * ```
 */
export const MAX_RESPONSE_SIZE = 1024 * 1024;

/**
 * The limits of the finger server.
 *
 * @example Usage
 * ```ts
 * import type { FingerServerLimits } from "@spindle/spindle/protocols/finger";
 * const limits: FingerServerLimits = { maxQueryLength: 256 };
 * console.assert(limits.maxQueryLength === 256);
 * ```
 */
export interface FingerServerLimits {
  /** The longest query line, in bytes; default {@linkcode MAX_QUERY_LENGTH}. */
  maxQueryLength?: number;
  /** Milliseconds to wait for the query; default {@linkcode DEFAULT_QUERY_TIMEOUT}. */
  queryTimeout?: number;
}

/**
 * The limits of the finger client.
 *
 * @example Usage
 * ```ts
 * import type { FingerClientLimits } from "@spindle/spindle/protocols/finger";
 * const limits: FingerClientLimits = { maxResponseSize: 4096 };
 * console.assert(limits.maxResponseSize === 4096);
 * ```
 */
export interface FingerClientLimits {
  /** The largest answer read, in bytes; default {@linkcode MAX_RESPONSE_SIZE}. */
  maxResponseSize?: number;
}

/**
 * The largest plan file `PlanDirectory` reads, in bytes; a longer
 * one is cut there. A plan is a few lines; this keeps one huge file from
 * filling the server's memory.
 *
 * @example Usage
 * ```ts
 * import { MAX_PLAN_SIZE } from "@spindle/spindle/protocols/finger";
 * console.assert(MAX_PLAN_SIZE === 64 * 1024);
 * ```
 */
export const MAX_PLAN_SIZE = 64 * 1024;
