// OpenSSH's ssh and sftp (Debian openssh-client) against the Spindle server.
import { test } from "../../../trial/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
} from "../../../trial/assertions.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import {
  freePort,
  type KeyFolder,
  makeKeys,
  PASSWORD,
  run,
  sshOptions,
  startServer,
  USER,
} from "./_helpers.ts";

const ssh = findPeer(PEERS.ssh);
const sftp = findPeer(PEERS.sftp);
const keygen = findPeer(PEERS.sshKeygen);
const ignore = ssh.ignore || keygen.ignore;

const dir = await Deno.makeTempDir({ prefix: "spindle-ssh-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(dir, { recursive: true }),
);
let folder: KeyFolder | undefined;
const keys = async () => folder ??= await makeKeys(keygen.path, dir);

const sha256 = async (data: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", data.slice())).toHex();

test("ssh: the exit status of the command comes through", async (t) => {
  const server = await startServer(t.reactor, await keys());
  try {
    const result = await run(ssh.path, [
      ...sshOptions(
        server,
        "-i",
        (await keys()).path("id_ed25519"),
        "-p",
        String(server.port),
      ),
      `${USER}@127.0.0.1`,
      "echo hi; exit 3",
    ]);
    assertEquals(new TextDecoder().decode(result.stdout), "hi\n");
    assertEquals(result.code, 3);
  } finally {
    await server.running.shutdown();
  }
}, { ignore });

test(
  "ssh: a command killed by a signal is reported as exit-signal",
  async (t) => {
    const server = await startServer(t.reactor, await keys());
    try {
      const result = await run(ssh.path, [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-p",
          String(server.port),
        ),
        `${USER}@127.0.0.1`,
        "kill -TERM $$",
      ]);
      // OpenSSH's ssh exits with 255 when the remote command died by a signal
      // (an exit-status would have given 143, the shell's code for TERM).
      assertEquals(result.code, 255);
    } finally {
      await server.running.shutdown();
    }
  },
  { ignore },
);

test("ssh: stdin is piped through cat, stderr kept apart", async (t) => {
  const server = await startServer(t.reactor, await keys());
  try {
    const result = await run(ssh.path, [
      ...sshOptions(
        server,
        "-i",
        (await keys()).path("id_ed25519"),
        "-p",
        String(server.port),
      ),
      `${USER}@127.0.0.1`,
      "cat; echo oops >&2",
    ], { stdin: "line one\nline two\n" });
    assertEquals(
      new TextDecoder().decode(result.stdout),
      "line one\nline two\n",
    );
    assertMatch(result.stderr, /oops/);
    assertEquals(result.code, 0);
  } finally {
    await server.running.shutdown();
  }
}, { ignore });

for (const key of ["id_rsa", "id_ecdsa"]) {
  test(
    `ssh: a ${key.slice(3)} key logs in (rsa-sha2 / ecdsa signatures verified)`,
    async (t) => {
      const server = await startServer(t.reactor, await keys());
      try {
        const result = await run(ssh.path, [
          ...sshOptions(
            server,
            "-i",
            (await keys()).path(key),
            "-p",
            String(server.port),
          ),
          `${USER}@127.0.0.1`,
          "echo in",
        ]);
        assertEquals(
          new TextDecoder().decode(result.stdout),
          "in\n",
          result.stderr,
        );
      } finally {
        await server.running.shutdown();
      }
    },
    { ignore },
  );
}

for (
  const [cipher, mac] of [
    ["aes128-gcm@openssh.com", "hmac-sha2-256"],
    ["aes256-ctr", "hmac-sha2-256"],
    ["aes128-ctr", "hmac-sha2-256-etm@openssh.com"],
    ["aes256-ctr", "hmac-sha2-512-etm@openssh.com"],
  ]
) {
  test(`ssh: ${cipher} with ${mac}, over ecdh-sha2-nistp256`, async (t) => {
    const server = await startServer(t.reactor, await keys());
    try {
      const result = await run(ssh.path, [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-p",
          String(server.port),
          "-c",
          cipher!,
          "-m",
          mac!,
          "-o",
          "KexAlgorithms=ecdh-sha2-nistp256",
        ),
        `${USER}@127.0.0.1`,
        "cat",
      ], { stdin: "through\n" });
      assertEquals(
        new TextDecoder().decode(result.stdout),
        "through\n",
        result.stderr,
      );
    } finally {
      await server.running.shutdown();
    }
  }, { ignore });
}

