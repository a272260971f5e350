/**
 * The Huffman code of HPACK (RFC 7541 §5.2, Appendix B).
 *
 * The code is canonical: codes are assigned in order of length, then symbol,
 * so the bit lengths alone (Appendix B's third column) define it, and
 * decoding needs no tree — per length, the first code and where its symbols
 * start in the sorted list.
 *
 * @module
 */
import { HPACKDecodingError } from "./errors.ts";

// Appendix B, the code length in bits of symbols 0..255 and of EOS (256).
const LENGTHS = [
  13,
  23,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  24,
  30,
  28,
  28,
  30,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  30,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  6,
  10,
  10,
  12,
  13,
  6,
  8,
  11,
  10,
  10,
  8,
  11,
  8,
  6,
  6,
  6,
  5,
  5,
  5,
  6,
  6,
  6,
  6,
  6,
  6,
  6,
  7,
  8,
  15,
  6,
  12,
  10,
  13,
  6,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  8,
  7,
  8,
  13,
  19,
  13,
  14,
  6,
  15,
  5,
  6,
  5,
  6,
  5,
  6,
  6,
  6,
  5,
  7,
  7,
  6,
  6,
  6,
  5,
  6,
  7,
  6,
  5,
  5,
  6,
  7,
  7,
  7,
  7,
  7,
  15,
  11,
  14,
  13,
  28,
  20,
  22,
  20,
  20,
  22,
  22,
  22,
  23,
  22,
  23,
  23,
  23,
  23,
  23,
  24,
  23,
  24,
  24,
  22,
  23,
  24,
  23,
  23,
  23,
  23,
  21,
  22,
  23,
  22,
  23,
  23,
  24,
  22,
  21,
  20,
  22,
  22,
  23,
  23,
  21,
  23,
  22,
  22,
  24,
  21,
  22,
  23,
  23,
  21,
  21,
  22,
  21,
  23,
  22,
  23,
  23,
  20,
  22,
  22,
  22,
  23,
  22,
  22,
  23,
  26,
  26,
  20,
  19,
  22,
  23,
  22,
  25,
  26,
  26,
  26,
  27,
  27,
  26,
  24,
  25,
  19,
  21,
  26,
  27,
  27,
  26,
  27,
  24,
  21,
  21,
  26,
  26,
  28,
  27,
  27,
  27,
  20,
  24,
  20,
  21,
  22,
  21,
  21,
  23,
  22,
  22,
  25,
  25,
  24,
  24,
  26,
  23,
  26,
  27,
  26,
  26,
  27,
  27,
  27,
  27,
  27,
  28,
  27,
  27,
  27,
  27,
  27,
  26,
  30,
];
const EOS = 256;
const MAX_LENGTH = 30;

/** Each symbol's code (for the encoder). */
const CODES = new Uint32Array(257);
/** Per length: the first code of that length, and the index in SORTED of its symbol (decoder). */
const FIRST_CODE = new Int32Array(MAX_LENGTH + 2);
const FIRST_INDEX = new Int32Array(MAX_LENGTH + 2);
const COUNT = new Int32Array(MAX_LENGTH + 2);
/** The symbols sorted by (length, symbol). */
const SORTED = new Uint16Array(257);

{
  const order = [...LENGTHS.keys()].sort((a, b) =>
    LENGTHS[a]! - LENGTHS[b]! || a - b
  );
  let code = 0;
  let length = LENGTHS[order[0]!]!;
  for (let i = 0; i < order.length; i++) {
    const symbol = order[i]!;
    const len = LENGTHS[symbol]!;
    if (i > 0) code = (code + 1) * 2 ** (len - length);
    if (i === 0 || len !== length) {
      FIRST_CODE[len] = code;
      FIRST_INDEX[len] = i;
    }
    length = len;
    COUNT[len]!++;
    CODES[symbol] = code;
    SORTED[i] = symbol;
  }
}

// The encoder takes strings of byte values (latin1, as field values are
// kept): coding them without a copy into bytes spares an allocation per field.

/** The length in bytes of `text` (byte values) Huffman-coded. */
export function huffmanLength(text: string): number {
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    bits += LENGTHS[text.charCodeAt(i) & 0xff]!;
  }
  return Math.ceil(bits / 8);
}

/** Huffman-codes `text` (byte values) into `out` at `offset` (room for `huffmanLength` bytes); returns the end offset. */
export function huffmanEncode(
  text: string,
  out: Uint8Array,
  offset: number,
): number {
  // Up to 30 + 7 bits wait in `acc`: numbers, not 32-bit shifts.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const symbol = text.charCodeAt(i) & 0xff;
    const len = LENGTHS[symbol]!;
    acc = acc * 2 ** len + CODES[symbol]!;
    bits += len;
    while (bits >= 8) {
      bits -= 8;
      const scale = 2 ** bits;
      const byte = Math.floor(acc / scale);
      out[offset++] = byte;
      acc -= byte * scale;
    }
  }
  // Padding: the most significant bits of EOS, all ones (§5.2).
  if (bits > 0) out[offset++] = (acc << (8 - bits)) | (0xff >> bits);
  return offset;
}

/**
 * Decodes Huffman-coded `bytes` into a string of byte values (latin1).
 * Padding longer than 7 bits, padding not all ones, and an EOS symbol are
 * decoding errors (§5.2).
 */
export function huffmanDecode(bytes: Uint8Array): string {
  let out = "";
  let code = 0;
  let len = 0;
  let ones = true;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      code = code * 2 + b;
      len++;
      ones &&= b === 1;
      const offset = code - FIRST_CODE[len]!;
      if (COUNT[len]! > 0 && offset >= 0 && offset < COUNT[len]!) {
        const symbol = SORTED[FIRST_INDEX[len]! + offset]!;
        if (symbol === EOS) {
          throw new HPACKDecodingError(
            "a Huffman-coded string holds the EOS symbol (RFC 7541 §5.2)",
          );
        }
        out += String.fromCharCode(symbol);
        code = 0;
        len = 0;
        ones = true;
      } else if (len >= MAX_LENGTH) {
        throw new HPACKDecodingError("a Huffman-coded string is malformed");
      }
    }
  }
  if (len > 7 || !ones) {
    throw new HPACKDecodingError(
      "a Huffman-coded string ends with bad padding: pad with at most 7 one bits (RFC 7541 §5.2)",
    );
  }
  return out;
}
