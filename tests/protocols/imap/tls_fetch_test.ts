// FETCH of many multi-KiB bodies over TLS, with Python's imaplib as the
// client: the server lends its output buffers to the connection
// (writeBorrowed) and refills them for the next flush, so over node:tls,
// which may still hold a chunk it was given, a body would come back with
// another message's bytes in it unless the transport copies what it keeps.
import { test } from "../../../trial/mod.ts";
import { assertEquals } from "../../../trial/assertions.ts";
import { HELLO, MULTIPART, python, withServer } from "./_helpers.ts";
import { makeTestPki, type TestPki } from "../../reactor/_tls.ts";
import type { ServeIMAPOptions } from "../../../protocols/imap/mod.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const encoder = new TextEncoder();
const ignore = python.ignore || findPeer(PEERS.openssl).ignore;

// 200 messages of 6 to 20 KiB, each of its own bytes: about 2.5 MiB, ten
// flushes of the server's 256 KiB output buffer and more.
function bodies(): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  for (let n = 0; n < 200; n++) {
    let text = `Subject: body ${n}\r\nMessage-ID: <${n}@example.org>\r\n\r\n`;
    const size = 6 * 1024 + (n * 797) % (14 * 1024);
    for (let line = 0; text.length < size; line++) {
      text += `message ${n} line ${line} ${"abcdefghij".repeat(n % 7 + 1)}\r\n`;
    }
    out.push(encoder.encode(text));
  }
  return out;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

// Runs imaplib: `connect` makes `m` (over TLS), then it fetches every body
// and prints each one's SHA-256. It reads the answer only a second after it
// sent the FETCH: the server's writes then find the socket full and the TLS
// layer queues what it is given, while the server goes on refilling buffers.
async function fetchDigests(connect: string): Promise<string[]> {
  const code = `import imaplib, ssl, hashlib, time
${connect}
m.login("alice", "pw")
m.select("INBOX", readonly=True)
tag = m._command("FETCH", "1:*", "(BODY.PEEK[])")
time.sleep(1)
typ, data = m._command_complete("FETCH", tag)
for item in m._untagged_response(typ, data, "FETCH")[1]:
  if isinstance(item, tuple): print(hashlib.sha256(item[1]).hexdigest())
m.logout()`;
  const output = await new Deno.Command(python.path, {
    args: ["-c", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(
      `imaplib failed: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return new TextDecoder().decode(output.stdout).trim().split("\n").sort();
}

async function expectedDigests(
  messages: Uint8Array<ArrayBuffer>[],
): Promise<string[]> {
  const all = [encoder.encode(HELLO), encoder.encode(MULTIPART), ...messages];
  return (await Promise.all(all.map(sha256))).sort();
}

// Delivers the 200 bodies to alice on a server made with `options`, and has
// imaplib, connected by `connect` (Python making `m`), fetch them back.
async function assertFetchedByteForByte(
  reactor: DenoReactor,
  connect: (port: number, ca: string) => string,
  options: (pki: TestPki) => Partial<ServeIMAPOptions>,
): Promise<void> {
  const pki = await makeTestPki();
  const messages = bodies();
  await withServer(reactor, async ({ port, store }) => {
    const inbox = store.mailbox("alice");
    for (const message of messages) {
      await inbox.deliver(message, { fsync: false });
    }
    const digests = await fetchDigests(connect(port, `${pki.dir}/ca.pem`));
    assertEquals(digests, await expectedDigests(messages));
  }, options(pki));
}

test(
  "imaplib over STARTTLS: FETCH 1:* BODY.PEEK[] of 200 bodies of 6-20 KiB returns each byte for byte",
  (t) =>
    assertFetchedByteForByte(
      t.reactor,
      (port, ca) =>
        `m = imaplib.IMAP4("127.0.0.1", ${port})
m.starttls(ssl.create_default_context(cafile="${ca}"))`,
      (pki) => ({ tls: pki.leaves.localhost! }),
    ),
  { ignore },
);

test(
  "imaplib over a tls: listener: FETCH 1:* BODY.PEEK[] of 200 bodies of 6-20 KiB returns each byte for byte",
  (t) =>
    assertFetchedByteForByte(
      t.reactor,
      (port, ca) =>
        `m = imaplib.IMAP4_SSL("127.0.0.1", ${port}, ssl_context=ssl.create_default_context(cafile="${ca}"))`,
      (pki) => ({
        listen:
          `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
      }),
    ),
  { ignore },
);