test(
  "ssh: 64 MiB through cat come back the same, with rekeying forced on both sides",
  async (t) => {
    // The server rekeys every 16 MiB, the client (RekeyLimit) every 8 MiB.
    const server = await startServer(t.reactor, await keys(), {
      rekeyBytes: 16 * 1024 * 1024,
    });
    try {
      const data = crypto.getRandomValues(new Uint8Array(65536));
      const big = new Uint8Array(64 * 1024 * 1024);
      for (let at = 0; at < big.length; at += data.length) big.set(data, at);
      big[12345] = 1;
      const result = await run(ssh.path, [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-p",
          String(server.port),
          "-o",
          "RekeyLimit=8M",
        ),
        `${USER}@127.0.0.1`,
        "cat",
      ], { stdin: big, timeout: 60_000 });
      assertEquals(result.code, 0, result.stderr);
      assertEquals(result.stdout.length, big.length);
      assertEquals(await sha256(result.stdout), await sha256(big));
    } finally {
      await server.running.shutdown();
    }
  },
  { ignore },
);

test(
  "ssh -L: a tunnel through the server reaches a local service",
  async (t) => {
    const server = await startServer(t.reactor, await keys());
    const target = await t.reactor.listenTCP(0, async (conn) => {
      await conn.write(new TextEncoder().encode("from the target\n"));
      await conn.close();
    }, { interface: "127.0.0.1" });
    const targetPort = (target.getHost() as Deno.NetAddr).port;
    const localPort = freePort();
    const tunnel = new Deno.Command(ssh.path, {
      args: [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-p",
          String(server.port),
        ),
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-L",
        `${localPort}:127.0.0.1:${targetPort}`,
        `${USER}@127.0.0.1`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      let text = "";
      for (let attempt = 0; attempt < 100 && text === ""; attempt++) {
        try {
          const conn = await t.reactor.connectTCP("127.0.0.1", localPort);
          text = await new Response(conn.readable).text();
          await conn.close();
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assertEquals(text, "from the target\n");
    } finally {
      tunnel.kill("SIGTERM");
      await tunnel.status;
      await target.stopListening();
      await server.running.shutdown();
    }
  },
  { ignore },
);

test("ssh: a key not in authorized_keys is refused", async (t) => {
  const server = await startServer(t.reactor, await keys());
  try {
    const result = await run(ssh.path, [
      ...sshOptions(
        server,
        "-i",
        (await keys()).path("id_other"),
        "-p",
        String(server.port),
      ),
      `${USER}@127.0.0.1`,
      "echo in",
    ]);
    assertEquals(result.code, 255);
    assertMatch(result.stderr, /Permission denied/);
  } finally {
    await server.running.shutdown();
  }
}, { ignore });

// ssh reads a password from SSH_ASKPASS when forced to, without a terminal.
async function passwordLogin(
  port: number,
  knownHosts: string,
  password: string,
) {
  const askpass = `${dir}/askpass_${crypto.randomUUID()}`;
  await Deno.writeTextFile(askpass, `#!/bin/sh\necho '${password}'\n`, {
    mode: 0o700,
  });
  return await run(ssh.path, [
    "-F",
    "/dev/null",
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "PubkeyAuthentication=no",
    "-o",
    "PreferredAuthentications=password",
    "-o",
    "NumberOfPasswordPrompts=1",
    "-o",
    "LogLevel=ERROR",
    "-p",
    String(port),
    `${USER}@127.0.0.1`,
    "echo in",
  ], {
    env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" },
  });
}

test("ssh: the right password logs in", async (t) => {
  const server = await startServer(t.reactor, await keys());
  try {
    const result = await passwordLogin(
      server.port,
      server.knownHosts,
      PASSWORD,
    );
    assertEquals(
      new TextDecoder().decode(result.stdout),
      "in\n",
      result.stderr,
    );
  } finally {
    await server.running.shutdown();
  }
}, { ignore });

test("ssh: a wrong password is refused", async (t) => {
  const server = await startServer(t.reactor, await keys());
  try {
    const result = await passwordLogin(server.port, server.knownHosts, "wrong");
    assertEquals(result.code, 255);
    assertMatch(result.stderr, /Permission denied/);
  } finally {
    await server.running.shutdown();
  }
}, { ignore });

test(
  "ssh: a host key that is not the known one is refused by the client",
  async (t) => {
    const server = await startServer(t.reactor, await keys());
    try {
      const other = (await keys()).path("id_other");
      await Deno.writeTextFile(
        server.knownHosts,
        `[127.0.0.1]:${server.port} ${await Deno.readTextFile(`${other}.pub`)}`,
      );
      const result = await run(ssh.path, [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-p",
          String(server.port),
        ),
        `${USER}@127.0.0.1`,
        "echo in",
      ]);
      assertEquals(result.code, 255);
      assertMatch(
        result.stderr,
        /HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
      );
    } finally {
      await server.running.shutdown();
    }
  },
  { ignore },
);

test(
  "sftp -b: put, ls, rename, get and rm a 32 MiB file under --sftp-root",
  async (t) => {
    const root = await Deno.makeTempDir({ dir });
    const server = await startServer(t.reactor, await keys(), {
      sftpRoot: root,
    });
    try {
      const big = crypto.getRandomValues(new Uint8Array(65536));
      const file = new Uint8Array(32 * 1024 * 1024);
      for (let at = 0; at < file.length; at += big.length) file.set(big, at);
      file[777] = 255 - file[777]!;
      await Deno.writeFile(`${dir}/up.bin`, file);
      const batch = `${dir}/batch`;
      await Deno.writeTextFile(
        batch,
        [
          `put ${dir}/up.bin up.bin`,
          "ls -l",
          "rename up.bin moved.bin",
          `get moved.bin ${dir}/down.bin`,
          "mkdir sub",
          "ls",
          "rmdir sub",
          "rm moved.bin",
          "ls",
          "",
        ].join("\n"),
      );
      const result = await run(sftp.path, [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-P",
          String(server.port),
        ),
        "-b",
        batch,
        `${USER}@127.0.0.1`,
      ], { timeout: 60_000 });
      assertEquals(result.code, 0, result.stderr);
      const out = new TextDecoder().decode(result.stdout);
      // POSIX file-type bits come through: ls -l shows a regular file.
      assertMatch(out, /-rw-r--r--\s.*33554432.*up\.bin/);
      assertMatch(out, /moved\.bin\s+sub/);
      assertEquals(
        await sha256(await Deno.readFile(`${dir}/down.bin`)),
        await sha256(file),
      );
      assertEquals([...Deno.readDirSync(root)].length, 0);
    } finally {
      await server.running.shutdown();
    }
  },
  { ignore: ignore || sftp.ignore },
);

test("sftp: no path, .. or symlink leads out of --sftp-root", async (t) => {
  const root = await Deno.makeTempDir({ dir });
  await Deno.symlink("/etc", `${root}/escape`);
  const server = await startServer(t.reactor, await keys(), { sftpRoot: root });
  try {
    for (
      const path of [
        "../../../../etc/passwd",
        "/../etc/passwd",
        "escape/passwd",
      ]
    ) {
      const batch = `${dir}/batch_escape`;
      await Deno.writeTextFile(batch, `get ${path} ${dir}/stolen\n`);
      const result = await run(sftp.path, [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-P",
          String(server.port),
        ),
        "-b",
        batch,
        `${USER}@127.0.0.1`,
      ]);
      assertNotEquals(result.code, 0);
      assert(
        !(await Deno.stat(`${dir}/stolen`).then(() => true, () => false)),
        path,
      );
    }
  } finally {
    await server.running.shutdown();
  }
}, { ignore: ignore || sftp.ignore });

