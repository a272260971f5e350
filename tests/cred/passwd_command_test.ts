// `spindle passwd NAME`: in process with a fake terminal and pipes, and once
// as a real subprocess.
import { assert, assertEquals, assertMatch, test } from "../../trial/mod.ts";
import { passwdCommand, type PasswdIO } from "../../cred/passwd_command.ts";
import { verifyPassword } from "../../cred/password_hash.ts";
import { UserFile } from "../../cred/user_file.ts";
import { withTempDir } from "../_temp_dir.ts";

const FAST = ["--iterations", "1000"];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  raw: boolean[];
}

async function run(
  args: string[],
  input: string | string[],
  terminal = false,
): Promise<Run> {
  const out = { stdout: "", stderr: "", raw: [] as boolean[] };
  const chunks = typeof input === "string" ? [input] : input;
  const io: PasswdIO = {
    stdin: ReadableStream.from(
      chunks.map((chunk) => new TextEncoder().encode(chunk)),
    ),
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    isTerminal: terminal,
    setRaw: (raw) => void out.raw.push(raw),
  };
  const code = await passwdCommand(args, io);
  return { code, ...out };
}

function hashOf(line: string, name: string): string {
  assert(line.startsWith(`${name}:`), line);
  assert(line.endsWith("\n"), "one line, ended");
  return line.slice(name.length + 1, -1);
}

test("passwd prints NAME:hash of the first line of stdin and exits 0", async () => {
  const r = await run(["alice", ...FAST], "secret\nignored\n");
  assertEquals(r.code, 0);
  assertEquals(r.stderr, "");
  assertMatch(r.stdout, /^alice:\$pbkdf2-sha256\$1000\$[^$]+\$[^$]+\n$/);
  assert(await verifyPassword("secret", hashOf(r.stdout, "alice")));
});

test("passwd reads a line that arrives in pieces, and drops a CR before the LF", async () => {
  const r = await run(["alice", ...FAST], ["se", "cr", "et\r\n"]);
  assertEquals(r.code, 0);
  assert(await verifyPassword("secret", hashOf(r.stdout, "alice")));
});

test("passwd takes a last line without a newline", async () => {
  const r = await run(["alice", ...FAST], "secret");
  assert(await verifyPassword("secret", hashOf(r.stdout, "alice")));
});

test("passwd hashes with 600,000 iterations unless told otherwise", async () => {
  const r = await run(["alice"], "secret\n");
  assertMatch(r.stdout, /^alice:\$pbkdf2-sha256\$600000\$/);
});

test("on a terminal, passwd reads in raw mode until Enter, with Backspace", async () => {
  const r = await run(["alice", ...FAST], ["sec\x7f", "cret\rafter"], true);
  assertEquals(r.code, 0);
  assertEquals(r.raw, [true, false]);
  assertEquals(r.stderr, "Password: \n");
  assert(await verifyPassword("secret", hashOf(r.stdout, "alice")));
});

test("on a terminal, Ctrl-C stops passwd with exit 1 and raw mode off", async () => {
  const r = await run(["alice", ...FAST], "sec\x03", true);
  assertEquals(r.code, 1);
  assertEquals(r.raw, [true, false]);
  assertEquals(r.stdout, "");
});

test("an empty password is refused with exit 1", async () => {
  for (const input of ["", "\n", "\r\n"]) {
    const r = await run(["alice", ...FAST], input);
    assertEquals(r.code, 1);
    assertEquals(r.stdout, "");
    assert(r.stderr.includes("no password"), r.stderr);
  }
});

test("a password over MAX_PASSWORD_BYTES is refused with exit 1", async () => {
  const r = await run(["alice", ...FAST], "x".repeat(5000) + "\n");
  assertEquals(r.code, 1);
  assert(r.stderr.includes("MAX_PASSWORD_BYTES"), r.stderr);
});

for (
  const [what, args] of [
    ["no name", []],
    ["two names", ["alice", "bob"]],
    ["a name with ':'", ["al:ice"]],
    ["an unknown option", ["alice", "--rounds", "5"]],
    ["--file without a value", ["alice", "--file"]],
    ["a non-numeric --iterations", ["alice", "--iterations", "many"]],
    ["too few --iterations", ["alice", "--iterations=10"]],
  ] as const
) {
  test(`${what} is a usage error: exit 2 and one line on stderr`, async () => {
    const r = await run([...args], "secret\n");
    assertEquals(r.code, 2);
    assertEquals(r.stdout, "");
    assertEquals(r.stderr.split("\n").length, 2, r.stderr);
    assert(r.stderr.startsWith("spindle passwd: "), r.stderr);
  });
}

test("--help prints the usage on stdout and exits 0", async () => {
  const r = await run(["--help"], "");
  assertEquals(r.code, 0);
  assert(r.stdout.startsWith("Usage: spindle passwd NAME"), r.stdout);
});

test("--file creates the file with the user, mode 0600, and prints nothing on stdout", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    const r = await run(["alice", "--file", path, ...FAST], "secret\n");
    assertEquals(r.code, 0);
    assertEquals(r.stdout, "");
    assert(r.stderr.includes("added alice"), r.stderr);
    const users = await UserFile.load(path);
    assert(await verifyPassword("secret", users.get("alice")!));
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  });
});

test("--file replaces the user's line and keeps the other lines", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await run(["bob", `--file=${path}`, ...FAST], "bob's\n");
    await Deno.writeTextFile(
      path,
      `# staff\n${await Deno.readTextFile(path)}`,
    );
    await run(["alice", "--file", path, ...FAST], "old\n");
    const r = await run(["alice", "--file", path, ...FAST], "new\n");
    assertEquals(r.code, 0);
    assert(r.stderr.includes("replaced alice"), r.stderr);
    const users = await UserFile.load(path);
    assertEquals(users.names(), ["bob", "alice"]);
    assert((await Deno.readTextFile(path)).startsWith("# staff\nbob:"));
    assert(await verifyPassword("new", users.get("alice")!));
    assert(await verifyPassword("bob's", users.get("bob")!));
  });
});

test("--file on a broken user file leaves it alone and exits 1 naming the line", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/users.txt`;
    await Deno.writeTextFile(path, "alice plain\n");
    const r = await run(["bob", "--file", path, ...FAST], "x\n");
    assertEquals(r.code, 1);
    assert(r.stderr.includes(`${path}:1:`), r.stderr);
    assertEquals(await Deno.readTextFile(path), "alice plain\n");
  });
});

test("as a subprocess, passwd reads piped stdin and writes the line to stdout", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../cred/passwd_command.ts", import.meta.url).pathname,
      "carol",
      ...FAST,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("from a pipe\n"));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const line = new TextDecoder().decode(stdout);
  assert(await verifyPassword("from a pipe", hashOf(line, "carol")));
});

test("as a subprocess, a usage error exits 2", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../cred/passwd_command.ts", import.meta.url).pathname,
    ],
    stdin: "null",
  }).output();
  assertEquals(code, 2);
  assertEquals(stdout.length, 0);
});
