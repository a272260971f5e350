// The manhole: its evaluation and line editing, and a REPL over OpenSSH's ssh.
import { test } from "../../../trial/mod.ts";
import {
  assertEquals,
  assertMatch,
  assertRejects,
} from "../../../trial/assertions.ts";
import { evaluateLine, LineEditor } from "../../../protocols/ssh/mod.ts";
import { ManholeService } from "../../../protocols/ssh/plugin.ts";
import { UsageError } from "../../../app/options.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { makeKeys, run } from "./_helpers.ts";
import { withTempDir } from "../../_temp_dir.ts";

const ssh = findPeer(PEERS.ssh);
const keygen = findPeer(PEERS.sshKeygen);

test("manhole: a line is an expression with the namespace in scope, awaited", async () => {
  assertEquals(await evaluateLine("Promise.resolve(n + 1)", { n: 41 }), 42);
});

test("manhole: a declaration keeps its name for later lines", async () => {
  const scope: Record<string, unknown> = {};
  await evaluateLine("let x = 6", scope);
  assertEquals(await evaluateLine("x * 7", scope), 42);
});

test("manhole: the line editor takes backspace, arrows and history", () => {
  const editor = new LineEditor();
  for (const key of "1+3") editor.press(key, true);
  editor.press("\x1b[D", true);
  editor.press("\x7f", true);
  editor.press("*", true);
  assertEquals(editor.line, "1*3");
  assertEquals(editor.press("\r", true), { kind: "submit", line: "1*3" });
  editor.press("\x1b[A", true);
  assertEquals(editor.line, "1*3");
  editor.press("\x1b[B", true);
  assertEquals(editor.line, "");
});

test("manhole: it refuses a non-loopback interface unless told otherwise", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/keys`, "");
    await assertRejects(
      () =>
        ManholeService.create({
          listen: "tcp:0",
          authorizedKeys: `${dir}/keys`,
          namespace: {},
        }),
      UsageError,
    );
    await ManholeService.create({
      listen: "tcp:0",
      authorizedKeys: `${dir}/keys`,
      namespace: {},
      anyInterface: true,
    });
  });
});

test(
  "manhole: ssh -tt gets a REPL with the application in scope and line editing",
  async () => {
    await withTempDir(async (dir) => {
      const keys = await makeKeys(keygen.path, dir);
      await Deno.writeTextFile(
        `${dir}/authorized_keys`,
        await keys.publicLine("id_ed25519"),
      );
      const manhole = await ManholeService.create({
        listen: "tcp:0:interface=127.0.0.1",
        authorizedKeys: `${dir}/authorized_keys`,
        namespace: { application: { name: "demo" } },
      });
      await manhole.startService();
      try {
        const port = (manhole.server!.addr as Deno.NetAddr).port;
        const user = (await import("node:os")).userInfo().username;
        const result = await run(ssh.path, [
          "-F",
          "/dev/null",
          "-tt",
          "-o",
          "BatchMode=yes",
          "-o",
          "StrictHostKeyChecking=no",
          "-o",
          "UserKnownHostsFile=/dev/null",
          "-o",
          "LogLevel=ERROR",
          "-i",
          keys.path("id_ed25519"),
          "-p",
          String(port),
          `${user}@127.0.0.1`,
        ], { stdin: "application.namx\x7fe\r\x1b[A\r\x04" });
        const out = new TextDecoder().decode(result.stdout);
        assertMatch(out, /"demo"\r\n>>> .*"demo"\r\n/s);
      } finally {
        await manhole.stopService();
      }
    });
  },
  { ignore: ssh.ignore || keygen.ignore },
);
