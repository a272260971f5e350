// A small mail server built from the library (not the `spindle mail`
// plugin): SMTP delivers into a maildir store, POP3 reads it back, and
// logins go through a cred/ portal.
//
// Run it:   deno run -A --unstable-net examples/mail_server.ts --smtp-port 2525 --pop3-port 1110
// Send:     swaks --server 127.0.0.1:2525 --to alice@example.test --from bob@example.org
// Read:     printf 'USER alice\r\nPASS secret\r\nLIST\r\nRETR 1\r\nQUIT\r\n' | nc 127.0.0.1 1110
// Options:  --smtp-port N, --pop3-port N (0 picks a free one), --maildir DIR
//           (default: a temporary folder, removed on exit). The one user is alice,
//           password "secret". Logins are allowed in cleartext because this
//           is a loopback demo; give `tls` (a certificate) in earnest.
import { checkerFromString, Portal } from "../cred/mod.ts";
import { MailRealm, MailStore } from "../protocols/mail/mod.ts";
import { servePOP3 } from "../protocols/pop3/mod.ts";
import { MaildirDelivery, serveSMTP } from "../protocols/smtp/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

const temporary = option("maildir", "") === "";
const store = new MailStore(
  temporary
    ? await Deno.makeTempDir({ prefix: "spindle-mail-" })
    : option("maildir", ""),
);
await store.createMailboxes(["alice"]);
const portal = new Portal(new MailRealm(store), [
  checkerFromString("memory:alice=secret"),
]);

const smtp = await serveSMTP(new MaildirDelivery(store), {
  listen: `tcp:${option("smtp-port", "2525")}:interface=127.0.0.1`,
  domains: ["example.test"],
  hostname: "mail.example.test",
});
const pop3 = await servePOP3(portal, {
  listen: `tcp:${option("pop3-port", "1110")}:interface=127.0.0.1`,
  allowInsecureAuth: true,
});
const address = (server: typeof smtp) => {
  const { hostname, port } = server.addr as Deno.NetAddr;
  return `${hostname}:${port}`;
};
console.log(`SMTP listening on ${address(smtp)}`);
console.log(`POP3 on ${address(pop3)}, mail stored in ${store.root}`);

const stop = () => {
  Promise.all([smtp.shutdown(), pop3.shutdown()])
    .then(() =>
      temporary ? Deno.remove(store.root, { recursive: true }) : undefined
    )
    .then(() => Deno.exit(0));
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
