// OpenSSH's ssh and sftp (Debian openssh-client) against the Spindle server.
import { test, type TestContext } from "../../../trial/mod.ts";
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
  type TestServer,
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

const LOGIN = `${USER}@127.0.0.1`;

/** What a test adds to ssh's command line. */
interface SSHArgsOptions {
  /** The client key, of the key folder's; `id_ed25519` by default. */
  key?: string;
  /** More options, as they are. */
  options?: string[];
  /** `-o` settings (`Name=value`), after `options`. */
  config?: string[];
}

/**
 * ssh's arguments to log in to `server` and run `command` (none for a tunnel
 * alone): the options of the tests, then the test's own.
 */
async function sshArgs(
  server: TestServer,
  command: string | undefined,
  { key = "id_ed25519", options = [], config = [] }: SSHArgsOptions = {},
): Promise<string[]> {
  return [
    ...sshOptions(
      server,
      "-i",
      (await keys()).path(key),
      "-p",
      String(server.port),
      ...options,
      ...config.flatMap((setting) => ["-o", setting]),
    ),
    LOGIN,
    ...(command === undefined ? [] : [command]),
  ];
}

/** sftp's arguments to run the commands of the file `batch` on `server`. */
async function sftpArgs(server: TestServer, batch: string): Promise<string[]> {
  return [
    ...sshOptions(
      server,
      "-i",
      (await keys()).path("id_ed25519"),
      "-P",
      String(server.port),
    ),
    "-b",
    batch,
    LOGIN,
  ];
}

/** Runs `body` against a fresh server, shut down after it however it ends. */
async function withServer(
  t: TestContext,
  body: (server: TestServer) => Promise<void>,
  extra?: Parameters<typeof startServer>[2],
): Promise<void> {
  const server = await startServer(t.reactor, await keys(), extra);
  try {
    await body(server);
  } finally {
    await server.running.shutdown();
  }
}

/**
 * Forwards a port with ssh's `-L` (on the client's side) or `-R` (on the
 * server's) to a local service that writes `greeting`, and reads what a
 * connection to the forwarded port is sent. The tunnel comes up in the
 * background, so the port is tried until it answers.
 */
