// bcrypt_pbkdf (OpenBSD's, as OpenSSH uses it to encrypt private keys):
// PBKDF2-like rounds of SHA-512 and a bcrypt hash built on Blowfish. Web
// Crypto has neither Blowfish nor this KDF, so both are here, in plain
// TypeScript; their initial state is the hexadecimal digits of pi, computed
// once (Machin's formula over BigInts) rather than pasted as 4 KiB of
// constants.

// The 18 P words and 4 x 256 S words: the first 8336 hex digits of pi's
// fraction, in order.
let PI_WORDS: Uint32Array | null = null;

function piWords(): Uint32Array {
  if (PI_WORDS !== null) return PI_WORDS;
  const words = 18 + 4 * 256;
  const bits = BigInt(words * 32 + 64);
  const one = 1n << bits;
  const arctanInverse = (x: bigint) => {
    let sum = 0n;
    let term = one / x;
    const square = x * x;
    for (let k = 1n; term !== 0n; k += 2n) {
      sum += ((k - 1n) / 2n) % 2n === 0n ? term / k : -(term / k);
      term /= square;
    }
    return sum;
  };
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
  // The fraction, shifted so that its first 32 bits come first.
  let fraction = (pi - 3n * one) >> 64n;
  const out = new Uint32Array(words);
  for (let i = words - 1; i >= 0; i--) {
    out[i] = Number(fraction & 0xffffffffn);
    fraction >>= 32n;
  }
  PI_WORDS = out;
  return out;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;

  constructor() {
    const words = piWords();
    this.p = words.slice(0, 18);
    this.s = words.slice(18);
  }

  // Enciphers the pair in `block` (two words) in place.
  encipher(block: Uint32Array, at: number): void {
    const p = this.p;
    const s = this.s;
    let l = block[at]!;
    let r = block[at + 1]!;
    l ^= p[0]!;
    for (let i = 1; i <= 16; i += 2) {
      r ^= (((s[l >>> 24]! + s[256 | ((l >>> 16) & 0xff)]!) ^
        s[512 | ((l >>> 8) & 0xff)]!) + s[768 | (l & 0xff)]!) ^ p[i]!;
      l ^= (((s[r >>> 24]! + s[256 | ((r >>> 16) & 0xff)]!) ^
        s[512 | ((r >>> 8) & 0xff)]!) + s[768 | (r & 0xff)]!) ^ p[i + 1]!;
    }
    block[at] = (r ^ p[17]!) >>> 0;
    block[at + 1] = l >>> 0;
  }

  // Blowfish_expandstate (with `data`) or Blowfish_expand0state (without).
  expand(key: Uint8Array, data: Uint8Array | null): void {
    const keyStream = new WordStream(key);
    for (let i = 0; i < 18; i++) {
      this.p[i] = (this.p[i]! ^ keyStream.next()) >>> 0;
    }
    const dataStream = data === null ? null : new WordStream(data);
    const block = new Uint32Array(2);
    const fill = (target: Uint32Array, count: number) => {
      for (let i = 0; i < count; i += 2) {
        if (dataStream !== null) {
          block[0] = (block[0]! ^ dataStream.next()) >>> 0;
          block[1] = (block[1]! ^ dataStream.next()) >>> 0;
        }
        this.encipher(block, 0);
        target[i] = block[0]!;
        target[i + 1] = block[1]!;
      }
    };
    fill(this.p, 18);
    fill(this.s, 1024);
  }
}

// Reads big-endian words from `bytes`, around and around.
class WordStream {
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  next(): number {
    let word = 0;
    for (let i = 0; i < 4; i++) {
      word = (word << 8) | this.#bytes[this.#at]!;
      this.#at = (this.#at + 1) % this.#bytes.length;
    }
    return word >>> 0;
  }
}

const MAGIC = new TextEncoder().encode("OxychromaticBlowfishSwatDynamite");

function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array): Uint8Array {
  const state = new Blowfish();
  state.expand(sha2pass, sha2salt);
  for (let i = 0; i < 64; i++) {
    state.expand(sha2salt, null);
    state.expand(sha2pass, null);
  }
  const words = new Uint32Array(8);
  const stream = new WordStream(MAGIC);
  for (let i = 0; i < 8; i++) words[i] = stream.next();
  for (let round = 0; round < 64; round++) {
    for (let i = 0; i < 8; i += 2) state.encipher(words, i);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = words[i]!;
    out[4 * i + 3] = word >>> 24;
    out[4 * i + 2] = (word >>> 16) & 0xff;
    out[4 * i + 1] = (word >>> 8) & 0xff;
    out[4 * i] = word & 0xff;
  }
  return out;
}

const sha512 = async (data: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest("SHA-512", data.slice()));

/** `length` bytes of key material from `passphrase` and `salt`, in `rounds` rounds. */
export async function bcryptPbkdf(
  passphrase: Uint8Array,
  salt: Uint8Array,
  length: number,
  rounds: number,
): Promise<Uint8Array> {
  const key = new Uint8Array(length);
  const stride = Math.ceil(length / 32);
  const amount = Math.ceil(length / stride);
  const sha2pass = await sha512(passphrase);
  let left = length;
  for (let count = 1; left > 0; count++) {
    const countSalt = new Uint8Array(salt.length + 4);
    countSalt.set(salt);
    new DataView(countSalt.buffer).setUint32(salt.length, count);
    let tmp = bcryptHash(sha2pass, await sha512(countSalt));
    const out = tmp.slice();
    for (let round = 1; round < rounds; round++) {
      tmp = bcryptHash(sha2pass, await sha512(tmp));
      for (let i = 0; i < out.length; i++) out[i]! ^= tmp[i]!;
    }
    let written = 0;
    for (; written < Math.min(amount, left); written++) {
      const dest = written * stride + (count - 1);
      if (dest >= length) break;
      key[dest] = out[written]!;
    }
    left -= written;
  }
  return key;
}
