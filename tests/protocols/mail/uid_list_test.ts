// UidList: IMAP UIDs of a maildir folder, kept across restarts.
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import { Maildir, UidList } from "../../../protocols/mail/mod.ts";
import { withTempDir } from "../../_temp_dir.ts";

const message = (text: string) => new TextEncoder().encode(text);

async function box(dir: string): Promise<Maildir> {
  const maildir = new Maildir(`${dir}/alice`);
  await maildir.create();
  return maildir;
}

test("UIDs are given in delivery order and new messages get the next ones", async () => {
  await withTempDir(async (dir) => {
    const maildir = await box(dir);
    await maildir.deliver(message("one\r\n"), { fsync: false });
    await maildir.deliver(message("two\r\n"), { fsync: false });
    const first = await new UidList(maildir).sync();
    assertEquals(first.entries.map((e) => e.uid), [1, 2]);
    await maildir.deliver(message("three\r\n"), { fsync: false });
    const second = await new UidList(maildir).sync();
    assertEquals(second.entries.map((e) => e.uid), [1, 2, 3]);
    assertEquals(second.uidNext, 4);
  });
});

test("a UID is never given again after its message is removed", async () => {
  await withTempDir(async (dir) => {
    const maildir = await box(dir);
    await maildir.deliver(message("one\r\n"), { fsync: false });
    await maildir.deliver(message("two\r\n"), { fsync: false });
    const list = new UidList(maildir);
    const before = await list.sync();
    await maildir.remove(before.entries[1]!.message);
    await maildir.deliver(message("three\r\n"), { fsync: false });
    assertEquals((await list.sync()).entries.map((e) => e.uid), [1, 3]);
  });
});

test("UIDs and UIDVALIDITY survive a new UidList (a restart); a lost list gets a new UIDVALIDITY", async () => {
  await withTempDir(async (dir) => {
    const maildir = await box(dir);
    await maildir.deliver(message("one\r\n"), { fsync: false });
    const first = await new UidList(maildir).sync();
    const again = await new UidList(maildir).sync();
    assertEquals(again, first);
    await Deno.writeTextFile(`${maildir.path}/uidlist`, "garbage\n");
    const lost = await new UidList(maildir).sync();
    assert(lost.uidValidity >= first.uidValidity);
    assertEquals(lost.entries.map((e) => e.uid), [1]);
  });
});

test("a message that moved to cur/ with flags keeps its UID", async () => {
  await withTempDir(async (dir) => {
    const maildir = await box(dir);
    const name = await maildir.deliver(message("one\r\n"), { fsync: false });
    await new UidList(maildir).sync();
    await Deno.rename(
      `${maildir.path}/new/${name}`,
      `${maildir.path}/cur/${name}:2,S`,
    );
    const [entry] = (await new UidList(maildir).sync()).entries;
    assertEquals([entry!.uid, entry!.message.subfolder, entry!.message.name], [
      1,
      "cur",
      `${name}:2,S`,
    ]);
  });
});

test("concurrent syncs agree on every UID", async () => {
  await withTempDir(async (dir) => {
    const maildir = await box(dir);
    for (let i = 0; i < 20; i++) {
      await maildir.deliver(message(`m${i}\r\n`), { fsync: false });
    }
    const results = await Promise.all(
      Array.from({ length: 4 }, () => new UidList(maildir).sync()),
    );
    for (const result of results) assertEquals(result, results[0]);
  });
});

test("a sync of a folder whose files kept their names hands out the entries of the last one; a renamed file gets a fresh entry", async () => {
  await withTempDir(async (dir) => {
    const maildir = await box(dir);
    const name = await maildir.deliver(message("one\r\n"), { fsync: false });
    await maildir.deliver(message("two\r\n"), { fsync: false });
    const first = await new UidList(maildir).sync();
    const second = await new UidList(maildir).sync();
    assert(second.entries[0] === first.entries[0]);
    assert(second.entries[1] === first.entries[1]);
    await Deno.rename(
      `${maildir.path}/new/${name}`,
      `${maildir.path}/cur/${name}:2,S`,
    );
    const third = await new UidList(maildir).sync();
    assert(third.entries[0] !== first.entries[0]);
    assertEquals(third.entries[0]!.message.name, `${name}:2,S`);
    assert(third.entries[1] === first.entries[1]);
  });
});

test("a message found in new/ and cur/ at once (caught mid-move) takes one UID", async () => {
  await withTempDir(async (dir) => {
    const maildir = await box(dir);
    const name = await maildir.deliver(message("one\r\n"), { fsync: false });
    await Deno.copyFile(
      `${maildir.path}/new/${name}`,
      `${maildir.path}/cur/${name}:2,S`,
    );
    const list = await new UidList(maildir).sync();
    assertEquals(list.uidNext, 2);
    assertEquals([...new Set(list.entries.map((e) => e.uid))], [1]);
    await Deno.remove(`${maildir.path}/new/${name}`);
    await maildir.deliver(message("two\r\n"), { fsync: false });
    const after = await new UidList(maildir).sync();
    assertEquals(after.entries.map((e) => e.uid), [1, 2]);
  });
});
