import {
  isProcessAlive,
  PidFile,
  PidFileInUseError,
} from "../../app/pidfile.ts";
import { assertEquals, assertThrows, test } from "../../trial/mod.ts";
import { withTempDir } from "../_temp_dir.ts";

async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

test("isProcessAlive is true for this process and false for an exited one", async () => {
  assertEquals(isProcessAlive(Deno.pid), true);
  assertEquals(isProcessAlive(await deadPid()), false);
});

test("acquire writes this process's pid", () =>
  withTempDir((dir) => {
    const pidfile = PidFile.acquire(`${dir}/a.pid`);
    assertEquals(Deno.readTextFileSync(`${dir}/a.pid`), `${Deno.pid}\n`);
    pidfile.release();
  }));

test("acquire refuses a pid file naming a live process", () =>
  withTempDir(async (dir) => {
    const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      await Deno.writeTextFile(`${dir}/a.pid`, `${sleeper.pid}\n`);
      const error = assertThrows(
        () => PidFile.acquire(`${dir}/a.pid`),
        PidFileInUseError,
      );
      assertEquals(error.pid, sleeper.pid);
    } finally {
      sleeper.kill();
      await sleeper.status;
    }
  }));

test("acquire replaces a pid file naming a dead process", () =>
  withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.pid`, `${await deadPid()}\n`);
    const pidfile = PidFile.acquire(`${dir}/a.pid`);
    assertEquals(
      Deno.readTextFileSync(`${dir}/a.pid`).trim(),
      String(Deno.pid),
    );
    pidfile.release();
  }));

test("acquire replaces a pid file holding garbage", () =>
  withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.pid`, "not a pid");
    PidFile.acquire(`${dir}/a.pid`).release();
  }));

test("release removes the file", () =>
  withTempDir((dir) => {
    PidFile.acquire(`${dir}/a.pid`).release();
    assertThrows(() => Deno.statSync(`${dir}/a.pid`), Deno.errors.NotFound);
  }));

test("release leaves a file that now names another process", () =>
  withTempDir(async (dir) => {
    const pidfile = PidFile.acquire(`${dir}/a.pid`);
    await Deno.writeTextFile(`${dir}/a.pid`, "1\n");
    pidfile.release();
    assertEquals(Deno.readTextFileSync(`${dir}/a.pid`), "1\n");
  }));
