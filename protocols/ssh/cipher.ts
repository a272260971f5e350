/**
 * The packet ciphers and MACs of the binary packet protocol (RFC 4253 §6),
 * on Web Crypto: `aes256-gcm@openssh.com` and `aes128-gcm@openssh.com`
 * (RFC 5647 as OpenSSH does it: the length in clear as associated data),
 * `aes128-ctr`/`aes256-ctr` (RFC 4344) with `hmac-sha2-256`/`hmac-sha2-512`
 * (RFC 6668), each also in OpenSSH's encrypt-then-MAC form (`-etm@openssh.com`).
 *
 * Sealing and opening are asynchronous (Web Crypto), but each takes its
 * sequence number and counter when it is called, so the packet layer runs
 * several at once and keeps them in order.
 *
 * @module
 */
import { MACError } from "./errors.ts";

/**
 * The ciphers we offer, most preferred first.
 *
 * @example Usage
 * ```ts
 * import { CIPHERS } from "@spindle/spindle/protocols/ssh";
 * console.assert(CIPHERS[0] === "aes256-gcm@openssh.com");
 * ```
 */
export const CIPHERS: readonly string[] = [
  "aes256-gcm@openssh.com",
  "aes128-gcm@openssh.com",
  "aes256-ctr",
  "aes128-ctr",
];

/**
 * The MACs we offer (for the CTR ciphers; AES-GCM has its own tag), most
 * preferred first.
 *
 * @example Usage
 * ```ts
 * import { MACS } from "@spindle/spindle/protocols/ssh";
 * console.assert(MACS.includes("hmac-sha2-256"));
 * ```
 */
export const MACS: readonly string[] = [
  "hmac-sha2-256-etm@openssh.com",
  "hmac-sha2-512-etm@openssh.com",
  "hmac-sha2-256",
  "hmac-sha2-512",
];

interface CipherSpec {
  keyLength: number;
  ivLength: number;
  gcm: boolean;
}

const CIPHER_SPECS: Record<string, CipherSpec | undefined> = {
  "aes256-gcm@openssh.com": { keyLength: 32, ivLength: 12, gcm: true },
  "aes128-gcm@openssh.com": { keyLength: 16, ivLength: 12, gcm: true },
  "aes256-ctr": { keyLength: 32, ivLength: 16, gcm: false },
  "aes128-ctr": { keyLength: 16, ivLength: 16, gcm: false },
};

interface MACSpec {
  hash: string;
  length: number;
  etm: boolean;
}

const MAC_SPECS: Record<string, MACSpec | undefined> = {
  "hmac-sha2-256": { hash: "SHA-256", length: 32, etm: false },
  "hmac-sha2-512": { hash: "SHA-512", length: 64, etm: false },
  "hmac-sha2-256-etm@openssh.com": { hash: "SHA-256", length: 32, etm: true },
  "hmac-sha2-512-etm@openssh.com": { hash: "SHA-512", length: 64, etm: true },
};

/**
 * Whether `cipher` carries its own integrity tag (AES-GCM), so that no MAC
 * is negotiated for it.
 *
 * @example Usage
 * ```ts
 * import { isAEAD } from "@spindle/spindle/protocols/ssh";
 * console.assert(isAEAD("aes128-gcm@openssh.com") && !isAEAD("aes128-ctr"));
 * ```
 */
export function isAEAD(cipher: string): boolean {
  return CIPHER_SPECS[cipher]?.gcm === true;
}

/**
 * The key material sizes of a cipher and MAC, to derive that much (RFC 4253
 * §7.2).
 *
 * @example Usage
 * ```ts
 * import { keySizes } from "@spindle/spindle/protocols/ssh";
 * console.assert(keySizes("aes256-ctr", "hmac-sha2-256").macKey === 32);
 * ```
 */
export function keySizes(
  cipher: string,
  mac: string | null,
): { key: number; iv: number; macKey: number } {
  const spec = CIPHER_SPECS[cipher]!;
  const macSpec = spec.gcm || mac === null ? undefined : MAC_SPECS[mac];
  return {
    key: spec.keyLength,
    iv: spec.ivLength,
    macKey: macSpec === undefined ? 0 : macSpec.length,
  };
}

/**
 * The negotiated algorithms and derived keys of one direction.
 *
 * @example Usage
 * ```ts
 * import type { DirectionKeys } from "@spindle/spindle/protocols/ssh";
 * const keys: DirectionKeys = {
 *   cipher: "aes128-gcm@openssh.com",
 *   mac: null,
 *   key: new Uint8Array(16),
 *   iv: new Uint8Array(12),
 *   macKey: new Uint8Array(0),
 * };
 * console.assert(keys.mac === null);
 * ```
 */
export interface DirectionKeys {
  /** The cipher name. */
  cipher: string;
  /** The MAC name; `null` for AES-GCM. */
  mac: string | null;
  /** The encryption key. */
  key: Uint8Array<ArrayBuffer>;
  /** The initial IV (GCM: fixed field and invocation counter; CTR: counter). */
  iv: Uint8Array<ArrayBuffer>;
  /** The MAC key (empty for AES-GCM). */
  macKey: Uint8Array<ArrayBuffer>;
}

