// The maildir store the mail servers share: delivery, listing, folders, locks.
import {
  deliverMessage,
  MailboxLockedError,
  MailboxNameError,
  Maildir,
  MailStore,
} from "../../../protocols/mail/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import { withTempDir } from "../../_temp_dir.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

async function namesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

test("createMailboxes makes tmp, new and cur for each user", async () => {
  await withTempDir(async (root) => {
    const store = new MailStore(`${root}/mail`);
    await store.createMailboxes(["alice", "bob"]);
    assertEquals(await namesIn(`${root}/mail`), ["alice", "bob"]);
    assertEquals(await namesIn(`${root}/mail/alice`), ["cur", "new", "tmp"]);
    assert(await store.hasMailbox("bob"));
    assert(!(await store.hasMailbox("carol")));
  });
});

test("a user name that would leave the root is refused", () => {
  const store = new MailStore("/nonexistent");
  for (const name of ["..", "a/b", ".Sent", ""]) {
    assertThrows(() => store.mailbox(name), MailboxNameError);
  }
});

test("a delivered message lands in new/ byte for byte, nothing left in tmp/", async () => {
  await withTempDir(async (root) => {
    const box = new Maildir(`${root}/alice`);
    await box.create();
    const message = bytes("From: a@b\r\nSubject: x\r\n\r\nbody\r\n");
    const name = await box.deliver(message);
    assertEquals(await namesIn(`${root}/alice/new`), [name]);
    assertEquals(await namesIn(`${root}/alice/tmp`), []);
    const [listed] = await box.list();
    assertEquals(listed?.name, name);
    assertEquals(listed?.key, name);
    assertEquals(listed?.size, message.length);
    assertEquals(await box.read(listed!), message);
  });
});

test("deliveries get unique names", async () => {
  await withTempDir(async (root) => {
    const box = new Maildir(root);
    await box.create();
    const names = await Promise.all(
      Array.from({ length: 20 }, () => box.deliver(bytes("x\r\n"))),
    );
    assertEquals(new Set(names).size, 20);
    assertEquals((await box.list()).length, 20);
  });
});

test("a source that fails delivers nothing and leaves tmp/ empty", async () => {
  await withTempDir(async (root) => {
    const boxes = [new Maildir(`${root}/a`), new Maildir(`${root}/b`)];
    for (const box of boxes) await box.create();
    async function* halfAMessage() {
      yield bytes("Subject: cut\r\n");
      throw new Error("the client left");
    }
    await assertRejects(
      () => deliverMessage(boxes, halfAMessage()),
      Error,
      "the client left",
    );
    for (const dir of ["a", "b"]) {
      assertEquals(await namesIn(`${root}/${dir}/tmp`), []);
      assertEquals(await namesIn(`${root}/${dir}/new`), []);
    }
  });
});

test("one message goes to several maildirs from one read of its chunks", async () => {
  await withTempDir(async (root) => {
    const boxes = [new Maildir(`${root}/a`), new Maildir(`${root}/b`)];
    for (const box of boxes) await box.create();
    const stream = ReadableStream.from([bytes("one\r\n"), bytes("two\r\n")]);
    await deliverMessage(boxes, stream);
    for (const box of boxes) {
      const [message] = await box.list();
      assertEquals(await box.read(message!), bytes("one\r\ntwo\r\n"));
    }
  });
});

test("list covers new/ and cur/ and keeps the key across flags", async () => {
  await withTempDir(async (root) => {
    const box = new Maildir(root);
    await box.create();
    const name = await box.deliver(bytes("x\r\n"));
    await Deno.rename(`${root}/new/${name}`, `${root}/cur/${name}:2,S`);
    const [message] = await box.list();
    assertEquals(message?.subfolder, "cur");
    assertEquals(message?.name, `${name}:2,S`);
    assertEquals(message?.key, name);
  });
});

test("Maildir++ folders are .Name beside the inbox", async () => {
  await withTempDir(async (root) => {
    const box = new Maildir(root);
    await box.create();
    await box.folder("Sent").create();
    await box.folder("Archive.2024").create();
    assertEquals(await box.folders(), ["Archive.2024", "Sent"]);
    assertEquals(box.folder("Sent").path, `${root}/.Sent`);
    assertThrows(() => box.folder("../x"), MailboxNameError);
  });
});

test("a locked maildir refuses a second lock at once until released", async () => {
  await withTempDir(async (root) => {
    const box = new Maildir(root);
    const lock = await box.lock();
    await assertRejects(() => new Maildir(root).lock(), MailboxLockedError);
    await lock.release();
    await (await box.lock()).release();
  });
});

test("a lock left by a dead process is taken over", async () => {
  await withTempDir(async (root) => {
    const child = new Deno.Command("true").spawn();
    const { success } = await child.status;
    assert(success);
    await Deno.writeTextFile(`${root}/spindle.lock`, `${child.pid} gone\n`);
    const lock = await new Maildir(root).lock();
    await lock.release();
  });
});

test("a lock holds across processes", async () => {
  await withTempDir(async (root) => {
    const code = `
      import { Maildir } from "${
      new URL("../../../protocols/mail/mod.ts", import.meta.url).href
    }";
      try { await new Maildir(${
      JSON.stringify(root)
    }).lock(); console.log("locked"); }
      catch (error) { console.log(error.name); }`;
    const lock = await new Maildir(root).lock();
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assertEquals(
      new TextDecoder().decode(output.stdout).trim(),
      "MailboxLockedError",
    );
    await lock.release();
  });
});
