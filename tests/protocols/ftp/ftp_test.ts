// The FTP server against curl and Python's ftplib, its confinement and
// bounce checks, and the client against vsftpd (Debian).
import {
  connectFTP,
  ftpHandler,
  FTPReplyError,
  type FTPServerOptions,
} from "../../../protocols/ftp/mod.ts";
import {
  FromNetworkLines,
  ToNetworkLines,
} from "../../../protocols/ftp/_ascii.ts";
import { hashPassword } from "../../../cred/password_hash.ts";
import { FilePasswordChecker } from "../../../cred/file_checker.ts";
import { LoginLimiter } from "../../../cred/login_limiter.ts";
import {
  assertEquals,
  assertMatch,
  assertRejects,
  test,
  type TestContext,
} from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { run } from "../dns/_interop.ts";
import { makeTestPki } from "../../reactor/_tls.ts";

const curl = findPeer(PEERS.curl);
const python = findPeer(PEERS.python);
const vsftpd = findPeer(PEERS.vsftpd);

async function withServer(
  t: TestContext,
  fn: (port: number, root: string) => Promise<void>,
  extra: Partial<FTPServerOptions> = {},
): Promise<void> {
  const base = await Deno.makeTempDir();
  t.addCleanup(() => Deno.remove(base, { recursive: true }));
  const root = `${base}/root`;
  await Deno.mkdir(`${root}/docs`, { recursive: true });
  await Deno.writeTextFile(`${root}/hello.txt`, "hello, ftp\n");
  await Deno.writeTextFile(`${base}/secret.txt`, "outside the root\n");
  await Deno.symlink(`${base}/secret.txt`, `${root}/escape.txt`);
  await Deno.writeTextFile(
    `${base}/users.txt`,
    `alice:${await hashPassword("wonderland", { iterations: 1000 })}\n`,
  );
  const open = new Set<Promise<void>>();
  const handler = ftpHandler({
    root,
    anonymous: true,
    checker: new FilePasswordChecker(`${base}/users.txt`),
    limiter: new LoginLimiter({ failureDelay: 0, clock: t.reactor }),
    reactor: t.reactor,
    ...extra,
  });
  const listening = await t.reactor.listenTCP(0, (conn) => {
    open.add(conn.closed.catch(() => {}));
    return handler(conn);
  }, { interface: "127.0.0.1" });
  try {
    await fn((listening.getHost() as Deno.NetAddr).port, root);
  } finally {
    await listening.stopListening();
    // The clients are gone; their sessions end as the server sees it.
    await Promise.all(open);
  }
}

const curlRun = (...args: string[]) =>
  run(curl.path, ["-s", "-S", "-m", "10", ...args]);

test("curl lists, downloads, uploads and resumes", async (t) => {
  await withServer(t, async (port, root) => {
    const url = `ftp://127.0.0.1:${port}`;
    assertMatch(await curlRun(`${url}/`), /hello\.txt/);
    assertEquals(await curlRun(`${url}/hello.txt`), "hello, ftp\n");
    assertEquals(await curlRun("-C", "7", `${url}/hello.txt`), "ftp\n");
    const upload = `${root}/../upload.bin`;
    await Deno.writeFile(
      upload,
      new Uint8Array(100_000).map((_, i) => i % 251),
    );
    await curlRun("-u", "alice:wonderland", "-T", upload, `${url}/docs/up.bin`);
    assertEquals(
      await Deno.readFile(`${root}/docs/up.bin`),
      await Deno.readFile(upload),
    );
    // Resume an upload cut after 40000 bytes.
    await Deno.writeFile(
      `${root}/docs/part.bin`,
      (await Deno.readFile(upload)).slice(0, 40_000),
    );
    await curlRun(
      "-u",
      "alice:wonderland",
      "-C",
      "-",
      "-T",
      upload,
      `${url}/docs/part.bin`,
    );
    assertEquals(
      await Deno.readFile(`${root}/docs/part.bin`),
      await Deno.readFile(upload),
    );
  });
}, { ignore: curl.ignore });

