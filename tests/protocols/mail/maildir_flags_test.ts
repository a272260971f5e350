// IMAP system flags in the maildir ":2," suffix.
import { assertEquals, test } from "../../../trial/mod.ts";
import {
  Maildir,
  maildirFlags,
  maildirNameWithFlags,
  setMaildirFlags,
} from "../../../protocols/mail/mod.ts";
import { withTempDir } from "../../_temp_dir.ts";

test("the :2, letters map to IMAP system flags", () => {
  assertEquals(maildirFlags("k:2,DFRST"), [
    "\\Draft",
    "\\Flagged",
    "\\Answered",
    "\\Seen",
    "\\Deleted",
  ]);
  assertEquals(maildirFlags("k"), []);
});

test("flags are written as letters in ASCII order; other letters are kept", () => {
  assertEquals(
    maildirNameWithFlags("k", ["\\Seen", "\\Draft", "\\FLAGGED"]),
    "k:2,DFS",
  );
  assertEquals(maildirNameWithFlags("k:2,Sab", ["\\Answered"]), "k:2,Rab");
});

test("setMaildirFlags renames the message into cur/ with its new suffix", async () => {
  await withTempDir(async (dir) => {
    const maildir = new Maildir(dir);
    await maildir.create();
    await maildir.deliver(new TextEncoder().encode("x\r\n"), { fsync: false });
    const [message] = await maildir.list();
    const flagged = await setMaildirFlags(maildir, message!, [
      "\\Seen",
      "\\Answered",
    ]);
    assertEquals([flagged.subfolder, flagged.name], [
      "cur",
      `${message!.key}:2,RS`,
    ]);
    assertEquals((await maildir.list()).map((m) => m.name), [flagged.name]);
  });
});
