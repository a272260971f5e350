/**
 * SSH keys: OpenSSH `openssh-key-v1` private keys (read: ed25519,
 * ecdsa-sha2-nistp256 and RSA; written: ed25519; either plain or encrypted
 * with a passphrase as `ssh-keygen -N` does), public key lines,
 * and SHA256 fingerprints as `ssh-keygen -l` prints them. Signing goes
 * through Web Crypto.
 *
 * @module
 */
import { SSHReader, SSHWriter } from "./wire.ts";
import { SSHError } from "./errors.ts";
import { bcryptPbkdf } from "./_bcrypt_pbkdf.ts";

const MAGIC = new TextEncoder().encode("openssh-key-v1\0");
const BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const END = "-----END OPENSSH PRIVATE KEY-----";

/**
 * A private key file could not be read: not OpenSSH's format, encrypted, or
 * of a type we do not support.
 *
 * @example Usage
 * ```ts
 * import { KeyFormatError } from "@spindle/spindle/protocols/ssh";
 * console.assert(new KeyFormatError("x").name === "KeyFormatError");
 * ```
 */
export class KeyFormatError extends SSHError {}

const b64url = (bytes: Uint8Array) =>
  bytes.toBase64({ alphabet: "base64url", omitPadding: true });

function unsigned(mpint: Uint8Array): Uint8Array {
  let start = 0;
  while (start < mpint.length - 1 && mpint[start] === 0) start++;
  return mpint.subarray(start);
}

