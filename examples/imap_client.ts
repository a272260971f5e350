// An IMAP client: logs in, opens INBOX read-only, and lists the subjects of
// the unread messages (SEARCH UNSEEN, then one FETCH of their envelopes).
//
// Run it:   deno run -A examples/imap_client.ts --server tcp:127.0.0.1:1143 --user alice --password secret
//           (against `deno task spindle mail ... --imap tcp:1143 --allow-insecure-auth`,
//           or any IMAP server; tls:imap.example.org:993 for implicit TLS)
// Options:  --server ENDPOINT, --user NAME, --password PASSWORD (or IMAP_PASSWORD)
import { IMAPClient } from "../protocols/imap/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

const server = option("server", "tcp:127.0.0.1:1143");
const user = option("user", "alice");
const password = option("password", Deno.env.get("IMAP_PASSWORD") ?? "");

const client = await IMAPClient.connect(server);
try {
  await client.login(user, password);
  // EXAMINE, not SELECT: reading the list marks nothing as seen.
  const { exists } = await client.examine("INBOX");
  const unseen = await client.search("UNSEEN");
  console.log(`INBOX: ${exists} messages, ${unseen.length} unread`);
  if (unseen.length > 0) {
    const messages = await client.fetch(unseen.join(","), "(UID ENVELOPE)");
    for (const { uid, envelope } of messages) {
      const from = envelope?.from[0];
      const sender = from === undefined
        ? "?"
        : from.name ?? `${from.mailbox}@${from.host}`;
      console.log(`${uid}\t${sender}\t${envelope?.subject ?? "(no subject)"}`);
    }
  }
  await client.logout();
} catch (error) {
  await client.close();
  throw error;
}
