/**
 * SSH public keys: the `authorized_keys` line format and signature checks
 * through Web Crypto for `ssh-ed25519`, `ecdsa-sha2-nistp256`/`384`/`521` and
 * RSA keys signing with `rsa-sha2-256`/`rsa-sha2-512` (RFC 4253 §6.6,
 * RFC 5656 §3, RFC 8332, RFC 8709). SHA-1 `ssh-rsa` signatures are refused.
 *
 * @module
 */
import { UserFileError } from "./errors.ts";

/**
 * One key of an `authorized_keys` file.
 *
 * @example Usage
 * ```ts
 * import type { AuthorizedKey } from "@spindle/spindle/cred";
 * const key: AuthorizedKey = { type: "ssh-ed25519", blob: new Uint8Array(51), comment: "alice@laptop" };
 * console.assert(key.type === "ssh-ed25519");
 * ```
 */
export interface AuthorizedKey {
  /** The key type, as in the blob: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... */
  type: string;
  /** The public key blob in SSH wire format. */
  blob: Uint8Array<ArrayBuffer>;
  /** What follows the key on its line ("" when nothing). */
  comment: string;
}

/**
 * What {@linkcode verifySSHSignature} checks: a signature over some data.
 *
 * @example Usage
 * ```ts
 * import type { SSHSignedData } from "@spindle/spindle/cred";
 * const signed: SSHSignedData = {
 *   data: new Uint8Array(8),
 *   signature: new Uint8Array(0),
 *   algorithm: "rsa-sha2-256",
 * };
 * console.assert(signed.algorithm === "rsa-sha2-256");
 * ```
 */
export interface SSHSignedData {
  /** The signed bytes. */
  data: Uint8Array;
  /** The signature blob in SSH wire format: algorithm name, then signature. */
  signature: Uint8Array;
  /**
   * The algorithm the client named in its request; when given, the
   * signature must be of exactly that algorithm.
   */
  algorithm?: string;
}

const KEY_TYPE = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))$/;

/**
 * Reads `authorized_keys` text: `type base64 [comment]` per line, with blank
 * lines and `#` comments. Lines with OpenSSH options (`from="..."`,
 * `command="..."`) are refused rather than have their restrictions
 * silently ignored. Errors name `path` and the line.
 *
 * @example Usage
 * ```ts
 * import { parseAuthorizedKeys } from "@spindle/spindle/cred";
 * const blob = "AAAAC3NzaC1lZDI1NTE5AAAAIGb7JfLbK7h4M9kP0y4tEw0LrWlZ2GxN2m0s1o5mJ1wY";
 * const [key] = parseAuthorizedKeys(`ssh-ed25519 ${blob} alice@laptop\n`);
 * console.assert(key?.type === "ssh-ed25519" && key.comment === "alice@laptop");
 * ```
 */
export function parseAuthorizedKeys(
  text: string,
  path = "<authorized keys>",
): AuthorizedKey[] {
  const keys: AuthorizedKey[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [type = "", encoded = "", ...rest] = line.split(/\s+/);
    const fail = (problem: string) =>
      new UserFileError(path, problem, { line: index + 1 });
    if (!KEY_TYPE.test(type)) {
      throw fail(
        `expected a key type (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...) first, found ${
          JSON.stringify(type.slice(0, 40))
        }; key options are not supported`,
      );
    }
    let blob: Uint8Array<ArrayBuffer>;
    try {
      blob = Uint8Array.fromBase64(encoded);
    } catch {
      throw fail("the key is not valid base64");
    }
    if (keyTypeOf(blob) !== type) {
      throw fail(`the key blob is not a ${type} key`);
    }
    keys.push({ type, blob, comment: rest.join(" ") });
  }
  return keys;
}

/**
 * Whether `signed.signature` is a valid signature by the key `blob` over
 * `signed.data`. Answers
 * `false`, never throws, for malformed blobs, unsupported algorithms and a
 * signature algorithm that does not fit the key.
 *
 * @example An Ed25519 signature
 * ```ts
 * import { verifySSHSignature } from "@spindle/spindle/cred";
 * const pair = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
 * const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
 * const string = (bytes: Uint8Array) => {
 *   const out = new Uint8Array(4 + bytes.length);
 *   new DataView(out.buffer).setUint32(0, bytes.length);
 *   out.set(bytes, 4);
 *   return out;
 * };
 * const name = new TextEncoder().encode("ssh-ed25519");
 * const blob = new Uint8Array([...string(name), ...string(raw)]);
 * const data = new TextEncoder().encode("session data");
 * const sig = new Uint8Array(await crypto.subtle.sign("Ed25519", pair.privateKey, data));
 * const signature = new Uint8Array([...string(name), ...string(sig)]);
 * console.assert(await verifySSHSignature(blob, { data, signature }));
 * ```
 */