function bigintOf(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toHex()}`);
}

function bytesOf(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Uint8Array.fromHex(hex);
}

function fixed(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const digits = unsigned(bytes);
  out.set(
    digits.subarray(Math.max(0, digits.length - size)),
    Math.max(0, size - digits.length),
  );
  return out;
}

/**
 * The SHA256 fingerprint of a public key blob, as `ssh-keygen -l` prints
 * it: `SHA256:` and unpadded base64.
 *
 * @example Usage
 * ```ts
 * import { fingerprint, SSHPrivateKey } from "@spindle/spindle/protocols/ssh";
 * const key = await SSHPrivateKey.generate();
 * console.assert((await fingerprint(key.publicBlob)).startsWith("SHA256:"));
 * ```
 */
export async function fingerprint(blob: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", blob.slice()),
  );
  return `SHA256:${digest.toBase64({ omitPadding: true })}`;
}

/**
 * A public key parsed from an OpenSSH line (`type base64 [comment]`).
 *
 * @example Usage
 * ```ts
 * import type { SSHPublicKeyLine } from "@spindle/spindle/protocols/ssh";
 * const key: SSHPublicKeyLine = { type: "ssh-ed25519", blob: new Uint8Array(51), comment: "" };
 * console.assert(key.comment === "");
 * ```
 */
export interface SSHPublicKeyLine {
  /** The key type. */
  type: string;
  /** The public key blob (RFC 4253 §6.6). */
  blob: Uint8Array;
  /** The comment ("" when none). */
  comment: string;
}

/**
 * Parses a public key line as in `id_ed25519.pub`.
 *
 * @example Usage
 * ```ts
 * import { parsePublicKey, SSHPrivateKey } from "@spindle/spindle/protocols/ssh";
 * const key = await SSHPrivateKey.generate("me");
 * console.assert(parsePublicKey(key.publicKeyLine()).comment === "me");
 * ```
 */
export function parsePublicKey(line: string): SSHPublicKeyLine {
  const [type = "", encoded = "", ...rest] = line.trim().split(/\s+/);
  let blob: Uint8Array;
  try {
    blob = Uint8Array.fromBase64(encoded);
    if (new SSHReader(blob).text() !== type) throw new Error("type");
  } catch {
    throw new KeyFormatError(
      `not an OpenSSH public key line (type base64 comment): ${
        JSON.stringify(line.slice(0, 40))
      }`,
    );
  }
  return { type, blob, comment: rest.join(" ") };
}

interface KeyParts {
  type: string;
  publicBlob: Uint8Array;
  comment: string;
  // The algorithms this key signs with, preferred first.
  algorithms: string[];
  sign: (algorithm: string, data: Uint8Array) => Promise<Uint8Array>;
  // The private section of openssh-key-v1 for this key (without comment).
  privateFields?: Uint8Array;
}

/**
 * A private key: signs for host keys and public-key logins.
 *
 * @example Generate, save and load
 * ```ts
 * import { SSHPrivateKey } from "@spindle/spindle/protocols/ssh";
 * const key = await SSHPrivateKey.generate("host");
 * const again = await SSHPrivateKey.parse(key.toOpenSSH());
 * console.assert(again.publicKeyLine() === key.publicKeyLine());
 * ```
 */
export class SSHPrivateKey {
  /** The key type: `ssh-ed25519`, `ecdsa-sha2-nistp256` or `ssh-rsa`. */
  readonly type: string;
  /** The public key blob (RFC 4253 §6.6). */
  readonly publicBlob: Uint8Array;
  /** The comment stored with the key. */
  readonly comment: string;
  /** The signature algorithms this key signs with, preferred first. */
  readonly algorithms: readonly string[];
  readonly #sign: KeyParts["sign"];
  readonly #privateFields: Uint8Array | undefined;

  private constructor(parts: KeyParts) {
    this.type = parts.type;
    this.publicBlob = parts.publicBlob;
    this.comment = parts.comment;
    this.algorithms = parts.algorithms;
    this.#sign = parts.sign;
    this.#privateFields = parts.privateFields;
  }

  /** A new random Ed25519 key. */
  static async generate(comment = ""): Promise<SSHPrivateKey> {
    const pair = await crypto.subtle.generateKey("Ed25519", true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    return await SSHPrivateKey.#ed25519(
      Uint8Array.fromBase64(jwk.d!, { alphabet: "base64url" }),
      Uint8Array.fromBase64(jwk.x!, { alphabet: "base64url" }),
      comment,
    );
  }

  static async #ed25519(
    seed: Uint8Array,
    pub: Uint8Array,
    comment: string,
  ): Promise<SSHPrivateKey> {
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "OKP", crv: "Ed25519", d: b64url(seed), x: b64url(pub) },
      "Ed25519",
      false,
      ["sign"],
    );
    const type = "ssh-ed25519";
    const privateFields = new SSHWriter().string(type).string(pub).string(
      new Uint8Array([...seed, ...pub]),
    ).finish();
    return new SSHPrivateKey({
      type,
      publicBlob: new SSHWriter().string(type).string(pub).finish(),
      comment,
      algorithms: [type],
      privateFields,
      sign: async (_algorithm, data) =>
        new SSHWriter().string(type).string(
          new Uint8Array(
            await crypto.subtle.sign("Ed25519", key, data.slice()),
          ),
        ).finish(),
    });
  }

  /**
   * Reads an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`),
   * decrypting it with `options.passphrase` when `ssh-keygen -N` encrypted
   * it (aes256-ctr, bcrypt). Throws {@linkcode KeyFormatError} for other
   * formats, a missing or wrong passphrase and unsupported types.
   */
  static async parse(
    text: string,
    options: KeyPassphraseOptions = {},
  ): Promise<SSHPrivateKey> {
    const begin = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new KeyFormatError(
        "not an OpenSSH private key (expected -----BEGIN OPENSSH PRIVATE KEY-----); convert it with ssh-keygen -p -f FILE",
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.fromBase64(
        text.slice(begin + BEGIN.length, end).replace(/\s+/g, ""),
      );
    } catch {
      throw new KeyFormatError("the private key is not valid base64");
    }
    if (!MAGIC.every((byte, i) => bytes[i] === byte)) {
      throw new KeyFormatError(
        "the private key does not start with openssh-key-v1",
      );
    }
    try {
      const reader = new SSHReader(bytes, MAGIC.length);
      const cipher = reader.text();
      const kdf = reader.text();
      const kdfOptions = new SSHReader(reader.bytes());
      if (reader.uint32() !== 1) {
        throw new KeyFormatError("the file holds more than one key");
      }
      reader.bytes();
      let secret = reader.bytes();
      if (cipher !== "none") {
        if (cipher !== "aes256-ctr" || kdf !== "bcrypt") {
          throw new KeyFormatError(
            `the private key is encrypted with ${cipher} and ${kdf}; only aes256-ctr with bcrypt (ssh-keygen's default) is supported`,
          );
        }
        if (options.passphrase === undefined) {
          throw new KeyFormatError(
            "the private key is encrypted: give its passphrase",
          );
        }
        const salt = kdfOptions.bytes();
        const rounds = kdfOptions.uint32();
        if (rounds < 1 || rounds > MAX_KDF_ROUNDS) {
          throw new KeyFormatError(
            `the private key asks for ${rounds} bcrypt rounds (1..${MAX_KDF_ROUNDS} are accepted)`,
          );
        }
        secret = await aes256ctr(options.passphrase, salt, rounds, secret);
      }
      const section = new SSHReader(secret);
      if (section.uint32() !== section.uint32()) {
        throw new KeyFormatError(
          cipher === "none"
            ? "the private key's check numbers differ: the file is damaged"
            : "the passphrase is wrong (or the file is damaged)",
        );
      }
      return await SSHPrivateKey.#fromSection(section);
    } catch (error) {
      if (error instanceof KeyFormatError) throw error;
      throw new KeyFormatError(
        `the private key is malformed: ${(error as Error).message}`,
      );
    }
  }

  static async #fromSection(section: SSHReader): Promise<SSHPrivateKey> {
    const type = section.text();
    if (type === "ssh-ed25519") {
      const pub = section.bytes();
      const both = section.bytes();
      return await SSHPrivateKey.#ed25519(
        both.subarray(0, 32),
        pub,
        section.text(),
      );
    }
    if (type === "ecdsa-sha2-nistp256") {
      const curve = section.text();
      const point = section.bytes();
      const d = section.bytes();
      const comment = section.text();
      const key = await crypto.subtle.importKey(
        "jwk",
        {
          kty: "EC",
          crv: "P-256",
          x: b64url(point.subarray(1, 33)),
          y: b64url(point.subarray(33, 65)),
          d: b64url(fixed(d, 32)),
        },
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["sign"],
      );
      return new SSHPrivateKey({
        type,
        publicBlob: new SSHWriter().string(type).string(curve).string(point)
          .finish(),
        comment,
        algorithms: [type],
        sign: async (_algorithm, data) => {
          const rs = new Uint8Array(
            await crypto.subtle.sign(
              { name: "ECDSA", hash: "SHA-256" },
              key,
              data.slice(),
            ),
          );
          const inner = new SSHWriter().mpint(rs.subarray(0, 32)).mpint(
            rs.subarray(32),
          ).finish();
          return new SSHWriter().string(type).string(inner).finish();
        },
      });
    }
    if (type === "ssh-rsa") {
      const n = unsigned(section.bytes());
      const e = unsigned(section.bytes());
      const d = unsigned(section.bytes());
      const iqmp = unsigned(section.bytes());
      const p = unsigned(section.bytes());
      const q = unsigned(section.bytes());
      const comment = section.text();
      const dn = bigintOf(d);
      const jwk = {
        kty: "RSA",
        n: b64url(n),
        e: b64url(e),
        d: b64url(d),
        p: b64url(p),
        q: b64url(q),
        dp: b64url(bytesOf(dn % (bigintOf(p) - 1n))),
        dq: b64url(bytesOf(dn % (bigintOf(q) - 1n))),
        qi: b64url(iqmp),
      };
      const keys = new Map<string, CryptoKey>();
      for (
        const [algorithm, hash] of [["rsa-sha2-512", "SHA-512"], [
          "rsa-sha2-256",
          "SHA-256",
        ]]
      ) {
        keys.set(
          algorithm!,
          await crypto.subtle.importKey(
            "jwk",
            jwk,
            { name: "RSASSA-PKCS1-v1_5", hash },
            false,
            ["sign"],
          ),
        );
      }
      return new SSHPrivateKey({
        type,
        publicBlob: new SSHWriter().string(type).mpint(e).mpint(n).finish(),
        comment,
        algorithms: ["rsa-sha2-512", "rsa-sha2-256"],
        sign: async (algorithm, data) => {
          const key = keys.get(algorithm) ?? keys.get("rsa-sha2-512")!;
          const name = keys.has(algorithm) ? algorithm : "rsa-sha2-512";
          return new SSHWriter().string(name).string(
            new Uint8Array(
              await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, data.slice()),
            ),
          ).finish();
        },
      });
    }
    throw new KeyFormatError(
      `private keys of type ${type} are not supported (ed25519, ecdsa-sha2-nistp256 and RSA are)`,
    );
  }

  /** Reads the OpenSSH private key file at `path`. */
  static async load(
    path: string | URL,
    options: KeyPassphraseOptions = {},
  ): Promise<SSHPrivateKey> {
    return await SSHPrivateKey.parse(await Deno.readTextFile(path), options);
  }

  /**
   * Signs `data` with `algorithm` (one of {@linkcode algorithms}; the first
   * by default): the signature blob in SSH wire format.
   */
  sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array> {
    return this.#sign(algorithm ?? this.algorithms[0]!, data);
  }

  /** The public key line, as in `id_ed25519.pub`. */
  publicKeyLine(): string {
    const line = `${this.type} ${this.publicBlob.toBase64()}`;
    return this.comment === "" ? line : `${line} ${this.comment}`;
  }

  /** The SHA256 fingerprint of the public key. */
  fingerprint(): Promise<string> {
    return fingerprint(this.publicBlob);
  }

  /**
   * The key in OpenSSH's `openssh-key-v1` format, unencrypted, as
   * `ssh-keygen` writes it (ed25519 keys only).
   */
  toOpenSSH(): string {
    return armor(
      new SSHWriter().raw(MAGIC).string("none").string("none").string("")
        .uint32(1).string(this.publicBlob).string(this.#section(8)).finish(),
    );
  }

  /**
   * The key in OpenSSH's format encrypted with `passphrase`, as
   * `ssh-keygen -N` writes it: aes256-ctr with a key from bcrypt_pbkdf
   * (`rounds`, 16 by default; each costs about 10 ms).
   */
  async toEncryptedOpenSSH(passphrase: string, rounds = 16): Promise<string> {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const encrypted = await aes256ctr(
      passphrase,
      salt,
      rounds,
      this.#section(16),
    );
    return armor(
      new SSHWriter().raw(MAGIC).string("aes256-ctr").string("bcrypt")
        .string(new SSHWriter().string(salt).uint32(rounds).finish())
        .uint32(1).string(this.publicBlob).string(encrypted).finish(),
    );
  }

  // The private section: check numbers, the key, its comment, padding to
  // `block` bytes.
  #section(block: number): Uint8Array {
    if (this.#privateFields === undefined) {
      throw new KeyFormatError(
        `writing ${this.type} keys is not supported; only ed25519`,
      );
    }
    const check = crypto.getRandomValues(new Uint32Array(1))[0]!;
    const section = new SSHWriter().uint32(check).uint32(check).raw(
      this.#privateFields,
    ).string(this.comment);
    for (let pad = 1; section.finish().length % block !== 0; pad++) {
      section.byte(pad);
    }
    return section.finish();
  }
}

