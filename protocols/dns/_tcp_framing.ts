/**
 * The length-prefixed framing of DNS over TCP (RFC 1035 §4.2.2): a 2-byte
 * prefix, so at most {@linkcode MAX_MESSAGE_SIZE} bytes a message.
 *
 * @module
 */
import type { LengthPrefixedOptions } from "../basic/length_prefixed.ts";
import { MAX_MESSAGE_SIZE } from "./limits.ts";

/** The options of the length-prefixed cores for DNS over TCP. */
export const TCP_FRAMING: Readonly<LengthPrefixedOptions> = Object.freeze({
  prefixLength: 2,
  maxLength: MAX_MESSAGE_SIZE,
});