test(
  "anonymous users are read-only, and a wrong password is refused",
  async (t) => {
    await withServer(t, async (port) => {
      const url = `ftp://127.0.0.1:${port}`;
      const file = await Deno.makeTempFile();
      t.addCleanup(() => Deno.remove(file));
      const anonymous = await new Deno.Command(curl.path, {
        args: ["-s", "-T", file, `${url}/new.txt`],
      }).output();
      assertEquals(anonymous.code, 25); // curl: upload failed
      const wrong = await new Deno.Command(curl.path, {
        args: ["-s", "-u", "alice:guess", `${url}/`],
      }).output();
      assertEquals(wrong.code, 67); // curl: login denied
    });
  },
  { ignore: curl.ignore },
);

test("paths cannot leave the root, by .. or by a symbolic link", async (t) => {
  await withServer(t, async (port) => {
    const ftp = await connectFTP("127.0.0.1", { port, reactor: t.reactor });
    try {
      // ".." stops at the root: /../../hello.txt is /hello.txt.
      assertEquals(
        await new Response(await ftp.get("/../../hello.txt")).text(),
        "hello, ftp\n",
      );
      const error = await assertRejects(
        () => ftp.get("/escape.txt"),
        FTPReplyError,
      );
      assertEquals(error.code, 550);
      await assertRejects(() => ftp.command("CWD /../.."), FTPReplyError).catch(
        () => {},
      );
      assertEquals((await ftp.command("PWD")).text.startsWith('"/"'), true);
    } finally {
      await ftp.quit();
    }
  });
});

test("PORT and EPRT may name only the client's own address", async (t) => {
  await withServer(t, async (port) => {
    const ftp = await connectFTP("127.0.0.1", { port, reactor: t.reactor });
    try {
      const error = await assertRejects(
        () => ftp.command("PORT 192,0,2,1,0,80"),
        FTPReplyError,
      );
      assertEquals(error.code, 504);
      await assertRejects(
        () => ftp.command("EPRT |1|192.0.2.1|80|"),
        FTPReplyError,
      );
      assertEquals((await ftp.command("EPRT |1|127.0.0.1|9|")).code, 200);
    } finally {
      await ftp.quit();
    }
  });
});

test(
  "Python's ftplib: login, NLST, MLSD, RETR, STOR, rename, SIZE, delete",
  async (t) => {
    await withServer(t, async (port) => {
      const script = `
import ftplib, io
f = ftplib.FTP()
f.connect("127.0.0.1", ${port}, timeout=10)
f.login("alice", "wonderland")
print(sorted(f.nlst()))
print(sorted(name for name, facts in f.mlsd() if facts["type"] == "file"))
buf = io.BytesIO(); f.retrbinary("RETR hello.txt", buf.write); print(buf.getvalue().decode().strip())
f.storbinary("STOR docs/new.txt", io.BytesIO(b"stored by ftplib"))
f.rename("docs/new.txt", "docs/renamed.txt")
print(f.size("docs/renamed.txt"))
f.mkd("made"); f.rmd("made")
f.delete("docs/renamed.txt")
print(f.pwd()); f.cwd("docs"); print(f.pwd())
f.quit()
`;
      const out = (await run(python.path, ["-c", script])).trim().split("\n");
      assertEquals(out, [
        "['docs', 'hello.txt']",
        // escape.txt points out of the root: it is not listed.
        "['hello.txt']",
        "hello, ftp",
        "16",
        "/",
        "/docs",
      ]);
    });
  },
  { ignore: python.ignore },
);

