/**
 * SSH, side by side in one run, against OpenSSH (Debian openssh-server and
 * openssh-client):
 * - 256 MiB through a session channel (`cat > /dev/null`) sent by OpenSSH's
 *   `ssh`: to the Spindle server, and to `sshd`;
 * - the same 256 MiB sent by the Spindle client and by `ssh`, both to `sshd`;
 * - handshakes per second (key exchange, publickey login, `exec true`) by
 *   `ssh`, 4 at a time: to the Spindle server, and to `sshd`.
 *
 * Both servers and both clients use aes128-gcm@openssh.com (Spindle offers no
 * chacha20-poly1305), curve25519-sha256 and ed25519 keys.
 *
 * Run: deno run -A --unstable-net bench/ssh_bench.ts [--mib N] [--rounds R] [--seconds S]
 * Each transfer runs R rounds (default 2) and keeps its best; handshakes run
 * for S seconds (default 4) per server.
 */
import { reportRatio } from "./_report.ts";
import { announce, option } from "./_util.ts";
import {
  commandSession,
  connectSSH,
  serveSSH,
  SSHPrivateKey,
} from "../protocols/ssh/mod.ts";
import { PublicKeyChecker } from "../cred/mod.ts";
import { userInfo } from "node:os";

const CIPHER = "aes128-gcm@openssh.com";
const user = userInfo().username;

async function serveSpindle(port: number, dir: string): Promise<void> {
  const server = await serveSSH({
    listen: `tcp:${port}:interface=127.0.0.1`,
    hostKeys: [await SSHPrivateKey.load(`${dir}/host_key`)],
    checkers: [
      new PublicKeyChecker({
        [user]: await Deno.readTextFile(`${dir}/id_ed25519.pub`),
      }),
    ],
    session: commandSession(),
  });
  announce((server.addr as Deno.NetAddr).port);
}