async function readThroughTunnel(
  t: TestContext,
  server: TestServer,
  flag: "-L" | "-R",
  greeting: string,
): Promise<string> {
  const target = await t.reactor.listenTCP(0, async (conn) => {
    await conn.write(new TextEncoder().encode(greeting));
    await conn.close();
  }, { interface: "127.0.0.1" });
  const targetPort = (target.getHost() as Deno.NetAddr).port;
  const forwardedPort = freePort();
  const tunnel = new Deno.Command(ssh.path, {
    args: await sshArgs(server, undefined, {
      options: [
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        flag,
        `${forwardedPort}:127.0.0.1:${targetPort}`,
      ],
    }),
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let text = "";
    for (let attempt = 0; attempt < 100 && text === ""; attempt++) {
      try {
        const conn = await t.reactor.connectTCP("127.0.0.1", forwardedPort);
        text = await new Response(conn.readable).text();
        await conn.close();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return text;
  } finally {
    tunnel.kill("SIGTERM");
    await tunnel.status;
    await target.stopListening();
  }
}

test("ssh: the exit status of the command comes through", async (t) => {
  await withServer(t, async (server) => {
    const result = await run(
      ssh.path,
      await sshArgs(server, "echo hi; exit 3"),
    );
    assertEquals(new TextDecoder().decode(result.stdout), "hi\n");
    assertEquals(result.code, 3);
  });
}, { ignore });

test(
  "ssh: a command killed by a signal is reported as exit-signal",
  async (t) => {
    await withServer(t, async (server) => {
      const result = await run(
        ssh.path,
        await sshArgs(server, "kill -TERM $$"),
      );
      // OpenSSH's ssh exits with 255 when the remote command died by a signal
      // (an exit-status would have given 143, the shell's code for TERM).
      assertEquals(result.code, 255);
    });
  },
  { ignore },
);

test("ssh: stdin is piped through cat, stderr kept apart", async (t) => {
  await withServer(t, async (server) => {
    const result = await run(
      ssh.path,
      await sshArgs(server, "cat; echo oops >&2"),
      { stdin: "line one\nline two\n" },
    );
    assertEquals(
      new TextDecoder().decode(result.stdout),
      "line one\nline two\n",
    );
    assertMatch(result.stderr, /oops/);
    assertEquals(result.code, 0);
  });
}, { ignore });

for (const key of ["id_rsa", "id_ecdsa"]) {
  test(
    `ssh: a ${key.slice(3)} key logs in (rsa-sha2 / ecdsa signatures verified)`,
    async (t) => {
      await withServer(t, async (server) => {
        const result = await run(
          ssh.path,
          await sshArgs(server, "echo in", { key }),
        );
        assertEquals(
          new TextDecoder().decode(result.stdout),
          "in\n",
          result.stderr,
        );
      });
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
    await withServer(t, async (server) => {
      const result = await run(
        ssh.path,
        await sshArgs(server, "cat", {
          options: ["-c", cipher!, "-m", mac!],
          config: ["KexAlgorithms=ecdh-sha2-nistp256"],
        }),
        { stdin: "through\n" },
      );
      assertEquals(
        new TextDecoder().decode(result.stdout),
        "through\n",
        result.stderr,
      );
    });
  }, { ignore });
}

test(
  "ssh: 64 MiB through cat come back the same, with rekeying forced on both sides",
  async (t) => {
    // The server rekeys every 16 MiB, the client (RekeyLimit) every 8 MiB.
    await withServer(t, async (server) => {
      const data = crypto.getRandomValues(new Uint8Array(65536));
      const big = new Uint8Array(64 * 1024 * 1024);
      for (let at = 0; at < big.length; at += data.length) big.set(data, at);
      big[12345] = 1;
      const result = await run(
        ssh.path,
        await sshArgs(server, "cat", { config: ["RekeyLimit=8M"] }),
        { stdin: big, timeout: 60_000 },
      );
      assertEquals(result.code, 0, result.stderr);
      assertEquals(result.stdout.length, big.length);
      assertEquals(await sha256(result.stdout), await sha256(big));
    }, { rekeyBytes: 16 * 1024 * 1024 });
  },
  { ignore },
);

test(
  "ssh -L: a tunnel through the server reaches a local service",
  async (t) => {
    await withServer(t, async (server) => {
      assertEquals(
        await readThroughTunnel(t, server, "-L", "from the target\n"),
        "from the target\n",
      );
    });
  },
  { ignore },
);

test("ssh: a key not in authorized_keys is refused", async (t) => {
  await withServer(t, async (server) => {
    const result = await run(
      ssh.path,
      await sshArgs(server, "echo in", { key: "id_other" }),
    );
    assertEquals(result.code, 255);
    assertMatch(result.stderr, /Permission denied/);
  });
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
    LOGIN,
    "echo in",
  ], {
    env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" },
  });
}

test("ssh: the right password logs in", async (t) => {
  await withServer(t, async (server) => {
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
  });
}, { ignore });

test("ssh: a wrong password is refused", async (t) => {
  await withServer(t, async (server) => {
    const result = await passwordLogin(server.port, server.knownHosts, "wrong");
    assertEquals(result.code, 255);
    assertMatch(result.stderr, /Permission denied/);
  });
}, { ignore });

test(
  "ssh: a host key that is not the known one is refused by the client",
  async (t) => {
    await withServer(t, async (server) => {
      const other = (await keys()).path("id_other");
      await Deno.writeTextFile(
        server.knownHosts,
        `[127.0.0.1]:${server.port} ${await Deno.readTextFile(`${other}.pub`)}`,
      );
      const result = await run(ssh.path, await sshArgs(server, "echo in"));
      assertEquals(result.code, 255);
      assertMatch(
        result.stderr,
        /HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
      );
    });
  },
  { ignore },
);

test(
  "sftp -b: put, ls, rename, get and rm a 32 MiB file under --sftp-root",
  async (t) => {
    const root = await Deno.makeTempDir({ dir });
    await withServer(t, async (server) => {
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
      const result = await run(sftp.path, await sftpArgs(server, batch), {
        timeout: 60_000,
      });
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
    }, { sftpRoot: root });
  },
  { ignore: ignore || sftp.ignore },
);

test("sftp: no path, .. or symlink leads out of --sftp-root", async (t) => {
  const root = await Deno.makeTempDir({ dir });
  await Deno.symlink("/etc", `${root}/escape`);
  await withServer(t, async (server) => {
    for (
      const path of [
        "../../../../etc/passwd",
        "/../etc/passwd",
        "escape/passwd",
      ]
    ) {
      const batch = `${dir}/batch_escape`;
      await Deno.writeTextFile(batch, `get ${path} ${dir}/stolen\n`);
      const result = await run(sftp.path, await sftpArgs(server, batch));
      assertNotEquals(result.code, 0);
      assert(
        !(await Deno.stat(`${dir}/stolen`).then(() => true, () => false)),
        path,
      );
    }
  }, { sftpRoot: root });
}, { ignore: ignore || sftp.ignore });

test("ssh: the none method is refused", async (t) => {
  await withServer(t, async (server) => {
    const result = await run(ssh.path, [
      ...sshOptions(
        server,
        "-o",
        "PreferredAuthentications=none",
        "-p",
        String(server.port),
      ),
      LOGIN,
      "echo in",
    ]);
    assertEquals(result.code, 255);
    assertMatch(result.stderr, /Permission denied \(publickey,password\)/);
  });
}, { ignore });

test(
  "ssh: keepalive@openssh.com requests are answered while a command runs",
  async (t) => {
    await withServer(t, async (server) => {
      const result = await run(
        ssh.path,
        await sshArgs(server, "sleep 3; echo alive", {
          config: ["ServerAliveInterval=1", "ServerAliveCountMax=1"],
        }),
      );
      assertEquals(
        new TextDecoder().decode(result.stdout),
        "alive\n",
        result.stderr,
      );
    });
  },
  { ignore },
);

test(
  "ssh -R: a port opened on the server's loopback reaches the client's side",
  async (t) => {
    await withServer(t, async (server) => {
      assertEquals(
        await readThroughTunnel(t, server, "-R", "from behind the client\n"),
        "from behind the client\n",
      );
    });
  },
  { ignore },
);
