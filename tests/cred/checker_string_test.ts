// Checkers named by strings: the built-in kinds, registered kinds, and
// errors that name the kind and the parameter at fault.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertThrows,
  test,
} from "../../trial/mod.ts";
import {
  checkerFromString,
  checkerKindHelp,
  registerCheckerKind,
} from "../../cred/checker_string.ts";
import { AnonymousChecker } from "../../cred/anonymous_checker.ts";
import { FilePasswordChecker } from "../../cred/file_checker.ts";
import { InMemoryPasswordChecker } from "../../cred/memory_checker.ts";
import { Anonymous, UsernamePassword } from "../../cred/credentials.ts";
import {
  CheckerDescriptionError,
  InvalidCheckerParameterError,
  UnauthorizedLoginError,
  UnknownCheckerKindError,
} from "../../cred/errors.ts";

test("file:PATH is a FilePasswordChecker over PATH, which may hold ':'", () => {
  const checker = checkerFromString("file:/etc/spindle:users.txt");
  assertInstanceOf(checker, FilePasswordChecker);
  assertEquals(checker.path, "/etc/spindle:users.txt");
});

test("memory:NAME=PASSWORD:... checks those passwords", async () => {
  const checker = checkerFromString("memory:alice=secret:bob=x=y");
  assertInstanceOf(checker, InMemoryPasswordChecker);
  assertEquals(
    await checker.requestAvatarId(new UsernamePassword("alice", "secret")),
    "alice",
  );
  assertEquals(
    await checker.requestAvatarId(new UsernamePassword("bob", "x=y")),
    "bob",
  );
  await assertRejects(
    () => checker.requestAvatarId(new UsernamePassword("bob", "x")),
    UnauthorizedLoginError,
  );
});

test("anonymous lets anyone in", async () => {
  const checker = checkerFromString("anonymous");
  assertInstanceOf(checker, AnonymousChecker);
  assertEquals(await checker.requestAvatarId(new Anonymous()), "anonymous");
});

test("an unknown kind is an error that names it and lists the known ones", () => {
  const error = assertThrows(
    () => checkerFromString("ldap:ou=people"),
    UnknownCheckerKindError,
  );
  assertEquals(error.kind, "ldap");
  assertEquals(error.description, "ldap:ou=people");
  for (const known of ["anonymous", "file", "memory"]) {
    assert(error.message.includes(known), error.message);
  }
});

test("a string with no kind is refused", () => {
  assertThrows(() => checkerFromString(""), CheckerDescriptionError);
  assertThrows(() => checkerFromString(":x"), CheckerDescriptionError);
});

for (
  const [description, kind, parameter] of [
    ["file", "file", ""],
    ["file:", "file", ""],
    ["memory:", "memory", ""],
    ["memory:alice", "memory", "alice"],
    ["memory:alice=1:=nameless", "memory", ""],
    ["anonymous:guest", "anonymous", "guest"],
  ] as const
) {
  test(`${JSON.stringify(description)} is an error naming ${kind} and the parameter`, () => {
    const error = assertThrows(
      () => checkerFromString(description),
      InvalidCheckerParameterError,
    );
    assertEquals(error.kind, kind);
    assertEquals(error.parameter, parameter);
    assert(error.message.includes(JSON.stringify(kind)), error.message);
  });
}

test("a password never appears in a memory: error", () => {
  const error = assertThrows(
    () => checkerFromString("memory:alice=hunter2:=s3cret"),
    InvalidCheckerParameterError,
  );
  assert(!error.message.includes("hunter2"), error.message);
});

test("a registered kind is made with its argument and the options", () => {
  const seen: unknown[] = [];
  registerCheckerKind("test-recording", {
    help: "test-recording:ANYTHING",
    create(argument, context) {
      seen.push(argument, context.kind, context.options.derive);
      return new AnonymousChecker();
    },
  });
  const derive = () => Promise.resolve(new Uint8Array(32));
  checkerFromString("test-recording:a:b", { derive });
  assertEquals(seen, ["a:b", "test-recording", derive]);
  assert(checkerKindHelp().some(([name]) => name === "test-recording"));
});

test("a kind's invalid() makes the error for its string", () => {
  registerCheckerKind("test-picky", {
    help: "test-picky:N",
    create(argument, context) {
      throw context.invalid(argument, "expected a number");
    },
  });
  const error = assertThrows(
    () => checkerFromString("test-picky:x"),
    InvalidCheckerParameterError,
  );
  assertEquals([error.kind, error.parameter], ["test-picky", "x"]);
  assertEquals(error.description, "test-picky:x");
});

test("registering another kind under a taken name, or a bad name, throws a TypeError", () => {
  assertThrows(
    () =>
      registerCheckerKind("file", {
        help: "",
        create: () => new AnonymousChecker(),
      }),
    TypeError,
  );
  assertThrows(
    () =>
      registerCheckerKind("Bad Name", {
        help: "",
        create: () => new AnonymousChecker(),
      }),
    TypeError,
  );
});

test("the help lines of the built-in kinds are listed in name order", () => {
  const names = checkerKindHelp().map(([name]) => name);
  assertEquals(names, [...names].sort());
  for (const builtIn of ["anonymous", "file", "memory"]) {
    assert(names.includes(builtIn));
  }
});
