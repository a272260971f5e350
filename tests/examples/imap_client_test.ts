/** Smoke test for examples/imap_client.ts: against a Spindle IMAP server, it lists the unread subjects. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";
import { checkerFromString } from "../../cred/mod.ts";
import { serveIMAP } from "../../protocols/imap/mod.ts";
import { MailStore, setMaildirFlags } from "../../protocols/mail/mod.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "spindle-imap-example-" });
  const store = new MailStore(root);
  await store.createMailboxes(["alice"]);
  const inbox = store.mailbox("alice");
  const deliver = (subject: string) =>
    inbox.deliver(
      new TextEncoder().encode(
        `From: Bob <bob@example.org>\r\nSubject: ${subject}\r\n\r\nhi\r\n`,
      ),
      { fsync: false },
    );
  await deliver("already read");
  const [read] = await inbox.list();
  await setMaildirFlags(inbox, read!, ["\\Seen"]);
  await deliver("lunch on friday?");
  const server = await serveIMAP(store, {
    listen: "tcp:0:interface=127.0.0.1",
    checker: checkerFromString("memory:alice=secret"),
    allowInsecureAuth: true,
  });
  try {
    const port = (server.addr as Deno.NetAddr).port;
    const result = await kit.run("imap_client", [
      "--server",
      `tcp:127.0.0.1:${port}`,
      "--user",
      "alice",
      "--password",
      "secret",
    ]);
    for (
      const expected of ["INBOX: 2 messages, 1 unread", "Bob\tlunch on friday?"]
    ) {
      if (result.code !== 0 || !result.output.includes(expected)) {
        throw new Error(
          `imap_client did not print ${
            JSON.stringify(expected)
          }:\n${result.output}`,
        );
      }
    }
    if (result.output.includes("already read")) {
      throw new Error(`imap_client listed a read message:\n${result.output}`);
    }
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("examples/imap_client.ts: it lists the subjects of the unread messages", () =>
  runSmoke(smoke));
