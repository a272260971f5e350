// The selected mailbox's view: what a refresh reports, and that the
// shortcut for folders whose times did not change misses no change.
import { assertEquals, test } from "../../../trial/mod.ts";
import { Maildir } from "../../../protocols/mail/mod.ts";
import { MailboxView } from "../../../protocols/imap/_mailbox.ts";
import { withTempDir } from "../../_temp_dir.ts";

const message = (text: string) => new TextEncoder().encode(text);
const longAgo = new Date(Date.now() - 60_000);

async function ageFolders(maildir: Maildir): Promise<void> {
  for (const sub of ["new", "cur"]) {
    await Deno.utime(`${maildir.path}/${sub}`, longAgo, longAgo);
  }
}

test("a refresh of folders untouched since the last look reports nothing; a delivery after it is reported", async () => {
  await withTempDir(async (dir) => {
    const maildir = new Maildir(dir);
    await maildir.create();
    await maildir.deliver(message("one\r\n"), { fsync: false });
    await ageFolders(maildir);
    const view = new MailboxView("INBOX", maildir, false);
    await view.open();
    assertEquals(await view.refresh(), {
      expunged: [],
      exists: null,
      flagsChanged: [],
    });
    await maildir.deliver(message("two\r\n"), { fsync: false });
    assertEquals((await view.refresh()).exists, 2);
  });
});

test("an expunge held back during FETCH is reported at the next refresh that may send it", async () => {
  await withTempDir(async (dir) => {
    const maildir = new Maildir(dir);
    await maildir.create();
    await maildir.deliver(message("one\r\n"), { fsync: false });
    await maildir.deliver(message("two\r\n"), { fsync: false });
    const view = new MailboxView("INBOX", maildir, false);
    await view.open();
    await maildir.remove(view.messages[0]!.message);
    // Old folder times: only the held-back expunge makes the next refresh look.
    await ageFolders(maildir);
    assertEquals((await view.refresh(false)).expunged, []);
    assertEquals((await view.refresh(true)).expunged, [1]);
    assertEquals(view.messages.length, 1);
  });
});
