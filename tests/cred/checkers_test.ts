// The password and anonymous checkers: what they accept, what they refuse,
// that the file checker follows its file, and that an unknown user costs a
// PBKDF2 derivation as a known one does.
import {
  assert,
  assertEquals,
  assertRejects,
  flushLoggedErrors,
  test,
} from "../../trial/mod.ts";
import { captureLogs } from "../../log/mod.ts";
import { AnonymousChecker } from "../../cred/anonymous_checker.ts";
import { InMemoryPasswordChecker } from "../../cred/memory_checker.ts";
import { FilePasswordChecker } from "../../cred/file_checker.ts";
import {
  Anonymous,
  SSHPublicKey,
  UsernamePassword,
} from "../../cred/credentials.ts";
import {
  UnauthorizedLoginError,
  UnhandledCredentialsError,
  UserFileError,
} from "../../cred/errors.ts";
import {
  type DeriveFunction,
  type DeriveParameters,
  hashPassword,
  pbkdf2Sha256,
} from "../../cred/password_hash.ts";
import { withTempDir } from "../_temp_dir.ts";

const ITERATIONS = 5_000;
const aliceHash = await hashPassword("alice's", { iterations: ITERATIONS });
const bobHash = await hashPassword("bob's", { iterations: 1_000 });

function counting(): { derive: DeriveFunction; calls: DeriveParameters[] } {
  const calls: DeriveParameters[] = [];
  return {
    calls,
    derive: (password, parameters) => {
      calls.push(parameters);
      return pbkdf2Sha256(password, parameters);
    },
  };
}

test("the in-memory checker accepts the right password", async () => {
  const checker = new InMemoryPasswordChecker({ alice: "secret" });
  assertEquals(
    await checker.requestAvatarId(new UsernamePassword("alice", "secret")),
    "alice",
  );
});

test("the in-memory checker refuses a wrong password and an unknown user alike", async () => {
  const checker = new InMemoryPasswordChecker({ alice: "secret" });
  const wrong = await assertRejects(
    () => checker.requestAvatarId(new UsernamePassword("alice", "secreT")),
    UnauthorizedLoginError,
  );
  const unknown = await assertRejects(
    () => checker.requestAvatarId(new UsernamePassword("mallory", "secret")),
    UnauthorizedLoginError,
  );
  assertEquals(wrong.message, unknown.message);
});

test("addUser adds a user to the in-memory checker", async () => {
  const checker = new InMemoryPasswordChecker();
  checker.addUser("bob", "x");
  assertEquals(
    await checker.requestAvatarId(new UsernamePassword("bob", "x")),
    "bob",
  );
});

test("the anonymous checker lets Anonymous in as anonymous", async () => {
  assertEquals(
    await new AnonymousChecker().requestAvatarId(new Anonymous()),
    "anonymous",
  );
});

test("a checker given credentials of a type it does not list rejects with UnhandledCredentialsError", async () => {
  const key = new SSHPublicKey("alice", {
    algorithm: "ssh-ed25519",
    blob: new Uint8Array(0),
  });
  for (
    const checker of [
      new AnonymousChecker(),
      new InMemoryPasswordChecker(),
      new FilePasswordChecker("/nonexistent"),
    ]
  ) {
    const error = await assertRejects(
      () => checker.requestAvatarId(key),
      UnhandledCredentialsError,
    );
    assertEquals(error.credentialsType, "SSHPublicKey");
  }
});

test("the file checker accepts the right password and refuses a wrong one", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await Deno.writeTextFile(path, `alice:${aliceHash}\nbob:${bobHash}\n`);
    const checker = new FilePasswordChecker(path);
    assertEquals(
      await checker.requestAvatarId(new UsernamePassword("bob", "bob's")),
      "bob",
    );
    await assertRejects(
      () => checker.requestAvatarId(new UsernamePassword("bob", "alice's")),
      UnauthorizedLoginError,
    );
  });
});

test("the file checker reads the file again when its modification time changes", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await Deno.writeTextFile(path, `bob:${bobHash}\n`);
    const checker = new FilePasswordChecker(path);
    const old = new UsernamePassword("bob", "bob's");
    assertEquals(await checker.requestAvatarId(old), "bob");
    // The same size: only the modification time tells the change.
    const changed = await hashPassword("bob's new", { iterations: 1_000 });
    assertEquals(changed.length, bobHash.length);
    await Deno.writeTextFile(path, `bob:${changed}\n`);
    await Deno.utime(path, new Date(), new Date(Date.now() + 60_000));
    await assertRejects(
      () => checker.requestAvatarId(old),
      UnauthorizedLoginError,
    );
    assertEquals(
      await checker.requestAvatarId(new UsernamePassword("bob", "bob's new")),
      "bob",
    );
  });
});

test("the file checker keeps the last good users when the file breaks, and logs it once", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await Deno.writeTextFile(path, `bob:${bobHash}\n`);
    const checker = new FilePasswordChecker(path);
    const bob = new UsernamePassword("bob", "bob's");
    assertEquals(await checker.requestAvatarId(bob), "bob");
    await Deno.writeTextFile(path, `bob:${bobHash}\nbroken line\n`);
    using logs = captureLogs({ namespace: "spindle.cred" });
    assertEquals(await checker.requestAvatarId(bob), "bob");
    assertEquals(await checker.requestAvatarId(bob), "bob");
    const logged = flushLoggedErrors(UserFileError);
    assertEquals(logged.length, 1);
    assertEquals(logged[0]!.line, 2);
    assertEquals(logs.records.filter((r) => r.level === "error").length, 1);
  });
});

test("the file checker rejects with the file's error when it never could read it", async () => {
  await withTempDir(async (dir) => {
    const checker = new FilePasswordChecker(`${dir}/missing.txt`);
    await assertRejects(
      () => checker.requestAvatarId(new UsernamePassword("bob", "bob's")),
      Deno.errors.NotFound,
    );
  });
});

test("an unknown user costs a PBKDF2 derivation of the file's iteration count, as a known one does", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await Deno.writeTextFile(path, `alice:${aliceHash}\nbob:${bobHash}\n`);
    const { derive, calls } = counting();
    const checker = new FilePasswordChecker(path, { derive });
    for (let round = 0; round < 5; round++) {
      for (const kind of ["known", "unknown"] as const) {
        const name = kind === "known" ? "alice" : `nobody${round}`;
        calls.length = 0;
        await assertRejects(
          () => checker.requestAvatarId(new UsernamePassword(name, "guess")),
          UnauthorizedLoginError,
        );
        assertEquals(calls.length, 1, `${kind} user: one derivation`);
        assertEquals(calls[0]!.iterations, ITERATIONS);
        assertEquals(calls[0]!.length, 32);
      }
    }
  });
});

test("the in-memory checker digests the password for an unknown user too", async () => {
  // The two paths run the same code; the unknown one against a random
  // password, so both answers are the same UnauthorizedLoginError.
  const checker = new InMemoryPasswordChecker({ alice: "secret" });
  const results = await Promise.allSettled([
    checker.requestAvatarId(new UsernamePassword("alice", "x")),
    checker.requestAvatarId(new UsernamePassword("nobody", "x")),
  ]);
  assert(results.every((r) => r.status === "rejected"));
});