/**
 * One direction's cipher: seals packets on the sending side, opens them on
 * the receiving side. {@linkcode PacketCipher.none} is the state before the
 * first NEWKEYS.
 *
 * @example Usage
 * ```ts
 * import { PacketCipher } from "@spindle/spindle/protocols/ssh";
 * const cipher = await PacketCipher.create({
 *   cipher: "aes128-gcm@openssh.com",
 *   mac: null,
 *   key: new Uint8Array(16),
 *   iv: new Uint8Array(12),
 *   macKey: new Uint8Array(0),
 * });
 * console.assert(cipher.lengthInClear && cipher.tagLength === 16);
 * ```
 */
export class PacketCipher {
  /** The block size padding aligns to. */
  readonly blockSize: number;
  /** Bytes after the packet: the GCM tag or the MAC. */
  readonly tagLength: number;
  /**
   * Whether the length field is sent in clear (GCM, encrypt-then-MAC, no
   * cipher), so packets can be framed before they are opened; padding then
   * aligns the packet without its length field.
   */
  readonly lengthInClear: boolean;
  readonly #gcm: boolean;
  readonly #key: CryptoKey | null;
  readonly #macKey: CryptoKey | null;
  readonly #macHash: string;
  readonly #iv: Uint8Array<ArrayBuffer>;
  // GCM: the 64-bit invocation counter of the IV, as two 32-bit halves.
  #invocationHigh = 0;
  #invocationLow = 0;

