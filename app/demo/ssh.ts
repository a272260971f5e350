/**
 * The demo's SSH server, on port base + 22 (SSH's usual port): anonymous
 * logins (any user name, no password: keyboard-interactive with no prompt),
 * a greeting for any command or shell, and SFTP over a folder of the demo's
 * own.
 *
 * @module
 */
import { AnonymousChecker } from "../../cred/anonymous_checker.ts";
import { SSHServer } from "../../protocols/ssh/server.ts";
import { SSHPrivateKey } from "../../protocols/ssh/keys.ts";
import type { SessionHandler } from "../../protocols/ssh/session.ts";
import { sftpSubsystem } from "../../protocols/ssh/sftp_server.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import { type DemoService, endpointString } from "./demo_service.ts";

const OPTIONS =
  "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR";

// Greets the guest; a shell echoes lines until `exit` or the end of input.
const greeter: SessionHandler = async (session) => {
  const out = session.stdout.getWriter();
  const newline = session.pty === null ? "\n" : "\r\n";
  const write = (text: string) => out.write(new TextEncoder().encode(text));
  await write(
    `hello, ${session.user}! This is Spindle's SSH server.${newline}`,
  );
  if (session.command !== null) {
    await write(`(you asked for: ${session.command})${newline}`);
    await out.close();
    return 0;
  }
  await write(`Type a line and it comes back; exit to leave.${newline}> `);
  let line = "";
  for await (
    const chunk of session.stdin.pipeThrough(new TextDecoderStream())
  ) {
    for (const char of chunk) {
      if (char !== "\r" && char !== "\n") {
        line += char;
        if (session.pty !== null) await write(char);
        continue;
      }
      if (line.trim() === "exit") {
        await write(newline);
        await out.close();
        return 0;
      }
      await write(`${newline}${line}${newline}> `);
      line = "";
    }
  }
  await out.close();
  return 0;
};

/**
 * SSH: a guest shell and SFTP for OpenSSH's `ssh` and `sftp`.
 *
 * @example Usage
 * ```ts
 * import { ssh } from "./ssh.ts";
 * console.assert(ssh.port === 22);
 * ```
 */
export const ssh: DemoService = {
  name: "ssh",
  description:
    "an SSH server (any user name, no password): a greeting shell and SFTP",
  port: 22,
  tryIt: ({ hostname, port }) => [
    {
      command: `ssh -p ${port} ${OPTIONS} guest@${hostname} hello`,
      expect: "hello, anonymous!",
      note: `or a shell: ssh -p ${port} guest@${hostname}`,
    },
    {
      // -b turns BatchMode on, which skips keyboard-interactive; ssh takes
      // the first value given, so BatchMode=no before -b keeps it.
      command:
        `echo ls | sftp -P ${port} ${OPTIONS} -o BatchMode=no -b - guest@${hostname}`,
      expect: "welcome.txt",
    },
  ],
  makeService: async ({ address, dataDir }) => {
    const root = `${dataDir}/sftp`;
    await Deno.mkdir(root, { recursive: true });
    await Deno.writeTextFile(
      `${root}/welcome.txt`,
      "Files here are served by Spindle's SFTP server.\n",
    );
    const server = new SSHServer({
      hostKeys: [await SSHPrivateKey.generate("spindle demo")],
      checkers: [new AnonymousChecker()],
      session: greeter,
      subsystems: { sftp: sftpSubsystem(root) },
      forwarding: false,
    });
    return new StreamServerEndpointService(
      endpointString(address),
      (conn) => server.handleConnection(conn),
      { name: "ssh" },
    );
  },
};
