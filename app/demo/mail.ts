/**
 * The demo's mail services: SMTP on port base + 25, POP3 on port base +
 * 110 and IMAP on port base + 143, the servers of `spindle mail` on one
 * maildir store in the demo's data folder, for the domain `demo.test` and the user `alice` (password
 * `demo`). Logins are allowed in cleartext here, on loopback only, so that
 * `nc` can try POP3; `spindle mail` refuses them before TLS unless told.
 *
 * @module
 */
import { hashPassword } from "../../cred/password_hash.ts";
import { UserFile } from "../../cred/user_file.ts";
import {
  type MailPluginOptions,
  MailService,
} from "../../protocols/smtp/plugin.ts";
import { type DemoService, endpointString } from "./demo_service.ts";

// The user file both services read, written once per data folder.
const userFiles = new Map<string, Promise<string>>();

function demoUsers(dataDir: string): Promise<string> {
  let path = userFiles.get(dataDir);
  if (path === undefined) {
    path = (async () => {
      const users = new UserFile(`${dataDir}/mail-users.txt`);
      // Few iterations: a demo password, hashed at every start.
      users.set("alice", await hashPassword("demo", { iterations: 1_000 }));
      await users.write();
      return users.path;
    })();
    userFiles.set(dataDir, path);
  }
  return path;
}

async function mailOptions(
  dataDir: string,
  listen: MailPluginOptions["listen"],
): Promise<MailPluginOptions> {
  return {
    domains: ["demo.test"],
    maildir: `${dataDir}/mail`,
    users: await demoUsers(dataDir),
    listen,
    allowInsecureAuth: true,
  };
}

/**
 * SMTP: mail for `alice@demo.test` is delivered to her maildir.
 *
 * @example Usage
 * ```ts
 * import { smtp } from "./mail.ts";
 * console.assert(smtp.port === 25);
 * ```
 */
export const smtp: DemoService = {
  name: "smtp",
  description:
    "an ESMTP server (PIPELINING, CHUNKING, SMTPUTF8) delivering mail for alice@demo.test to a maildir",
  port: 25,
  tryIt: ({ hostname, port }) => [{
    command:
      `swaks --server ${hostname}:${port} --from you@example.org --to alice@demo.test`,
    expect: "queued as",
    note: "then read it over POP3 (the pop3 service below)",
  }],
  makeService: async ({ address, dataDir }) =>
    new MailService(
      await mailOptions(dataDir, { smtp: [endpointString(address)] }),
      { reusePort: false, name: "smtp" },
    ),
};

/**
 * POP3: alice (password `demo`) reads her mail.
 *
 * @example Usage
 * ```ts
 * import { pop3 } from "./mail.ts";
 * console.assert(pop3.port === 110);
 * ```
 */
export const pop3: DemoService = {
  name: "pop3",
  description: "a POP3 server over the same maildir: user alice, password demo",
  port: 110,
  tryIt: ({ hostname, port }) => [{
    command:
      `printf 'USER alice\\r\\nPASS demo\\r\\nLIST\\r\\nRETR 1\\r\\nQUIT\\r\\n' | nc -N ${hostname} ${port}`,
    expect: "+OK maildrop has",
  }],
  makeService: async ({ address, dataDir }) =>
    new MailService(
      await mailOptions(dataDir, { pop3: [endpointString(address)] }),
      { reusePort: false, name: "pop3" },
    ),
};

/**
 * IMAP: alice (password `demo`) reads her mail with any IMAP client; the
 * try-it command is curl's IMAP support.
 *
 * @example Usage
 * ```ts
 * import { imap } from "./mail.ts";
 * console.assert(imap.port === 143);
 * ```
 */
export const imap: DemoService = {
  name: "imap",
  description:
    "an IMAP4rev2 server over the same maildir (IDLE, MOVE, UIDPLUS): user alice, password demo",
  port: 143,
  tryIt: ({ hostname, port }) => [{
    command: `curl -s imap://${hostname}:${port}/ -u alice:demo`,
    expect: "INBOX",
    note:
      "lists alice's mailboxes; curl -s 'imap://HOST:PORT/INBOX;UID=1' -u alice:demo fetches her first message",
  }],
  makeService: async ({ address, dataDir }) =>
    new MailService(
      await mailOptions(dataDir, { imap: [endpointString(address)] }),
      { reusePort: false, name: "imap" },
    ),
};
