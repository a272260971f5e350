/**
 * The names AMP gives things on the wire: the keys that route a box, and the
 * error codes every peer knows. The same as `twisted.protocols.amp`'s.
 *
 * @module
 */

/**
 * The key of a command's request tag: the peer answers with it.
 *
 * @example Usage
 * ```ts
 * import { ASK } from "@spindle/spindle/protocols/amp";
 * console.assert(ASK === "_ask");
 * ```
 */
export const ASK = "_ask";

/**
 * The key of an answer: the tag of the command it answers.
 *
 * @example Usage
 * ```ts
 * import { ANSWER } from "@spindle/spindle/protocols/amp";
 * console.assert(ANSWER === "_answer");
 * ```
 */
export const ANSWER = "_answer";

/**
 * The key of a command's name.
 *
 * @example Usage
 * ```ts
 * import { COMMAND } from "@spindle/spindle/protocols/amp";
 * console.assert(COMMAND === "_command");
 * ```
 */
export const COMMAND = "_command";

/**
 * The key of an error answer: the tag of the command that failed.
 *
 * @example Usage
 * ```ts
 * import { ERROR } from "@spindle/spindle/protocols/amp";
 * console.assert(ERROR === "_error");
 * ```
 */
export const ERROR = "_error";

/**
 * The key of an error answer's code.
 *
 * @example Usage
 * ```ts
 * import { ERROR_CODE } from "@spindle/spindle/protocols/amp";
 * console.assert(ERROR_CODE === "_error_code");
 * ```
 */
export const ERROR_CODE = "_error_code";

/**
 * The key of an error answer's description.
 *
 * @example Usage
 * ```ts
 * import { ERROR_DESCRIPTION } from "@spindle/spindle/protocols/amp";
 * console.assert(ERROR_DESCRIPTION === "_error_description");
 * ```
 */
export const ERROR_DESCRIPTION = "_error_description";

/**
 * The AMP error code of an error the responder did not declare.
 *
 * @example Usage
 * ```ts
 * import { UNKNOWN_ERROR_CODE } from "@spindle/spindle/protocols/amp";
 * console.assert(UNKNOWN_ERROR_CODE === "UNKNOWN");
 * ```
 */
export const UNKNOWN_ERROR_CODE = "UNKNOWN";

/**
 * The AMP error code sent when no responder is registered for a command.
 *
 * @example Usage
 * ```ts
 * import { UNHANDLED_ERROR_CODE } from "@spindle/spindle/protocols/amp";
 * console.assert(UNHANDLED_ERROR_CODE === "UNHANDLED");
 * ```
 */
export const UNHANDLED_ERROR_CODE = "UNHANDLED";

/**
 * The AMP error code of a StartTLS that cannot be done (Twisted's, for a
 * peer without TLS); Spindle sends it when TLS already started.
 *
 * @example Usage
 * ```ts
 * import { TLS_ERROR_CODE } from "@spindle/spindle/protocols/amp";
 * console.assert(TLS_ERROR_CODE === "TLS_ERROR");
 * ```
 */
export const TLS_ERROR_CODE = "TLS_ERROR";
