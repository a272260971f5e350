// The user file: name:hash lines with comments, errors that name the file
// and line, named limits, and atomic writes with mode 0600.
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "../../trial/mod.ts";
import { checkUserName, UserFile } from "../../cred/user_file.ts";
import { hashPassword } from "../../cred/password_hash.ts";
import {
  MalformedHashError,
  UnknownHashFormatError,
  UserFileError,
} from "../../cred/errors.ts";
import { MAX_USER_FILE_SIZE, MAX_USER_LINE_LENGTH } from "../../cred/limits.ts";
import { withTempDir } from "../_temp_dir.ts";

const alice = await hashPassword("alice's", { iterations: 1_000 });
const bob = await hashPassword("bob's", { iterations: 1_000 });

test("a user file maps names to hashes, skipping blank lines and comments", () => {
  const users = UserFile.parse(
    `# staff\n\nalice:${alice}\r\n  # indented comment\nbob:${bob}\n`,
  );
  assertEquals(users.names(), ["alice", "bob"]);
  assertEquals(users.get("alice"), alice);
  assertEquals(users.get("bob"), bob);
  assertEquals(users.get("carol"), undefined);
  assertEquals(users.size, 2);
});

test("a file without a final newline is read whole", () => {
  assertEquals(UserFile.parse(`alice:${alice}`).get("alice"), alice);
});

for (
  const [what, text, line, words] of [
    ["a line without ':'", `# c\nalice ${alice}\n`, 2, "no ':'"],
    ["an empty name", `:${alice}\n`, 1, "bad user name"],
    ["a name with a space", `al ice:${alice}\n`, 1, "bad user name"],
    [
      "a repeated name",
      `alice:${alice}\n\nalice:${bob}\n`,
      3,
      "already on line 1",
    ],
    [
      "a bcrypt hash",
      `alice:$2b$12$abcdefghijklmnopqrstuv\n`,
      1,
      "$pbkdf2-sha256$",
    ],
    ["a malformed hash", `alice:$pbkdf2-sha256$1000$xx\n`, 1, "Malformed"],
    [
      "a line over MAX_USER_LINE_LENGTH",
      `alice:${alice}\n${"#".repeat(MAX_USER_LINE_LENGTH + 1)}\n`,
      2,
      "MAX_USER_LINE_LENGTH",
    ],
  ] as const
) {
  test(`${what} is an error naming the file and line`, () => {
    const error = assertThrows(
      () => UserFile.parse(text, "users.txt"),
      UserFileError,
    );
    assertEquals(error.path, "users.txt");
    assertEquals(error.line, line);
    assert(error.message.startsWith(`users.txt:${line}: `), error.message);
    assert(error.message.includes(words), error.message);
  });
}

test("a file over MAX_USER_FILE_SIZE is refused before it is read", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await Deno.writeFile(path, new Uint8Array(MAX_USER_FILE_SIZE + 1));
    const error = await assertRejects(() => UserFile.load(path), UserFileError);
    assertEquals(error.line, 0);
    assert(error.message.includes("MAX_USER_FILE_SIZE"), error.message);
  });
});

test("loading a missing file rejects with NotFound", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () => UserFile.load(`${dir}/none.txt`),
      Deno.errors.NotFound,
    );
  });
});

test("set replaces a user on its own line and adds a new one at the end", () => {
  const users = UserFile.parse(`# top\nalice:${alice}\n# middle\nbob:${bob}\n`);
  users.set("alice", bob);
  users.set("carol", alice);
  assertEquals(
    users.toString(),
    `# top\nalice:${bob}\n# middle\nbob:${bob}\ncarol:${alice}\n`,
  );
});

test("delete removes the user's line", () => {
  const users = UserFile.parse(`alice:${alice}\n# keep\nbob:${bob}\n`);
  assert(users.delete("alice"));
  assert(!users.delete("alice"));
  assertEquals(users.toString(), `# keep\nbob:${bob}\n`);
});

test("set refuses a bad name and a hash in an unknown or broken format", () => {
  const users = new UserFile("users.txt");
  assertThrows(() => users.set("a:b", alice), TypeError);
  assertThrows(() => users.set("a\tb", alice), TypeError);
  assertThrows(() => users.set("alice", "plain"), UnknownHashFormatError);
  assertThrows(
    () => users.set("alice", "$pbkdf2-sha256$1000$$"),
    MalformedHashError,
  );
  assertEquals(users.size, 0);
});

test("checkUserName refuses ':', whitespace, control characters and ''", () => {
  checkUserName("alice@example.org");
  for (const bad of ["", "a:b", "a b", "a\nb", "a\u0000b"]) {
    assertThrows(() => checkUserName(bad), TypeError);
  }
});

test("write creates the file with mode 0600 and leaves no temporary file", async () => {
  await withTempDir(async (dir) => {
    const users = new UserFile(`${dir}/users.txt`);
    users.set("alice", alice);
    await users.write();
    const info = await Deno.stat(`${dir}/users.txt`);
    assertEquals(info.mode! & 0o777, 0o600);
    assertEquals(
      await Deno.readTextFile(`${dir}/users.txt`),
      `alice:${alice}\n`,
    );
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assertEquals(names, ["users.txt"]);
  });
});

test("write replaces the file by rename: a reader holding the old one still sees it whole", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await Deno.writeTextFile(path, `alice:${alice}\n`);
    const before = await Deno.open(path);
    const users = await UserFile.load(path);
    users.set("bob", bob);
    await users.write();
    const buffer = new Uint8Array(1024);
    const n = await before.read(buffer);
    const oldInode = (await before.stat()).ino;
    before.close();
    assertEquals(
      new TextDecoder().decode(buffer.subarray(0, n ?? 0)),
      `alice:${alice}\n`,
    );
    assertEquals(
      await Deno.readTextFile(path),
      `alice:${alice}\nbob:${bob}\n`,
    );
    const newInode = (await Deno.stat(path)).ino;
    assert(oldInode !== newInode, "a new file took the old one's name");
  });
});

test("a failed write leaves the old file and no temporary file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await Deno.mkdir(path); // rename cannot replace a directory with a file
    const users = new UserFile(path);
    users.set("alice", alice);
    await assertRejects(() => users.write());
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assertEquals(names, ["users.txt"]);
  });
});
