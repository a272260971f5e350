/**
 * The named limits and defaults of `cred/`: each number once, with why.
 *
 * @module
 */

/**
 * PBKDF2-SHA-256 iterations of a new hash: OWASP's Password Storage Cheat
 * Sheet (2023) advises 600,000.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_PBKDF2_ITERATIONS } from "@spindle/spindle/cred";
 * console.assert(DEFAULT_PBKDF2_ITERATIONS === 600_000);
 * ```
 */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;

/**
 * The fewest iterations a hash may have: fewer make a stolen user file cheap
 * to crack. Low counts near this floor are for tests only.
 *
 * @example Usage
 * ```ts
 * import { MIN_PBKDF2_ITERATIONS } from "@spindle/spindle/cred";
 * console.assert(MIN_PBKDF2_ITERATIONS === 1_000);
 * ```
 */
export const MIN_PBKDF2_ITERATIONS = 1_000;

/**
 * The most iterations a hash may have, so that a crafted user file cannot make
 * one login attempt run for minutes.
 *
 * @example Usage
 * ```ts
 * import { MAX_PBKDF2_ITERATIONS } from "@spindle/spindle/cred";
 * console.assert(MAX_PBKDF2_ITERATIONS === 10_000_000);
 * ```
 */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

/**
 * Bytes of random salt in a new hash (NIST SP 800-132 asks for at least 16).
 *
 * @example Usage
 * ```ts
 * import { PBKDF2_SALT_BYTES } from "@spindle/spindle/cred";
 * console.assert(PBKDF2_SALT_BYTES === 16);
 * ```
 */
export const PBKDF2_SALT_BYTES = 16;

/**
 * Bytes of derived key in a new hash: SHA-256's output length.
 *
 * @example Usage
 * ```ts
 * import { PBKDF2_HASH_BYTES } from "@spindle/spindle/cred";
 * console.assert(PBKDF2_HASH_BYTES === 32);
 * ```
 */
export const PBKDF2_HASH_BYTES = 32;

/**
 * The longest line a user file may hold, in characters: a name and a hash
 * fit in well under 1 KiB.
 *
 * @example Usage
 * ```ts
 * import { MAX_USER_LINE_LENGTH } from "@spindle/spindle/cred";
 * console.assert(MAX_USER_LINE_LENGTH === 4_096);
 * ```
 */
export const MAX_USER_LINE_LENGTH = 4_096;

/**
 * The largest user file, in bytes (about 40,000 users).
 *
 * @example Usage
 * ```ts
 * import { MAX_USER_FILE_SIZE } from "@spindle/spindle/cred";
 * console.assert(MAX_USER_FILE_SIZE === 8 * 1024 * 1024);
 * ```
 */
export const MAX_USER_FILE_SIZE = 8 * 1024 * 1024;

/**
 * How long a failed login is held back before its answer, in milliseconds,
 * so that guessing over one connection runs at most two tries a second.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_FAILURE_DELAY } from "@spindle/spindle/cred";
 * console.assert(DEFAULT_FAILURE_DELAY === 500);
 * ```
 */
export const DEFAULT_FAILURE_DELAY = 500;

/**
 * Failed logins one connection may make; the last one tells the protocol to
 * close it (OpenSSH's `MaxAuthTries` is 6; mail servers use about 3).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_FAILURES_PER_CONNECTION } from "@spindle/spindle/cred";
 * console.assert(DEFAULT_MAX_FAILURES_PER_CONNECTION === 3);
 * ```
 */
export const DEFAULT_MAX_FAILURES_PER_CONNECTION = 3;

/**
 * Failed logins one source address may make within
 * {@linkcode DEFAULT_SOURCE_WINDOW} before it is locked out.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_FAILURES_PER_SOURCE } from "@spindle/spindle/cred";
 * console.assert(DEFAULT_MAX_FAILURES_PER_SOURCE === 20);
 * ```
 */
export const DEFAULT_MAX_FAILURES_PER_SOURCE = 20;

/**
 * The window in which a source's failures are counted, in milliseconds.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_SOURCE_WINDOW } from "@spindle/spindle/cred";
 * console.assert(DEFAULT_SOURCE_WINDOW === 10 * 60_000);
 * ```
 */
export const DEFAULT_SOURCE_WINDOW = 10 * 60_000;

/**
 * How long a locked-out source is refused, in milliseconds.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LOCKOUT } from "@spindle/spindle/cred";
 * console.assert(DEFAULT_LOCKOUT === 15 * 60_000);
 * ```
 */
export const DEFAULT_LOCKOUT = 15 * 60_000;

/**
 * The most source addresses a limiter remembers; past it the oldest are
 * forgotten, so that a flood of addresses cannot grow memory without bound.
 *
 * @example Usage
 * ```ts
 * import { MAX_TRACKED_SOURCES } from "@spindle/spindle/cred";
 * console.assert(MAX_TRACKED_SOURCES === 100_000);
 * ```
 */
export const MAX_TRACKED_SOURCES = 100_000;

/**
 * The longest password `spindle passwd` reads, in bytes: a line longer than
 * this is refused rather than read without end.
 *
 * @example Usage
 * ```ts
 * import { MAX_PASSWORD_BYTES } from "@spindle/spindle/cred";
 * console.assert(MAX_PASSWORD_BYTES === 4_096);
 * ```
 */
export const MAX_PASSWORD_BYTES = 4_096;
