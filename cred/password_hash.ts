/**
 * PBKDF2-SHA-256 password hashes through Web Crypto, written
 * `$pbkdf2-sha256$<iterations>$<salt>$<hash>` as passlib's `pbkdf2_sha256`
 * writes them (base64 with `.` for `+` and no padding), so the two read each
 * other's hashes.
 *
 * @module
 */
import { MalformedHashError, UnknownHashFormatError } from "./errors.ts";
import {
  DEFAULT_PBKDF2_ITERATIONS,
  MAX_PBKDF2_ITERATIONS,
  MIN_PBKDF2_ITERATIONS,
  PBKDF2_HASH_BYTES,
  PBKDF2_SALT_BYTES,
} from "./limits.ts";

const SCHEME = "$pbkdf2-sha256$";
// What a stored hash may have: passlib writes 16-byte salts and 32-byte
// hashes, older tools 8-byte salts; under 16 bytes of hash is no hash.
const MIN_SALT_BYTES = 8;
const MAX_SALT_BYTES = 64;
const MIN_HASH_BYTES = 16;
const MAX_HASH_BYTES = 64;
const encoder = new TextEncoder();

/**
 * The salt, rounds and output length of one PBKDF2 derivation.
 *
 * @example Usage
 * ```ts
 * import type { DeriveParameters } from "@spindle/spindle/cred";
 * const parameters: DeriveParameters = { salt: new Uint8Array(16), iterations: 1_000, length: 32 };
 * console.assert(parameters.length === 32);
 * ```
 */
export interface DeriveParameters {
  /** The salt bytes. */
  salt: Uint8Array<ArrayBuffer>;
  /** PBKDF2 rounds. */
  iterations: number;
  /** Bytes to derive. */
  length: number;
}

/**
 * Derives bytes from `password` with PBKDF2-SHA-256. {@linkcode pbkdf2Sha256}
 * is the real one; a test can wrap it to count derivations.
 *
 * @example Usage
 * ```ts
 * import { type DeriveFunction, pbkdf2Sha256 } from "@spindle/spindle/cred";
 * let runs = 0;
 * const counting: DeriveFunction = (password, parameters) => {
 *   runs++;
 *   return pbkdf2Sha256(password, parameters);
 * };
 * await counting(new Uint8Array(1), { salt: new Uint8Array(16), iterations: 1000, length: 32 });
 * console.assert(runs === 1);
 * ```
 */
export type DeriveFunction = (
  password: Uint8Array<ArrayBuffer>,
  parameters: DeriveParameters,
) => Promise<Uint8Array<ArrayBuffer>>;

/**
 * PBKDF2-SHA-256 through `crypto.subtle.deriveBits`.
 *
 * @example Usage
 * ```ts
 * import { pbkdf2Sha256 } from "@spindle/spindle/cred";
 * const key = await pbkdf2Sha256(new TextEncoder().encode("pw"), {
 *   salt: new Uint8Array(16),
 *   iterations: 1000,
 *   length: 32,
 * });
 * console.assert(key.length === 32);
 * ```
 */
export async function pbkdf2Sha256(
  password: Uint8Array<ArrayBuffer>,
  parameters: DeriveParameters,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey(
    "raw",
    password,
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    {
      name: "PBKDF2",
      hash: "SHA-256",
      salt: parameters.salt,
      iterations: parameters.iterations,
    },
    key,
    parameters.length * 8,
  );
  return new Uint8Array(bits);
}

/**
 * Options of {@linkcode hashPassword}.
 *
 * @example Usage
 * ```ts
 * import type { HashPasswordOptions } from "@spindle/spindle/cred";
 * const options: HashPasswordOptions = { iterations: 1_000 };
 * console.assert(options.iterations === 1_000);
 * ```
 */
