/**
 * The AMP message: a box of keys and byte values.
 *
 * @module
 */

/**
 * One AMP box: keys (UTF-8 on the wire) mapped to raw byte values, in the
 * order they were received or will be sent.
 *
 * @example Usage
 * ```ts
 * import { type AmpBox, encodeBox } from "@spindle/spindle/protocols/amp";
 * const box: AmpBox = new Map([["_command", new TextEncoder().encode("Sum")]]);
 * console.assert(encodeBox(box).length > 0);
 * ```
 */
export type AmpBox = Map<string, Uint8Array>;
