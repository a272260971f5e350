// The Spindle client against OpenSSH's sshd (Debian openssh-server), started
// once for this file on a free port with a generated host key and config.
import { userInfo } from "node:os";
import { test } from "../../../trial/mod.ts";
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "../../../trial/assertions.ts";
import {
  AuthenticationFailedError,
  connectSSH,
  HostKeyMismatchError,
  type SSHClientOptions,
  SSHPrivateKey,
} from "../../../protocols/ssh/mod.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { freePort, type KeyFolder, makeKeys, run } from "./_helpers.ts";

const sshd = findPeer(PEERS.sshd);
const keygen = findPeer(PEERS.sshKeygen);
const ignore = sshd.ignore || keygen.ignore;
const user = userInfo().username;

interface Sshd {
  port: number;
  keys: KeyFolder;
  knownHosts: string;
}

const dir = await Deno.makeTempDir({ prefix: "spindle-sshd-" });
let child: Deno.ChildProcess | undefined;
globalThis.addEventListener("unload", () => {
  try {
    child?.kill("SIGTERM");
  } catch {
    // Gone already.
  }
  Deno.removeSync(dir, { recursive: true });
});

let started: Promise<Sshd> | undefined;
function startSshd(): Promise<Sshd> {
  return started ??= (async () => {
    const keys = await makeKeys(keygen.path, dir);
    await run(keygen.path, [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-f",
      `${dir}/host_key`,
    ]);
    const authorized = (await Promise.all(
      ["id_ed25519", "id_rsa", "id_ecdsa"].map((name) => keys.publicLine(name)),
    )).join("\n");
    await Deno.writeTextFile(`${dir}/authorized_keys`, `${authorized}\n`);
    await Deno.writeTextFile(
      `${dir}/sshd_config`,
      [
        `HostKey ${dir}/host_key`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        "StrictModes no",
        "UsePAM no",
        "PidFile none",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "AllowTcpForwarding yes",
        // sshd rekeys every 4 MiB: the 8 MiB tests see rekeys it starts.
        "RekeyLimit 4M",
        "LogLevel ERROR",
        "Subsystem sftp internal-sftp",
        "",
      ].join("\n"),
    );
    // sshd wants its privilege separation folder; Debian's service makes it.
    await Deno.mkdir("/run/sshd", { recursive: true }).catch(() => {});
    const port = freePort();
    child = new Deno.Command(sshd.path, {
      args: ["-D", "-e", "-f", `${dir}/sshd_config`, "-p", String(port)],
      stdout: "null",
      stderr: "null",
    }).spawn();
    child.status.catch(() => {});
    for (let attempt = 0;; attempt++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch (error) {
        if (attempt >= 200) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const hostLine = (await Deno.readTextFile(`${dir}/host_key.pub`)).trim();
    const knownHosts = `${dir}/known_hosts`;
    await Deno.writeTextFile(knownHosts, `[127.0.0.1]:${port} ${hostLine}\n`);
    return { port, keys, knownHosts };
  })();
}

async function connect(
  reactor: DenoReactor,
  options: Partial<SSHClientOptions> = {},
) {
  const server = await startSshd();
  return await connectSSH({
    host: "127.0.0.1",
    port: server.port,
    user,
    keys: [await SSHPrivateKey.load(server.keys.path("id_ed25519"))],
    knownHosts: server.knownHosts,
    reactor,
    ...options,
  });
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test(
  "client: runs a command on sshd and gets its output and exit status",
  async (t) => {
    const client = await connect(t.reactor);
    try {
      const result = await client.run("echo out; echo err >&2; exit 4");
      assertEquals(text(result.stdout), "out\n");
      assertEquals(text(result.stderr), "err\n");
      assertEquals(result.status, 4);
    } finally {
      await client.close();
    }
  },
  { ignore },
);

test(
  "client: a command sshd saw killed by a signal reports exit-signal, not a status",
  async (t) => {
    const client = await connect(t.reactor);
    try {
      const result = await client.run("kill -TERM $$");
      assertEquals(result.status, null);
      assertEquals(result.exitSignal?.signal, "TERM");
    } finally {
      await client.close();
    }
  },
  { ignore },
);

for (const key of ["id_rsa", "id_ecdsa"]) {
  test(`client: logs in to sshd with an ${key.slice(3)} key`, async (t) => {
    const server = await startSshd();
    const client = await connect(t.reactor, {
      keys: [await SSHPrivateKey.load(server.keys.path(key))],
    });
    try {
      assertEquals(text((await client.run("echo in")).stdout), "in\n");
    } finally {
      await client.close();
    }
  }, { ignore });
}

test(
  "client: streams 8 MiB of stdout through the window, and stdin in",
  async (t) => {
    const client = await connect(t.reactor);
    try {
      const process = await client.exec("head -c 8388608 /dev/zero; cat");
      const writer = process.stdin.getWriter();
      await writer.write(new TextEncoder().encode("tail"));
      await writer.close();
      let total = 0;
      let last: Uint8Array = new Uint8Array(0);
      for await (const chunk of process.stdout) {
        total += chunk.length;
        last = chunk;
      }
      assertEquals(total, 8 * 1024 * 1024 + 4);
      assertEquals(text(last.subarray(last.length - 4)), "tail");
      assertEquals(await process.status, 0);
    } finally {
      await client.close();
    }
  },
  { ignore },
);

test(
  "client: rekeys every MiB (and sshd every 4) while 8 MiB go through cat",
  async (t) => {
    const client = await connect(t.reactor, { rekeyBytes: 1024 * 1024 });
    try {
      const data = crypto.getRandomValues(new Uint8Array(65536));
      const big = new Uint8Array(8 * 1024 * 1024);
      for (let at = 0; at < big.length; at += data.length) big.set(data, at);
      const result = await client.run("cat", big);
      assertEquals(result.stdout.length, big.length);
      assertEquals(result.stdout.toHex() === big.toHex(), true);
    } finally {
      await client.close();
    }
  },
  { ignore },
);

test(
  "client: SFTP put, stat, readdir, rename, get, remove, mkdir, rmdir on sshd",
  async (t) => {
    const client = await connect(t.reactor);
    const folder = await Deno.makeTempDir({ dir });
    try {
      const sftp = await client.sftp();
      const data = crypto.getRandomValues(new Uint8Array(65536));
      const file = new Uint8Array(4 * 1024 * 1024 + 123);
      for (let at = 0; at < file.length; at += data.length) {
        file.set(data.subarray(0, file.length - at), at);
      }
      await sftp.put(`${folder}/a.bin`, file);
      assertEquals((await sftp.stat(`${folder}/a.bin`)).size, file.length);
      await sftp.rename(`${folder}/a.bin`, `${folder}/b.bin`);
      await sftp.mkdir(`${folder}/sub`);
      const names = (await sftp.readdir(folder)).map((entry) => entry.filename)
        .sort();
      assertEquals(names, ["b.bin", "sub"]);
      const back = await sftp.get(`${folder}/b.bin`);
      assertEquals(back.toHex() === file.toHex(), true);
      await sftp.remove(`${folder}/b.bin`);
      await sftp.rmdir(`${folder}/sub`);
      assertEquals(await sftp.readdir(folder), []);
      await sftp.close();
    } finally {
      await client.close();
    }
  },
  { ignore },
);

test(
  "client: a direct-tcpip tunnel through sshd is a Spindle connection",
  async (t) => {
    const target = await t.reactor.listenTCP(0, async (conn) => {
      for await (const chunk of conn.readable) await conn.write(chunk);
      await conn.close();
    }, { interface: "127.0.0.1" });
    const client = await connect(t.reactor);
    try {
      const port = (target.getHost() as Deno.NetAddr).port;
      const tunnel = await client.openTunnel("127.0.0.1", port);
      await tunnel.write(new TextEncoder().encode("ping"));
      await tunnel.closeWrite();
      assertEquals(await new Response(tunnel.readable).text(), "ping");
      await tunnel.close();
    } finally {
      await client.close();
      await target.stopListening();
    }
  },
  { ignore },
);

test(
  "client: a host key that does not match known_hosts is refused",
  async (t) => {
    const server = await startSshd();
    const wrong = `${dir}/known_hosts_wrong`;
    await Deno.writeTextFile(
      wrong,
      `[127.0.0.1]:${server.port} ${await server.keys.publicLine(
        "id_other",
      )}\n`,
    );
    const error = await assertRejects(() =>
      connect(t.reactor, { knownHosts: wrong })
    );
    assertInstanceOf(error, HostKeyMismatchError);
  },
  { ignore },
);

test(
  "client: a hashed known_hosts entry (ssh-keygen -H) is recognised",
  async (t) => {
    const server = await startSshd();
    const hashed = `${dir}/known_hosts_hashed`;
    await Deno.copyFile(server.knownHosts, hashed);
    const { code } = await run(keygen.path, ["-H", "-f", hashed]);
    assertEquals(code, 0);
    const client = await connect(t.reactor, { knownHosts: hashed });
    await client.close();
  },
  { ignore },
);

test("client: a key sshd does not know is refused", async (t) => {
  const server = await startSshd();
  const error = await assertRejects(() =>
    connect(t.reactor, { keys: [] }).then(async () => {}, (error) => {
      throw error;
    })
  );
  assertInstanceOf(error, AuthenticationFailedError);
  const other = await assertRejects(async () =>
    connect(t.reactor, {
      keys: [await SSHPrivateKey.load(server.keys.path("id_other"))],
    })
  );
  assertInstanceOf(other, AuthenticationFailedError);
}, { ignore });