export interface HashPasswordOptions {
  /** PBKDF2 rounds; `DEFAULT_PBKDF2_ITERATIONS` (600,000) by default. */
  iterations?: number;
  /** The salt; 16 random bytes by default (give one only in tests). */
  salt?: Uint8Array<ArrayBuffer>;
  /** The derivation; {@linkcode pbkdf2Sha256} by default. */
  derive?: DeriveFunction;
}

/**
 * Options of {@linkcode verifyPassword}.
 *
 * @example Usage
 * ```ts
 * import { pbkdf2Sha256, type VerifyPasswordOptions } from "@spindle/spindle/cred";
 * const options: VerifyPasswordOptions = { derive: pbkdf2Sha256 };
 * console.assert(options.derive === pbkdf2Sha256);
 * ```
 */
export interface VerifyPasswordOptions {
  /** The derivation; {@linkcode pbkdf2Sha256} by default. */
  derive?: DeriveFunction;
}

/**
 * The fields of a `$pbkdf2-sha256$` hash.
 *
 * @example Usage
 * ```ts
 * import { parsePasswordHash } from "@spindle/spindle/cred";
 * const hash = parsePasswordHash("$pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43));
 * console.assert(hash.iterations === 1000 && hash.salt.length === 16);
 * ```
 */
export interface PasswordHash {
  /** PBKDF2 rounds. */
  iterations: number;
  /** The salt bytes. */
  salt: Uint8Array<ArrayBuffer>;
  /** The derived key. */
  hash: Uint8Array<ArrayBuffer>;
}

/**
 * Hashes `password` into a new `$pbkdf2-sha256$` string with a random salt.
 *
 * @example Usage
 * ```ts
 * import { hashPassword, verifyPassword } from "@spindle/spindle/cred";
 * const encoded = await hashPassword("secret", { iterations: 1_000 });
 * console.assert(encoded.startsWith("$pbkdf2-sha256$1000$"));
 * console.assert(await verifyPassword("secret", encoded));
 * ```
 */
export async function hashPassword(
  password: string,
  options?: HashPasswordOptions,
): Promise<string> {
  const iterations = options?.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  checkIterations(iterations);
  const salt = options?.salt ??
    crypto.getRandomValues(new Uint8Array(PBKDF2_SALT_BYTES));
  if (salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) {
    throw new RangeError(
      `A salt of ${salt.length} bytes is outside ${MIN_SALT_BYTES} to ${MAX_SALT_BYTES}: give a longer salt, or none for ${PBKDF2_SALT_BYTES} random bytes`,
    );
  }
  const derive = options?.derive ?? pbkdf2Sha256;
  const hash = await derive(encoder.encode(password), {
    salt,
    iterations,
    length: PBKDF2_HASH_BYTES,
  });
  return formatPasswordHash({ iterations, salt, hash });
}

/**
 * Whether `password` matches the `$pbkdf2-sha256$` hash `encoded`. The
 * derived keys are compared in constant time. Throws
 * {@linkcode UnknownHashFormatError} for any other format and
 * {@linkcode MalformedHashError} for a broken hash, rather than answer
 * `false` for a hash that could never match.
 *
 * @example Usage
 * ```ts
 * import { hashPassword, verifyPassword } from "@spindle/spindle/cred";
 * const encoded = await hashPassword("secret", { iterations: 1_000 });
 * console.assert(!await verifyPassword("guess", encoded));
 * ```
 */
export async function verifyPassword(
  password: string,
  encoded: string,
  options?: VerifyPasswordOptions,
): Promise<boolean> {
  const { iterations, salt, hash } = parsePasswordHash(encoded);
  const derive = options?.derive ?? pbkdf2Sha256;
  const derived = await derive(encoder.encode(password), {
    salt,
    iterations,
    length: hash.length,
  });
  return timingSafeEqual(derived, hash);
}

/**
 * Reads the fields of a `$pbkdf2-sha256$` hash, checking each against its
 * limits.
 *
 * @example Usage
 * ```ts
 * import { parsePasswordHash, UnknownHashFormatError } from "@spindle/spindle/cred";
 * try {
 *   parsePasswordHash("$2b$12$abcdefghijklmnopqrstuv");
 * } catch (error) {
 *   console.assert(error instanceof UnknownHashFormatError);
 * }
 * ```
 */