test("the client lists and gets from vsftpd", async (t) => {
  const base = await Deno.makeTempDir();
  t.addCleanup(() => Deno.remove(base, { recursive: true }));
  await Deno.mkdir(`${base}/pub`, { mode: 0o755 });
  await Deno.chmod(base, 0o755);
  await Deno.writeTextFile(`${base}/pub/readme.txt`, "served by vsftpd\n");
  await Deno.mkdir("/var/run/vsftpd/empty", { recursive: true });
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  await Deno.writeTextFile(
    `${base}/vsftpd.conf`,
    [
      "listen=YES",
      "listen_address=127.0.0.1",
      `listen_port=${port}`,
      "background=NO",
      "anonymous_enable=YES",
      "no_anon_password=YES",
      `anon_root=${base}/pub`,
      "local_enable=NO",
      "write_enable=NO",
      "seccomp_sandbox=NO",
      "ftp_username=ftp", // the vsftpd package's user
      "secure_chroot_dir=/var/run/vsftpd/empty",
      "",
    ].join("\n"),
  );
  const child = new Deno.Command(vsftpd.path, {
    args: [`${base}/vsftpd.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    let ftp;
    for (let i = 0;; i++) {
      try {
        ftp = await connectFTP("127.0.0.1", { port, reactor: t.reactor });
        break;
      } catch (error) {
        if (i === 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      assertMatch(await ftp.list(), /readme\.txt/);
      assertEquals(
        await new Response(await ftp.get("readme.txt")).text(),
        "served by vsftpd\n",
      );
    } finally {
      await ftp.quit();
    }
  } finally {
    child.kill();
    await child.status;
    await child.stderr.cancel().catch(() => {});
  }
}, { ignore: vsftpd.ignore });

const TEXT = "one\ntwo\r\nthree\n";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

test("TYPE A text: bare LFs go out as CRLF, split anywhere", () => {
  const bytes = encoder.encode(TEXT);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const lines = new ToNetworkLines();
    const out = [bytes.subarray(0, cut), bytes.subarray(cut)].map((chunk) =>
      decoder.decode(lines.convert(chunk))
    ).join("");
    assertEquals(out, "one\r\ntwo\r\nthree\r\n");
  }
});

test("TYPE A text: CRLFs come in as LF, a lone CR kept, split anywhere", () => {
  const bytes = encoder.encode("one\r\ntwo\rthree\r\nend\r");
  for (let cut = 0; cut <= bytes.length; cut++) {
    const lines = new FromNetworkLines();
    const out = [
      lines.convert(bytes.subarray(0, cut)),
      lines.convert(bytes.subarray(cut)),
      lines.end(),
    ].map((chunk) => decoder.decode(chunk)).join("");
    assertEquals(out, "one\ntwo\rthree\nend\r");
  }
});

test(
  "curl --use-ascii downloads and uploads text, CRLF on the wire and LF on disk",
  async (t) => {
    await withServer(t, async (port, root) => {
      await Deno.writeTextFile(`${root}/text.txt`, TEXT);
      const url = `ftp://127.0.0.1:${port}`;
      const got = await new Deno.Command(curl.path, {
        args: ["-s", "-S", "-m", "10", "-B", `${url}/text.txt`],
        stdout: "piped",
      }).output();
      // curl turns the CRLFs it is sent back into LFs (ftplib's test below
      // sees the CRLFs on the wire).
      assertEquals(decoder.decode(got.stdout), "one\ntwo\nthree\n");
      const upload = `${root}/../crlf.txt`;
      // curl sends local LF text as CRLF lines in TYPE A: stored as LF again.
      await Deno.writeTextFile(upload, "a\nb\n");
      await curlRun(
        "-u",
        "alice:wonderland",
        "-B",
        "-T",
        upload,
        `${url}/up.txt`,
      );
      assertEquals(await Deno.readTextFile(`${root}/up.txt`), "a\nb\n");
    });
  },
  { ignore: curl.ignore },
);

test(
  "Python's ftplib: retrlines and storlines in TYPE A; SIZE and REST refused in it",
  async (t) => {
    await withServer(t, async (port, root) => {
      await Deno.writeTextFile(`${root}/text.txt`, TEXT);
      const script = `
import ftplib, io
f = ftplib.FTP()
f.connect("127.0.0.1", ${port}, timeout=10)
f.login("alice", "wonderland")
lines = []; f.retrlines("RETR text.txt", lines.append); print(lines)
f.voidcmd("TYPE A")
conn = f.transfercmd("RETR text.txt"); print(repr(conn.makefile("rb").read())); conn.close(); f.voidresp()
for command in ("SIZE text.txt", "REST 3"):
    try: f.sendcmd(command)
    except ftplib.error_perm as e: print(str(e)[:3])
f.storlines("STOR stored.txt", io.BytesIO(b"x\\ny\\n"))
f.quit()
`;
      const out = (await run(python.path, ["-c", script])).trim().split("\n");
      assertEquals(out, [
        "['one', 'two', 'three']",
        "b'one\\r\\ntwo\\r\\nthree\\r\\n'",
        "550",
        "504",
      ]);
      assertEquals(await Deno.readTextFile(`${root}/stored.txt`), "x\ny\n");
    });
  },
  { ignore: python.ignore },
);

const openssl = findPeer(PEERS.openssl);

async function tlsOptions(): Promise<Partial<FTPServerOptions>> {
  const { leaves } = await makeTestPki();
  return { tls: leaves.localhost! };
}

test("curl --ssl-reqd lists, gets and puts over explicit FTPS", async (t) => {
  await withServer(t, async (port, root) => {
    const url = `ftp://127.0.0.1:${port}`;
    const tls = ["--ssl-reqd", "-k", "-u", "alice:wonderland"];
    assertMatch(await curlRun(...tls, `${url}/`), /hello\.txt/);
    assertEquals(await curlRun(...tls, `${url}/hello.txt`), "hello, ftp\n");
    const upload = `${root}/../tls.bin`;
    await Deno.writeFile(upload, new Uint8Array(70_000).map((_, i) => i % 7));
    await curlRun(...tls, "-T", upload, `${url}/docs/tls.bin`);
    assertEquals(
      await Deno.readFile(`${root}/docs/tls.bin`),
      await Deno.readFile(upload),
    );
  }, await tlsOptions());
}, { ignore: curl.ignore || openssl.ignore });

test(
  "with TLS configured, a user login before AUTH TLS is refused",
  async (t) => {
    await withServer(t, async (port) => {
      const refused = await new Deno.Command(curl.path, {
        args: ["-s", "-u", "alice:wonderland", `ftp://127.0.0.1:${port}/`],
      }).output();
      assertEquals(refused.code, 67); // curl: login denied
      // Anonymous logins need no TLS (vsftpd's default too).
      assertMatch(await curlRun(`ftp://127.0.0.1:${port}/`), /hello\.txt/);
    }, await tlsOptions());
  },
  { ignore: curl.ignore || openssl.ignore },
);

test(
  "Python's ftplib.FTP_TLS: AUTH TLS, PROT P, list, retrbinary and storbinary",
  async (t) => {
    await withServer(t, async (port, root) => {
      const script = `
import ftplib, io, ssl
context = ssl.create_default_context(); context.check_hostname = False; context.verify_mode = ssl.CERT_NONE
f = ftplib.FTP_TLS(context=context)
f.connect("127.0.0.1", ${port}, timeout=10)
f.login("alice", "wonderland")
f.prot_p()
print(sorted(f.nlst()))
buf = io.BytesIO(); f.retrbinary("RETR hello.txt", buf.write); print(buf.getvalue().decode().strip())
f.storbinary("STOR docs/secret.txt", io.BytesIO(b"over TLS"))
f.quit()
`;
      const out = (await run(python.path, ["-c", script])).trim().split("\n");
      assertEquals(out, ["['docs', 'hello.txt']", "hello, ftp"]);
      assertEquals(
        await Deno.readTextFile(`${root}/docs/secret.txt`),
        "over TLS",
      );
    }, await tlsOptions());
  },
  { ignore: python.ignore || openssl.ignore },
);

test("the client's get with ascii fetches text in TYPE A, as LF lines", async (t) => {
  await withServer(t, async (port, root) => {
    await Deno.writeTextFile(`${root}/text.txt`, TEXT);
    const ftp = await connectFTP("127.0.0.1", { port, reactor: t.reactor });
    try {
      const text = await ftp.get("text.txt", { ascii: true });
      assertEquals(await new Response(text).text(), "one\ntwo\nthree\n");
    } finally {
      await ftp.quit();
    }
  });
});