// OpenSSH's armor: base64 in lines of 70 between the BEGIN and END lines.
function armor(body: Uint8Array): string {
  const lines = body.toBase64().match(/.{1,70}/g)!;
  return `${BEGIN}\n${lines.join("\n")}\n${END}\n`;
}

// The most bcrypt rounds a key file may ask for: each costs ~10 ms, and a
// file could otherwise stall the process for hours.
const MAX_KDF_ROUNDS = 1024;

// Encrypts or decrypts (CTR is its own inverse) a private section with the
// key and IV bcrypt_pbkdf derives from the passphrase.
async function aes256ctr(
  passphrase: string,
  salt: Uint8Array,
  rounds: number,
  data: Uint8Array,
): Promise<Uint8Array> {
  const material = await bcryptPbkdf(
    new TextEncoder().encode(passphrase),
    salt,
    48,
    rounds,
  );
  const key = await crypto.subtle.importKey(
    "raw",
    material.slice(0, 32),
    "AES-CTR",
    false,
    ["encrypt"],
  );
  return new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-CTR", counter: material.slice(32, 48), length: 128 },
      key,
      data.slice(),
    ),
  );
}

/**
 * The passphrase of an encrypted private key.
 *
 * @example Usage
 * ```ts
 * import type { KeyPassphraseOptions } from "@spindle/spindle/protocols/ssh";
 * const options: KeyPassphraseOptions = { passphrase: "correct horse" };
 * console.assert(options.passphrase !== undefined);
 * ```
 */
export interface KeyPassphraseOptions {
  /** The passphrase, for a key `ssh-keygen -N` encrypted. */
  passphrase?: string;
}
