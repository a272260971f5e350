// sendMail against Spindle's server (pipelining, BDAT, typed refusals, MX
// lookup through a Spindle DNS server), aiosmtpd (DATA, STARTTLS with the
// certificate verified) and Twisted's ESMTP server.
import {
  assert,
  assertEquals,
  assertRejects,
  test,
} from "../../../trial/mod.ts";
import { createResolver, serveDNS, Zone } from "../../../protocols/dns/mod.ts";
import {
  sendMail,
  serveSMTP,
  SMTPPermanentError,
  SMTPTransientError,
  TLSRequiredError,
} from "../../../protocols/smtp/mod.ts";
import { TLSHandshakeError } from "../../../reactor/errors.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import {
  decoder,
  encoder,
  messagesOf,
  startSMTP,
  withoutTrace,
} from "./_helpers.ts";
import { maildirMessages, startPythonMailServer } from "./_python_servers.ts";

const aiosmtpd = findPeer(PEERS.aiosmtpd);
const twisted = findPeer(PEERS.twisted);

const MESSAGE =
  "From: bob@example.org\r\nSubject: hi\r\n\r\n.starts with a dot\r\n" +
  "..two\r\nlast\r\n";

test("sendMail pipelines and sends by BDAT, with a result per recipient", async () => {
  await using mail = await startSMTP();
  const result = await sendMail({
    host: "127.0.0.1",
    port: mail.port,
    tls: "none",
    from: "bob@example.org",
    to: ["alice@example.test", "nobody@example.test", "bob@example.test"],
    message: MESSAGE,
  });
  assertEquals(
    result.recipients.map((r) => [r.recipient, r.code, r.enhancedCode]),
    [
      ["alice@example.test", 250, "2.1.5"],
      ["nobody@example.test", 550, "5.1.1"],
      ["bob@example.test", 250, "2.1.5"],
    ],
  );
  assert(result.recipients[1]!.error instanceof SMTPPermanentError);
  assertEquals(result.reply.code, 250);
  const [stored] = await messagesOf(mail.store, "alice");
  assertEquals(withoutTrace(stored!), MESSAGE);
  assertEquals((await messagesOf(mail.store, "bob")).length, 1);
});

test("sendMail turns bare LF into CRLF", async () => {
  await using mail = await startSMTP();
  await sendMail({
    host: "127.0.0.1",
    port: mail.port,
    tls: "none",
    from: "bob@example.org",
    to: ["alice@example.test"],
    message: "Subject: lf\n\nline\n",
  });
  const [stored] = await messagesOf(mail.store, "alice");
  assertEquals(withoutTrace(stored!), "Subject: lf\r\n\r\nline\r\n");
});

test("every recipient refused with 5xx rejects with SMTPPermanentError", async () => {
  await using mail = await startSMTP();
  const error = await assertRejects(
    () =>
      sendMail({
        host: "127.0.0.1",
        port: mail.port,
        tls: "none",
        from: "bob@example.org",
        to: ["someone@example.net"],
        message: MESSAGE,
      }),
    SMTPPermanentError,
  );
  assertEquals([error.code, error.enhancedCode, error.retryable], [
    550,
    "5.7.1",
    false,
  ]);
});

test("a 4xx rejects with a retryable SMTPTransientError", async () => {
  await using server = await serveSMTP({
    validateTo: () => {
      throw new SMTPTransientError(451, "4.3.2", "try again later");
    },
    receiveMessage: () => Promise.resolve(),
  }, { listen: "tcp:0:interface=127.0.0.1", domains: ["example.test"] });
  const error = await assertRejects(
    () =>
      sendMail({
        host: "127.0.0.1",
        port: (server.addr as Deno.NetAddr).port,
        tls: "none",
        from: "bob@example.org",
        to: ["alice@example.test"],
        message: MESSAGE,
      }),
    SMTPTransientError,
  );
  assert(error.retryable);
  assertEquals(error.enhancedCode, "4.3.2");
});

test("sendMail with auth refuses to log in over cleartext", async () => {
  await using mail = await startSMTP();
  await assertRejects(
    () =>
      sendMail({
        host: "127.0.0.1",
        port: mail.port,
        tls: "starttls",
        auth: { username: "alice", password: "secret" },
        from: "alice@example.test",
        to: ["bob@example.test"],
        message: MESSAGE,
      }),
    TLSRequiredError,
  );
});

test("sendMail finds the MX hosts through the resolver, in preference order", async () => {
  await using mail = await startSMTP();
  // mx1 (preferred) refuses connections; mx2 is the server.
  const zone = Zone.parse(
    [
      "@ 60 IN SOA ns hm 1 60 60 60 60",
      "@ 60 IN MX 10 mx1",
      "@ 60 IN MX 20 mx2",
      "mx1 60 IN A 127.0.0.2",
      "mx2 60 IN A 127.0.0.1",
      "",
    ].join("\n"),
    { origin: "example.test" },
  );
  await using dns = await serveDNS(zone, {
    listen: "udp:0:interface=127.0.0.1",
  });
  const resolver = createResolver({
    servers: [`127.0.0.1:${(dns.addr as Deno.NetAddr).port}`],
  });
  const result = await sendMail({
    port: mail.port,
    tls: "none",
    resolver,
    from: "bob@example.org",
    to: ["alice@example.test"],
    message: MESSAGE,
  });
  assertEquals(result.host, "mx2.example.test");
  assertEquals((await messagesOf(mail.store, "alice")).length, 1);
});

test("sendMail sends to aiosmtpd with DATA, dot-stuffed", async () => {
  await using server = await startPythonMailServer(aiosmtpd.path, "aiosmtpd");
  const result = await sendMail({
    host: "127.0.0.1",
    port: server.port,
    tls: "none",
    from: "bob@example.org",
    to: ["alice@example.test"],
    message: encoder.encode(MESSAGE),
  });
  assert(result.recipients[0]!.accepted);
  assertEquals(maildirMessages(server.maildir).map((m) => decoder.decode(m)), [
    MESSAGE,
  ]);
}, { ignore: aiosmtpd.ignore });

test(
  "sendMail upgrades to TLS with aiosmtpd and verifies its certificate",
  async () => {
    const pki = await makeTestPki();
    await using server = await startPythonMailServer(
      aiosmtpd.path,
      "aiosmtpd",
      pki.leaves.localhost,
    );
    const send = (caCerts?: string[]) =>
      sendMail({
        host: "localhost",
        port: server.port,
        requireTLS: true,
        caCerts,
        from: "bob@example.org",
        to: ["alice@example.test"],
        message: MESSAGE,
      });
    // The test CA is not trusted by default: verification is on.
    await assertRejects(() => send(), TLSHandshakeError);
    const result = await send([pki.caCert]);
    assert(result.tls);
    assertEquals(maildirMessages(server.maildir).length, 1);
  },
  { ignore: aiosmtpd.ignore },
);

test("sendMail sends to Twisted's ESMTP server", async () => {
  await using server = await startPythonMailServer(twisted.path, "twisted");
  const message = encoder.encode(MESSAGE);
  const result = await sendMail({
    host: "127.0.0.1",
    port: server.port,
    tls: "none",
    from: "bob@example.org",
    to: ["alice@example.test", "bob@example.test"],
    message: new Blob([message]).stream(),
  });
  assertEquals(result.recipients.map((r) => r.accepted), [true, true]);
  const stored = maildirMessages(server.maildir);
  assertEquals(stored.length, 2);
  assertEquals(decoder.decode(stored[0]), MESSAGE);
}, { ignore: twisted.ignore });
