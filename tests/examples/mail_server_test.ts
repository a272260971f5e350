/** Smoke test for examples/mail_server.ts: sendMail in, POP3 out. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";
import { sendMail } from "../../protocols/smtp/mod.ts";
import { reactor } from "../../reactor/deno_reactor.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  // The runner stops the example if a check below throws.
  const server = await kit.start("mail_server", [
    "--smtp-port",
    "0",
    "--pop3-port",
    "0",
  ]);
  await sendMail({
    host: server.hostname,
    port: server.port,
    tls: "none",
    from: "bob@example.org",
    to: ["alice@example.test"],
    message: "Subject: smoke\r\n\r\nhello from the smoke test\r\n",
  });
  const pop3Port = Number(/POP3 on [^:]+:(\d+)/.exec(server.output())?.[1]);
  const conn = await reactor.connectTCP(server.hostname, pop3Port);
  await conn.write(
    new TextEncoder().encode(
      "USER alice\r\nPASS secret\r\nRETR 1\r\nQUIT\r\n",
    ),
  );
  let text = "";
  for (let chunk; (chunk = await conn.read()) !== null;) {
    text += new TextDecoder().decode(chunk);
  }
  await conn.close();
  if (!text.includes("hello from the smoke test")) {
    throw new Error(`mail_server's POP3 did not return the message:\n${text}`);
  }
  const result = await server.stop();
  if (result.code !== 0) {
    throw new Error(
      `mail_server exited with ${result.code}:\n${result.output}`,
    );
  }
}

Deno.test("examples/mail_server.ts: a message sent over SMTP is read back over POP3", () =>
  runSmoke(smoke));