export function parsePasswordHash(encoded: string): PasswordHash {
  if (!encoded.startsWith(SCHEME)) {
    throw new UnknownHashFormatError(schemeOf(encoded));
  }
  const fields = encoded.slice(SCHEME.length).split("$");
  if (fields.length !== 3) {
    throw new MalformedHashError(
      `expected 3 fields after ${SCHEME} (iterations, salt, hash), found ${fields.length}`,
    );
  }
  const [rounds, salt64, hash64] = fields as [string, string, string];
  if (!/^[1-9][0-9]{0,8}$/.test(rounds)) {
    throw new MalformedHashError(
      `the iteration count ${
        JSON.stringify(rounds)
      } is not a positive decimal number`,
    );
  }
  const iterations = Number(rounds);
  checkIterations(iterations, MalformedHashError);
  const salt = decodeAb64(salt64, "salt");
  if (salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) {
    throw new MalformedHashError(
      `the salt has ${salt.length} bytes; expected ${MIN_SALT_BYTES} to ${MAX_SALT_BYTES}`,
    );
  }
  const hash = decodeAb64(hash64, "hash");
  if (hash.length < MIN_HASH_BYTES || hash.length > MAX_HASH_BYTES) {
    throw new MalformedHashError(
      `the hash has ${hash.length} bytes; expected ${MIN_HASH_BYTES} to ${MAX_HASH_BYTES}`,
    );
  }
  return { iterations, salt, hash };
}

/**
 * Writes the fields of a hash as a `$pbkdf2-sha256$` string.
 *
 * @example Usage
 * ```ts
 * import { formatPasswordHash } from "@spindle/spindle/cred";
 * const encoded = formatPasswordHash({
 *   iterations: 1000,
 *   salt: new Uint8Array(16),
 *   hash: new Uint8Array(32),
 * });
 * console.assert(encoded.startsWith("$pbkdf2-sha256$1000$AAAA"));
 * ```
 */
export function formatPasswordHash(hash: PasswordHash): string {
  return `${SCHEME}${hash.iterations}$${encodeAb64(hash.salt)}$${
    encodeAb64(hash.hash)
  }`;
}

/**
 * Compares two byte arrays in time that depends only on their lengths, so
 * that a peer cannot learn how much of a secret it guessed right.
 *
 * @example Usage
 * ```ts
 * import { timingSafeEqual } from "@spindle/spindle/cred";
 * console.assert(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])));
 * console.assert(!timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])));
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function checkIterations(
  iterations: number,
  ErrorType: new (problem: string) => Error = RangeError,
): void {
  if (
    !Number.isSafeInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS ||
    iterations > MAX_PBKDF2_ITERATIONS
  ) {
    const problem =
      `${iterations} iterations is outside ${MIN_PBKDF2_ITERATIONS} to ${MAX_PBKDF2_ITERATIONS}`;
    throw new ErrorType(
      ErrorType === RangeError
        ? `${problem}: choose an iteration count in that range`
        : problem,
    );
  }
}

// The scheme alone goes into the error: the rest of a foreign hash is secret.
function schemeOf(encoded: string): string {
  const scheme = encoded.match(/^(\$[^$]{0,20}\$|\{[^}]{0,20}\})/);
  return scheme === null ? "plain text" : scheme[0];
}

function encodeAb64(bytes: Uint8Array): string {
  return bytes.toBase64({ omitPadding: true }).replaceAll("+", ".");
}

function decodeAb64(text: string, field: string): Uint8Array<ArrayBuffer> {
  try {
    return Uint8Array.fromBase64(text.replaceAll(".", "+"));
  } catch {
    throw new MalformedHashError(`the ${field} is not valid base64`);
  }
}