const mode = option("serve", "");
if (mode === "spindle") {
  await serveSpindle(Number(option("port", "0")), option("dir", ""));
} else {
  await main();
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch (error) {
      if (attempt > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function sshArgs(dir: string, port: number): string[] {
  return [
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "KexAlgorithms=curve25519-sha256",
    "-c",
    CIPHER,
    "-i",
    `${dir}/id_ed25519`,
    "-p",
    String(port),
    `${user}@127.0.0.1`,
  ];
}

// Seconds for `ssh` to send the file at `path` to `cat > /dev/null`.
async function sshUpload(
  dir: string,
  port: number,
  path: string,
): Promise<number> {
  const file = await Deno.open(path);
  const start = performance.now();
  const child = new Deno.Command("ssh", {
    args: [...sshArgs(dir, port), "cat > /dev/null"],
    stdin: "piped",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await file.readable.pipeTo(child.stdin);
  const status = await child.status;
  if (!status.success) throw new Error(`ssh exited with ${status.code}`);
  return (performance.now() - start) / 1000;
}

// Seconds for the Spindle client to send `mib` MiB to `cat > /dev/null`.
async function spindleUpload(
  dir: string,
  port: number,
  mib: number,
): Promise<number> {
  const start = performance.now();
  const client = await connectSSH({
    host: "127.0.0.1",
    port,
    user,
    keys: [await SSHPrivateKey.load(`${dir}/id_ed25519`)],
    verifyHostKey: () => true,
    ciphers: [CIPHER],
    kex: ["curve25519-sha256"],
  });
  const process = await client.exec("cat > /dev/null");
  const writer = process.stdin.getWriter();
  const chunk = new Uint8Array(256 * 1024);
  for (let sent = 0; sent < mib * 1024 * 1024; sent += chunk.length) {
    await writer.write(chunk);
  }
  await writer.close();
  const status = await process.status;
  await client.close();
  if (status !== 0) throw new Error(`cat exited with ${status}`);
  return (performance.now() - start) / 1000;
}

// Handshakes (connect, key exchange, login, exec true) per second, 4 at once.
async function handshakes(
  dir: string,
  port: number,
  seconds: number,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const output = await new Deno.Command("ssh", {
        args: [...sshArgs(dir, port), "true"],
        stdout: "null",
        stderr: "inherit",
      }).output();
      if (!output.success) throw new Error(`ssh exited with ${output.code}`);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all([worker(), worker(), worker(), worker()]);
  return done / ((performance.now() - start) / 1000);
}

async function run(command: string, args: string[]): Promise<void> {
  const output = await new Deno.Command(command, {
    args,
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`${command} ${args.join(" ")} failed`);
}

async function main(): Promise<void> {
  const mib = Number(option("mib", "256"));
  const rounds = Number(option("rounds", "2"));
  const seconds = Number(option("seconds", "4"));
  const dir = await Deno.makeTempDir({ prefix: "spindle-ssh-bench-" });
  const children: Deno.ChildProcess[] = [];
  try {
    await run("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-f",
      `${dir}/id_ed25519`,
    ]);
    await run("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-f",
      `${dir}/host_key`,
    ]);
    await Deno.copyFile(`${dir}/id_ed25519.pub`, `${dir}/authorized_keys`);
    await Deno.writeTextFile(
      `${dir}/sshd_config`,
      [
        `HostKey ${dir}/host_key`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        "StrictModes no",
        "UsePAM no",
        "PidFile none",
        "LogLevel ERROR",
        "MaxStartups 100",
        `Ciphers ${CIPHER}`,
        "",
      ].join("\n"),
    );
    await Deno.mkdir("/run/sshd", { recursive: true }).catch(() => {});
    const data = `${dir}/data`;
    {
      const file = await Deno.open(data, { write: true, create: true });
      const chunk = crypto.getRandomValues(new Uint8Array(65536));
      for (let i = 0; i < mib * 16; i++) await file.write(chunk);
      file.close();
    }
    const sshdPort = freePort();
    children.push(new Deno.Command("/usr/sbin/sshd", {
      args: ["-D", "-e", "-f", `${dir}/sshd_config`, "-p", String(sshdPort)],
      stdout: "null",
      stderr: "inherit",
    }).spawn());
    const spindlePort = freePort();
    children.push(new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-net",
        new URL(import.meta.url).pathname,
        "--serve",
        "spindle",
        "--port",
        String(spindlePort),
        "--dir",
        dir,
      ],
      stdout: "null",
      // Its log lines (a login each) would drown the figures.
      stderr: "null",
    }).spawn());
    await Promise.all([waitForPort(sshdPort), waitForPort(spindlePort)]);

    const best = async (measure: () => Promise<number>) => {
      let fastest = Infinity;
      for (let round = 0; round < rounds; round++) {
        fastest = Math.min(fastest, await measure());
      }
      return mib / fastest;
    };
    const serverSpindle = await best(() => sshUpload(dir, spindlePort, data));
    const serverSshd = await best(() => sshUpload(dir, sshdPort, data));
    console.log(
      `server, ${mib} MiB from ssh:  Spindle ${
        serverSpindle.toFixed(0)
      } MiB/s, sshd ${serverSshd.toFixed(0)} MiB/s, ratio ${
        (serverSpindle / serverSshd).toFixed(2)
      }x`,
    );
    reportRatio({
      bench: "ssh",
      figure: `SSH server, ${mib} MiB through cat > /dev/null from OpenSSH ssh`,
      kind: "rate",
      metric: "MiB per second",
      peer: "sshd",
      ratio: serverSpindle / serverSshd,
    });
    const clientSpindle = await best(() => spindleUpload(dir, sshdPort, mib));
    const clientSsh = serverSshd;
    console.log(
      `client, ${mib} MiB to sshd:   Spindle ${
        clientSpindle.toFixed(0)
      } MiB/s, ssh ${clientSsh.toFixed(0)} MiB/s, ratio ${
        (clientSpindle / clientSsh).toFixed(2)
      }x`,
    );
    reportRatio({
      bench: "ssh",
      figure: `SSH client, ${mib} MiB to sshd's cat > /dev/null`,
      kind: "rate",
      metric: "MiB per second",
      peer: "OpenSSH ssh",
      ratio: clientSpindle / clientSsh,
    });
    const shakeSpindle = await handshakes(dir, spindlePort, seconds);
    const shakeSshd = await handshakes(dir, sshdPort, seconds);
    console.log(
      `handshakes + exec true, 4 at once: Spindle ${
        shakeSpindle.toFixed(1)
      }/s, sshd ${shakeSshd.toFixed(1)}/s, ratio ${
        (shakeSpindle / shakeSshd).toFixed(2)
      }x`,
    );
    reportRatio({
      bench: "ssh",
      figure:
        "SSH handshakes (kex, publickey login, exec true) from OpenSSH ssh, 4 at once",
      kind: "rate",
      metric: "handshakes per second",
      peer: "sshd",
      ratio: shakeSpindle / shakeSshd,
    });
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGTERM");
        await child.status;
      } catch {
        // It exited already.
      }
    }
    await Deno.remove(dir, { recursive: true });
  }
}
