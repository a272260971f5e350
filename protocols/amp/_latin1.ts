// Byte strings as text, for the AMP modules. Tags, error codes, numbers and
// most keys are short ASCII: copying char codes beats TextEncoder/TextDecoder
// calls for them.

/** Each byte as one char (Latin-1): lossless for any bytes. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** The bytes of a string known to be ASCII (numbers, tags, codes). */
export function asciiToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
