// Shared set-up of the SSH tests: keys made by ssh-keygen, a Spindle server
// on a free loopback port, OpenSSH's ssh and sftp run with bounded waits.
import type { DenoReactor } from "../../../reactor/mod.ts";
import {
  commandSession,
  serveSSH,
  type ServeSSHOptions,
  sftpSubsystem,
  SSHPrivateKey,
  type SSHRunningServer,
} from "../../../protocols/ssh/mod.ts";
import {
  InMemoryPasswordChecker,
  LoginLimiter,
  PublicKeyChecker,
} from "../../../cred/mod.ts";

/** The user the tests log in as. */
export const USER = "tester";
/** The password of {@linkcode USER} for password logins. */
export const PASSWORD = "correct horse";

/** Runs a command with a deadline; its output and exit code. */
export async function run(
  path: string,
  args: string[],
  options: {
    stdin?: Uint8Array | string;
    timeout?: number;
    env?: Record<string, string>;
  } = {},
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const child = new Deno.Command(path, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  }).spawn();
  const timer = setTimeout(
    () => child.kill("SIGKILL"),
    options.timeout ?? 30_000,
  );
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    const data = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    writer.write(data).then(() => writer.close()).catch(() => {});
  }
  try {
    const output = await child.output();
    return {
      code: output.code,
      stdout: output.stdout,
      stderr: new TextDecoder().decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A folder of test keys: `id_ed25519`, `id_rsa`, `id_ecdsa`, `id_other` (not authorized). */
export interface KeyFolder {
  dir: string;
  path(name: string): string;
  publicLine(name: string): Promise<string>;
}

/** Makes the key folder with `ssh-keygen`. */
export async function makeKeys(
  sshKeygen: string,
  dir: string,
): Promise<KeyFolder> {
  const kinds: [string, string[]][] = [
    ["id_ed25519", ["-t", "ed25519"]],
    ["id_rsa", ["-t", "rsa", "-b", "2048"]],
    ["id_ecdsa", ["-t", "ecdsa", "-b", "256"]],
    ["id_other", ["-t", "ed25519"]],
  ];
  await Promise.all(kinds.map(async ([name, args]) => {
    const { code, stderr } = await run(sshKeygen, [
      ...args,
      "-q",
      "-N",
      "",
      "-C",
      name,
      "-f",
      `${dir}/${name}`,
    ]);
    if (code !== 0) throw new Error(`ssh-keygen failed: ${stderr}`);
  }));
  return {
    dir,
    path: (name) => `${dir}/${name}`,
    publicLine: async (name) =>
      (await Deno.readTextFile(`${dir}/${name}.pub`)).trim(),
  };
}

/** A Spindle SSH server for the tests, with its host key and options. */
export interface TestServer {
  running: SSHRunningServer;
  port: number;
  hostKey: SSHPrivateKey;
  /** A known_hosts file that lists the server's key. */
  knownHosts: string;
}

/**
 * Starts a Spindle server on a free loopback port: keys of `keys` other
 * than `id_other` log in as {@linkcode USER}, so does {@linkcode PASSWORD};
 * `--exec`-style sessions; SFTP from `sftpRoot` when given.
 */
export async function startServer(
  reactor: DenoReactor,
  keys: KeyFolder,
  extra: Partial<ServeSSHOptions> & { sftpRoot?: string } = {},
): Promise<TestServer> {
  const authorized = (await Promise.all(
    ["id_ed25519", "id_rsa", "id_ecdsa"].map((name) => keys.publicLine(name)),
  )).join("\n");
  const hostKey = await SSHPrivateKey.generate("test host");
  const running = await serveSSH({
    listen: "tcp:0:interface=127.0.0.1",
    reactor,
    hostKeys: [hostKey],
    checkers: [
      new PublicKeyChecker({ [USER]: authorized }),
      new InMemoryPasswordChecker({ [USER]: PASSWORD }),
    ],
    limiter: new LoginLimiter({ clock: reactor, failureDelay: 10 }),
    session: commandSession(),
    subsystems: extra.sftpRoot === undefined
      ? {}
      : { sftp: sftpSubsystem(extra.sftpRoot) },
    ...extra,
  });
  const port = (running.addr as Deno.NetAddr).port;
  const knownHosts = `${keys.dir}/known_hosts_${port}`;
  await Deno.writeTextFile(
    knownHosts,
    `[127.0.0.1]:${port} ${hostKey.publicKeyLine()}\n`,
  );
  return { running, port, hostKey, knownHosts };
}

/** The common options of OpenSSH's `ssh` and `sftp` against a test server. */
export function sshOptions(server: TestServer, ...more: string[]): string[] {
  return [
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    `UserKnownHostsFile=${server.knownHosts}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "LogLevel=ERROR",
    ...more,
  ];
}

/** A free TCP port on loopback (bound, then released). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