test("ssh: the none method is refused", async (t) => {
  const server = await startServer(t.reactor, await keys());
  try {
    const result = await run(ssh.path, [
      ...sshOptions(
        server,
        "-o",
        "PreferredAuthentications=none",
        "-p",
        String(server.port),
      ),
      `${USER}@127.0.0.1`,
      "echo in",
    ]);
    assertEquals(result.code, 255);
    assertMatch(result.stderr, /Permission denied \(publickey,password\)/);
  } finally {
    await server.running.shutdown();
  }
}, { ignore });

test(
  "ssh: keepalive@openssh.com requests are answered while a command runs",
  async (t) => {
    const server = await startServer(t.reactor, await keys());
    try {
      const result = await run(ssh.path, [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-p",
          String(server.port),
          "-o",
          "ServerAliveInterval=1",
          "-o",
          "ServerAliveCountMax=1",
        ),
        `${USER}@127.0.0.1`,
        "sleep 3; echo alive",
      ]);
      assertEquals(
        new TextDecoder().decode(result.stdout),
        "alive\n",
        result.stderr,
      );
    } finally {
      await server.running.shutdown();
    }
  },
  { ignore },
);

test(
  "ssh -R: a port opened on the server's loopback reaches the client's side",
  async (t) => {
    const server = await startServer(t.reactor, await keys());
    const target = await t.reactor.listenTCP(0, async (conn) => {
      await conn.write(new TextEncoder().encode("from behind the client\n"));
      await conn.close();
    }, { interface: "127.0.0.1" });
    const targetPort = (target.getHost() as Deno.NetAddr).port;
    const remotePort = freePort();
    const tunnel = new Deno.Command(ssh.path, {
      args: [
        ...sshOptions(
          server,
          "-i",
          (await keys()).path("id_ed25519"),
          "-p",
          String(server.port),
        ),
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-R",
        `${remotePort}:127.0.0.1:${targetPort}`,
        `${USER}@127.0.0.1`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      let text = "";
      for (let attempt = 0; attempt < 100 && text === ""; attempt++) {
        try {
          const conn = await t.reactor.connectTCP("127.0.0.1", remotePort);
          text = await new Response(conn.readable).text();
          await conn.close();
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assertEquals(text, "from behind the client\n");
    } finally {
      tunnel.kill("SIGTERM");
      await tunnel.status;
      await target.stopListening();
      await server.running.shutdown();
    }
  },
  { ignore },
);