export async function verifySSHSignature(
  blob: Uint8Array,
  signed: SSHSignedData,
): Promise<boolean> {
  try {
    const sig = new WireReader(signed.signature);
    const algorithm = sig.text();
    const signature = sig.bytes();
    sig.end();
    if (signed.algorithm !== undefined && signed.algorithm !== algorithm) {
      return false;
    }
    const key = new WireReader(blob);
    const type = key.text();
    const message = new Uint8Array(signed.data);
    if (type === "ssh-ed25519" && algorithm === type) {
      const raw = key.bytes();
      key.end();
      const publicKey = await crypto.subtle.importKey(
        "raw",
        raw,
        "Ed25519",
        false,
        ["verify"],
      );
      return await crypto.subtle.verify(
        "Ed25519",
        publicKey,
        signature,
        message,
      );
    }
    const curve = ECDSA_CURVES[type];
    if (curve !== undefined && algorithm === type) {
      if (key.text() !== curve.name) return false;
      const point = key.bytes();
      key.end();
      const publicKey = await crypto.subtle.importKey(
        "raw",
        point,
        { name: "ECDSA", namedCurve: curve.namedCurve },
        false,
        ["verify"],
      );
      // RFC 5656 §3.1.2: the signature is two mpints; Web Crypto wants r || s.
      const mpints = new WireReader(signature);
      const rs = new Uint8Array(2 * curve.size);
      if (
        !placeMpint(mpints.bytes(), rs, 0, curve.size) ||
        !placeMpint(mpints.bytes(), rs, curve.size, curve.size)
      ) {
        return false;
      }
      mpints.end();
      return await crypto.subtle.verify(
        { name: "ECDSA", hash: curve.hash },
        publicKey,
        rs,
        message,
      );
    }
    const hash = RSA_HASHES[algorithm];
    if (type === "ssh-rsa" && hash !== undefined) {
      const e = stripZeros(key.bytes());
      const n = stripZeros(key.bytes());
      key.end();
      const publicKey = await crypto.subtle.importKey(
        "jwk",
        {
          kty: "RSA",
          e: e.toBase64({ alphabet: "base64url", omitPadding: true }),
          n: n.toBase64({ alphabet: "base64url", omitPadding: true }),
        },
        { name: "RSASSA-PKCS1-v1_5", hash },
        false,
        ["verify"],
      );
      return await crypto.subtle.verify(
        "RSASSA-PKCS1-v1_5",
        publicKey,
        signature,
        message,
      );
    }
    return false;
  } catch {
    // A malformed blob or a key Web Crypto will not import is a bad
    // signature to the caller, not an error of the server.
    return false;
  }
}

/**
 * The key type named at the start of an SSH public key blob, or `null` when
 * the blob is malformed.
 *
 * @example Usage
 * ```ts
 * import { keyTypeOf } from "@spindle/spindle/cred";
 * console.assert(keyTypeOf(new Uint8Array(2)) === null);
 * ```
 */
export function keyTypeOf(blob: Uint8Array): string | null {
  try {
    return new WireReader(blob).text();
  } catch {
    return null;
  }
}

const ECDSA_CURVES: Record<
  string,
  { name: string; namedCurve: string; hash: string; size: number } | undefined
> = {
  "ecdsa-sha2-nistp256": {
    name: "nistp256",
    namedCurve: "P-256",
    hash: "SHA-256",
    size: 32,
  },
  "ecdsa-sha2-nistp384": {
    name: "nistp384",
    namedCurve: "P-384",
    hash: "SHA-384",
    size: 48,
  },
  "ecdsa-sha2-nistp521": {
    name: "nistp521",
    namedCurve: "P-521",
    hash: "SHA-512",
    size: 66,
  },
};

const RSA_HASHES: Record<string, string | undefined> = {
  "rsa-sha2-256": "SHA-256",
  "rsa-sha2-512": "SHA-512",
};

// Reads RFC 4251 §5 strings out of a blob; throws on a short or long blob.
class WireReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const at = this.#offset;
    if (at + 4 > this.#bytes.length) throw new RangeError("short blob");
    const length = new DataView(
      this.#bytes.buffer,
      this.#bytes.byteOffset + at,
      4,
    ).getUint32(0);
    if (at + 4 + length > this.#bytes.length) {
      throw new RangeError("short blob");
    }
    this.#offset = at + 4 + length;
    return this.#bytes.slice(at + 4, at + 4 + length);
  }

  text(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes());
  }

  end(): void {
    if (this.#offset !== this.#bytes.length) {
      throw new RangeError("trailing bytes");
    }
  }
}

function stripZeros(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

// Writes an mpint right-aligned into `size` bytes of `out` at `offset`;
// false when it does not fit.
function placeMpint(
  mpint: Uint8Array,
  out: Uint8Array,
  offset: number,
  size: number,
): boolean {
  let start = 0;
  while (start < mpint.length && mpint[start] === 0) start++;
  const digits = mpint.subarray(start);
  if (digits.length > size) return false;
  out.set(digits, offset + size - digits.length);
  return true;
}
