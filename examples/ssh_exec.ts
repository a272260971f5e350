// Runs one command over SSH with the Spindle client and streams its output,
// exiting with the command's status.
//
// Run it:   deno run -A --unstable-net examples/ssh_exec.ts --port 2222 \
//             --user alice --password secret --accept-any-host-key hello
// Options:  --host H (127.0.0.1), --port N (22), --user NAME, --password P or
//           --key FILE (an OpenSSH private key), --known-hosts FILE
//           (~/.ssh/known_hosts) or --accept-any-host-key (for toys only);
//           the rest of the line is the command.
import { connectSSH, SSHPrivateKey } from "../protocols/ssh/mod.ts";

const args = [...Deno.args];
const flags: Record<string, string> = {};
let acceptAny = false;
while (args[0]?.startsWith("--")) {
  const name = args.shift()!.slice(2);
  if (name === "accept-any-host-key") acceptAny = true;
  else flags[name] = args.shift() ?? "";
}
const command = args.join(" ") || "true";

const client = await connectSSH({
  host: flags.host ?? "127.0.0.1",
  port: Number(flags.port ?? 22),
  user: flags.user ?? Deno.env.get("USER") ?? "root",
  password: flags.password,
  keys: flags.key === undefined ? [] : [await SSHPrivateKey.load(flags.key)],
  knownHosts: acceptAny
    ? undefined
    : flags["known-hosts"] ?? `${Deno.env.get("HOME")}/.ssh/known_hosts`,
  verifyHostKey: acceptAny ? () => true : undefined,
});
const process = await client.exec(command);
await process.stdin.close();
// Both streams are copied as they come; a slow terminal slows the command.
await Promise.all([
  process.stdout.pipeTo(Deno.stdout.writable, { preventClose: true }),
  process.stderr.pipeTo(Deno.stderr.writable, { preventClose: true }),
]);
const status = await process.status;
await client.close();
Deno.exit(status ?? 255);
