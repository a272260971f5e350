// PBKDF2-SHA-256 hashes: the $pbkdf2-sha256$ format, its limits, refused
// formats, constant-time comparison, and agreement with Python's hashlib.
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
  test,
} from "../../trial/mod.ts";
import {
  formatPasswordHash,
  hashPassword,
  parsePasswordHash,
  timingSafeEqual,
  verifyPassword,
} from "../../cred/password_hash.ts";
import {
  MalformedHashError,
  UnknownHashFormatError,
} from "../../cred/errors.ts";
import {
  DEFAULT_PBKDF2_ITERATIONS,
  MAX_PBKDF2_ITERATIONS,
  MIN_PBKDF2_ITERATIONS,
} from "../../cred/limits.ts";
import { findPeer, PEERS } from "../_peers.ts";

const FAST = { iterations: 1_000 };

test("a hash verifies its own password and no other", async () => {
  const encoded = await hashPassword("correct horse", FAST);
  assert(await verifyPassword("correct horse", encoded));
  assert(!await verifyPassword("correct horsf", encoded));
  assert(!await verifyPassword("", encoded));
});

test("a new hash has 600,000 iterations, a 16-byte salt and a 32-byte hash by default", async () => {
  const encoded = await hashPassword("secret");
  assertMatch(
    encoded,
    /^\$pbkdf2-sha256\$600000\$[A-Za-z0-9./]{22}\$[A-Za-z0-9./]{43}$/,
  );
  const hash = parsePasswordHash(encoded);
  assertEquals(hash.iterations, DEFAULT_PBKDF2_ITERATIONS);
  assertEquals(hash.salt.length, 16);
  assertEquals(hash.hash.length, 32);
});

test("two hashes of one password differ by their random salt", async () => {
  const a = await hashPassword("secret", FAST);
  const b = await hashPassword("secret", FAST);
  assert(a !== b);
});

test("a hash is written in passlib's alphabet: '.' for '+', no padding", () => {
  const encoded = formatPasswordHash({
    iterations: 1000,
    salt: new Uint8Array(16).fill(0xfb),
    hash: new Uint8Array(32).fill(0xfb),
  });
  assert(!encoded.includes("+") && !encoded.includes("="), encoded);
  assert(encoded.includes("."), encoded);
  assertEquals(parsePasswordHash(encoded).salt, new Uint8Array(16).fill(0xfb));
});

test("a hash in the standard alphabet with padding is read too", () => {
  const salt = new Uint8Array(16).fill(0xfb).toBase64();
  const hash = new Uint8Array(32).fill(0xfb).toBase64();
  const parsed = parsePasswordHash(`$pbkdf2-sha256$1000$${salt}$${hash}`);
  assertEquals(parsed.hash, new Uint8Array(32).fill(0xfb));
});

for (
  const [what, foreign, scheme] of [
    [
      "bcrypt",
      "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
      "$2b$",
    ],
    [
      "sha512-crypt",
      "$6$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g.",
      "$6$",
    ],
    ["LDAP {SSHA}", "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "{SSHA}"],
    ["plain text", "hunter2", "plain text"],
  ] as const
) {
  test(`a ${what} hash is refused, naming the one format understood`, async () => {
    const error = await assertRejects(
      () => verifyPassword("x", foreign),
      UnknownHashFormatError,
    );
    assertEquals(error.scheme, scheme);
    assert(error.message.includes("$pbkdf2-sha256$"), error.message);
    assert(!error.message.includes("hunter2"), "the message holds no secret");
  });
}

for (
  const [what, encoded] of [
    ["a missing field", "$pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA"],
    [
      "an extra field",
      `$pbkdf2-sha256$1000$${"A".repeat(22)}$${"A".repeat(43)}$x`,
    ],
    [
      "a non-numeric count",
      `$pbkdf2-sha256$many$${"A".repeat(22)}$${"A".repeat(43)}`,
    ],
    [
      "a count with a leading zero",
      `$pbkdf2-sha256$01000$${"A".repeat(22)}$${"A".repeat(43)}`,
    ],
    [
      "too few iterations",
      `$pbkdf2-sha256$999$${"A".repeat(22)}$${"A".repeat(43)}`,
    ],
    [
      "too many iterations",
      `$pbkdf2-sha256$${MAX_PBKDF2_ITERATIONS + 1}$${"A".repeat(22)}$${
        "A".repeat(43)
      }`,
    ],
    ["bad base64", `$pbkdf2-sha256$1000$${"!".repeat(22)}$${"A".repeat(43)}`],
    ["a short salt", `$pbkdf2-sha256$1000$AAAA$${"A".repeat(43)}`],
    ["a short hash", `$pbkdf2-sha256$1000$${"A".repeat(22)}$AAAA`],
  ] as const
) {
  test(`a hash with ${what} is malformed`, () => {
    assertThrows(() => parsePasswordHash(encoded), MalformedHashError);
  });
}

test("hashPassword refuses an iteration count outside its bounds", async () => {
  await assertRejects(
    () => hashPassword("x", { iterations: MIN_PBKDF2_ITERATIONS - 1 }),
    RangeError,
  );
  await assertRejects(
    () => hashPassword("x", { iterations: 1.5e3 + 0.5 }),
    RangeError,
  );
});

test("hashPassword refuses a salt a stored hash could not have", async () => {
  await assertRejects(
    () => hashPassword("x", { iterations: 1_000, salt: new Uint8Array(4) }),
    RangeError,
  );
});

test("timingSafeEqual compares every byte and the lengths", () => {
  const a = new Uint8Array([1, 2, 3, 4]);
  assert(timingSafeEqual(a, new Uint8Array([1, 2, 3, 4])));
  assert(!timingSafeEqual(a, new Uint8Array([1, 2, 3, 5])));
  assert(!timingSafeEqual(a, new Uint8Array([0, 2, 3, 4])));
  assert(!timingSafeEqual(a, new Uint8Array([1, 2, 3])));
  assert(timingSafeEqual(new Uint8Array(0), new Uint8Array(0)));
});

const python = findPeer(PEERS.python);

async function pythonPbkdf2(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(python.path, {
    args: [
      "-c",
      "import base64, hashlib, sys; print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', sys.argv[1].encode(), base64.b64decode(sys.argv[2]), int(sys.argv[3]), 32)).decode())",
      password,
      salt.toBase64(),
      String(iterations),
    ],
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim();
}

test("a hash agrees with Python's hashlib.pbkdf2_hmac('sha256')", async () => {
  const password = "pässwörd ✓";
  const encoded = await hashPassword(password, { iterations: 4_096 });
  const { salt, hash } = parsePasswordHash(encoded);
  assertEquals(await pythonPbkdf2(password, salt, 4_096), hash.toBase64());
}, { ignore: python.ignore });

test("a hash Python made in the $pbkdf2-sha256$ format verifies", async () => {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = Uint8Array.fromBase64(
    await pythonPbkdf2("from python", salt, 2_000),
  );
  const encoded = formatPasswordHash({ iterations: 2_000, salt, hash });
  assert(await verifyPassword("from python", encoded));
  assert(!await verifyPassword("from deno", encoded));
}, { ignore: python.ignore });
