// A toy SSH server: password login (alice / secret), and a tiny shell that
// knows `hello`, `whoami`, `echo ...` and `exit`, for exec and shell alike.
//
// Run it:   deno run -A --unstable-net examples/ssh_server.ts --port 2222
// Try it:   ssh -p 2222 -o StrictHostKeyChecking=no alice@127.0.0.1 hello
//           ssh -p 2222 -o StrictHostKeyChecking=no alice@127.0.0.1   (then type)
// Options:  --port N (default 2222, 0 picks a free one). The host key is new
//           each run: its fingerprint is printed.
import { InMemoryPasswordChecker } from "../cred/mod.ts";
import { serveSSH, type Session, SSHPrivateKey } from "../protocols/ssh/mod.ts";

const portIndex = Deno.args.indexOf("--port");
const port = portIndex >= 0 ? Number(Deno.args[portIndex + 1]) : 2222;

// One command line in, its answer out; null ends the session.
function answer(session: Session, line: string): string | null {
  const [command = "", ...rest] = line.trim().split(/\s+/);
  switch (command) {
    case "":
      return "";
    case "hello":
      return `hello, ${session.user}!`;
    case "whoami":
      return session.user;
    case "echo":
      return rest.join(" ");
    case "exit":
      return null;
  }
  return `${command}: not found (try hello, whoami, echo, exit)`;
}

const hostKey = await SSHPrivateKey.generate("toy");
const server = await serveSSH({
  listen: `tcp:${port}:interface=127.0.0.1`,
  hostKeys: [hostKey],
  checkers: [new InMemoryPasswordChecker({ alice: "secret" })],
  session: async (session) => {
    const out = session.stdout.getWriter();
    const write = (text: string) => out.write(new TextEncoder().encode(text));
    if (session.command !== null) {
      const reply = answer(session, session.command);
      if (reply !== null) await write(`${reply}\n`);
      await out.close();
      return reply?.endsWith("not found (try hello, whoami, echo, exit)")
        ? 127
        : 0;
    }
    // A shell: a prompt, then one answer per line (a terminal sends \r).
    const newline = session.pty === null ? "\n" : "\r\n";
    await write(`toy shell, ${session.user}${newline}$ `);
    let line = "";
    for await (
      const chunk of session.stdin.pipeThrough(new TextDecoderStream())
    ) {
      for (const char of chunk) {
        if (char !== "\r" && char !== "\n") {
          line += char;
          if (session.pty !== null) await write(char); // echo, as a terminal would
          continue;
        }
        const reply = answer(session, line);
        line = "";
        if (reply === null) {
          await write(newline);
          await out.close();
          return 0;
        }
        await write(`${newline}${reply === "" ? "" : reply + newline}$ `);
      }
    }
    await out.close();
    return 0;
  },
});
const { hostname, port: bound } = server.addr as Deno.NetAddr;
console.log(`host key ${await hostKey.fingerprint()}`);
console.log(`listening on ${hostname}:${bound}`);
Deno.addSignalListener("SIGTERM", () => server.shutdown());
Deno.addSignalListener("SIGINT", () => server.shutdown());
await server.finished;