  private constructor(
    init: {
      blockSize: number;
      tagLength: number;
      lengthInClear: boolean;
      gcm: boolean;
      key: CryptoKey | null;
      macKey: CryptoKey | null;
      macHash: string;
      iv: Uint8Array<ArrayBuffer>;
    },
  ) {
    this.blockSize = init.blockSize;
    this.tagLength = init.tagLength;
    this.lengthInClear = init.lengthInClear;
    this.#gcm = init.gcm;
    this.#key = init.key;
    this.#macKey = init.macKey;
    this.#macHash = init.macHash;
    this.#iv = init.iv.slice();
    if (init.gcm) {
      const view = new DataView(this.#iv.buffer);
      this.#invocationHigh = view.getUint32(4);
      this.#invocationLow = view.getUint32(8);
    }
  }

  /** The state before the first key exchange: no cipher, no MAC. */
  static none(): PacketCipher {
    return new PacketCipher({
      blockSize: 8,
      tagLength: 0,
      lengthInClear: true,
      gcm: false,
      key: null,
      macKey: null,
      macHash: "",
      iv: new Uint8Array(0),
    });
  }

  /** The cipher of `keys`, with its Web Crypto keys imported. */
  static async create(keys: DirectionKeys): Promise<PacketCipher> {
    const spec = CIPHER_SPECS[keys.cipher];
    if (spec === undefined) {
      throw new RangeError(`unknown cipher ${keys.cipher}`);
    }
    const key = await crypto.subtle.importKey(
      "raw",
      keys.key,
      spec.gcm ? "AES-GCM" : "AES-CTR",
      false,
      ["encrypt", "decrypt"],
    );
    if (spec.gcm) {
      return new PacketCipher({
        blockSize: 16,
        tagLength: 16,
        lengthInClear: true,
        gcm: true,
        key,
        macKey: null,
        macHash: "",
        iv: keys.iv,
      });
    }
    const mac = keys.mac === null ? undefined : MAC_SPECS[keys.mac];
    if (mac === undefined) throw new RangeError(`unknown MAC ${keys.mac}`);
    const macKey = await crypto.subtle.importKey(
      "raw",
      keys.macKey,
      { name: "HMAC", hash: mac.hash },
      false,
      ["sign", "verify"],
    );
    return new PacketCipher({
      blockSize: 16,
      tagLength: mac.length,
      lengthInClear: mac.etm,
      gcm: false,
      key,
      macKey,
      macHash: mac.hash,
      iv: keys.iv,
    });
  }

  /** Whether this is the state before keys (nothing to encrypt). */
  get isNone(): boolean {
    return this.#key === null;
  }

  // The next GCM nonce; each packet takes one (RFC 5647 §7.1).
  #nextNonce(): Uint8Array<ArrayBuffer> {
    const nonce = this.#iv.slice();
    const view = new DataView(nonce.buffer);
    view.setUint32(4, this.#invocationHigh);
    view.setUint32(8, this.#invocationLow);
    this.#invocationLow = (this.#invocationLow + 1) >>> 0;
    if (this.#invocationLow === 0) {
      this.#invocationHigh = (this.#invocationHigh + 1) >>> 0;
    }
    return nonce;
  }

  // The CTR counter block for the next `blocks` blocks, advancing it.
  #nextCounter(blocks: number): Uint8Array<ArrayBuffer> {
    const counter = this.#iv.slice();
    let carry = blocks;
    for (let i = 15; i >= 0 && carry > 0; i--) {
      const sum = this.#iv[i]! + (carry & 0xff);
      this.#iv[i] = sum & 0xff;
      carry = (carry >>> 8) + (sum >> 8);
    }
    return counter;
  }

  /**
   * Seals `packet` (length field, padding length, payload, padding; its
   * length a multiple of the block size as {@linkcode lengthInClear} says)
   * as packet `seq`: the bytes to send.
   */
  seal(seq: number, packet: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    const key = this.#key;
    if (key === null) return Promise.resolve(packet);
    if (this.#gcm) {
      const iv = this.#nextNonce();
      return crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: packet.subarray(0, 4) },
        key,
        packet.subarray(4),
      ).then((sealed) => {
        const out = new Uint8Array(4 + sealed.byteLength);
        out.set(packet.subarray(0, 4));
        out.set(new Uint8Array(sealed), 4);
        return out;
      });
    }
    const clear = this.lengthInClear ? 4 : 0;
    const counter = this.#nextCounter((packet.length - clear) / 16);
    const encrypted = crypto.subtle.encrypt(
      { name: "AES-CTR", counter, length: 128 },
      key,
      packet.subarray(clear),
    );
    if (this.lengthInClear) {
      return encrypted.then(async (body) => {
        const out = new Uint8Array(packet.length + this.tagLength);
        out.set(packet.subarray(0, 4));
        out.set(new Uint8Array(body), 4);
        out.set(
          await this.#mac(seq, out.subarray(0, packet.length)),
          packet.length,
        );
        return out;
      });
    }
    const mac = this.#mac(seq, packet);
    return Promise.all([encrypted, mac]).then(([body, tag]) => {
      const out = new Uint8Array(packet.length + this.tagLength);
      out.set(new Uint8Array(body));
      out.set(tag, packet.length);
      return out;
    });
  }

  async #mac(seq: number, data: Uint8Array): Promise<Uint8Array> {
    const input = new Uint8Array(4 + data.length);
    new DataView(input.buffer).setUint32(0, seq);
    input.set(data, 4);
    return new Uint8Array(
      await crypto.subtle.sign("HMAC", this.#macKey!, input),
    );
  }

  /**
   * Decrypts the first block of a packet whose length is not in clear
   * (CTR with a MAC over the plaintext), to learn its length. The counter
   * is not advanced: {@linkcode open} decrypts the packet whole.
   */
  async firstBlock(wire: Uint8Array): Promise<Uint8Array> {
    const counter = this.#iv.slice();
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-CTR", counter, length: 128 },
        this.#key!,
        wire.subarray(0, 16).slice(),
      ),
    );
  }

  /**
   * Opens packet `seq` from `wire` (the whole packet with its tag): the
   * plaintext after the length field (padding length, payload, padding).
   * Rejects with {@linkcode MACError} when the tag or MAC is wrong.
   */
  open(seq: number, bytes: Uint8Array): Promise<Uint8Array> {
    // Connections hand out plain ArrayBuffer-backed chunks.
    const wire = bytes as Uint8Array<ArrayBuffer>;
    const key = this.#key;
    if (key === null) return Promise.resolve(wire.subarray(4));
    const body = wire.subarray(0, wire.length - this.tagLength);
    const fail = () => {
      throw new MACError(
        `packet ${seq} failed its integrity check: it was corrupted or forged on the way`,
      );
    };
    if (this.#gcm) {
      const iv = this.#nextNonce();
      return crypto.subtle.decrypt(
        { name: "AES-GCM", iv, additionalData: wire.subarray(0, 4) },
        key,
        wire.subarray(4),
      ).then((plain) => new Uint8Array(plain), fail);
    }
    const clear = this.lengthInClear ? 4 : 0;
    const counter = this.#nextCounter((body.length - clear) / 16);
    const tag = wire.subarray(body.length);
    const decrypted = crypto.subtle.decrypt(
      { name: "AES-CTR", counter, length: 128 },
      key,
      body.subarray(clear),
    );
    if (this.lengthInClear) {
      return Promise.all([this.#verify(seq, body, tag), decrypted]).then(
        ([valid, plain]) => valid ? new Uint8Array(plain) : fail(),
      );
    }
    return decrypted.then(async (plain) => {
      const valid = await this.#verify(seq, new Uint8Array(plain), tag);
      return valid ? new Uint8Array(plain).subarray(4) : fail();
    });
  }

  async #verify(
    seq: number,
    data: Uint8Array,
    tag: Uint8Array,
  ): Promise<boolean> {
    const input = new Uint8Array(4 + data.length);
    new DataView(input.buffer).setUint32(0, seq);
    input.set(data, 4);
    return await crypto.subtle.verify(
      { name: "HMAC", hash: this.#macHash },
      this.#macKey!,
      tag.slice(),
      input,
    );
  }
}
