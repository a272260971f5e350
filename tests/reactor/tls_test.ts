import {
  assertEquals,
  assertMatch,
  assertRejects,
} from "../../trial/assertions.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { TLSHandshakeError } from "../../reactor/errors.ts";
import type { BaseConnection } from "../../reactor/connection.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { startTLS, tlsInfo } from "../../reactor/tls.ts";
import { throttle } from "../../reactor/policies/throttle.ts";
import {
  decoder,
  encoder,
  portOf,
  readAll,
  TestLineDecoder,
} from "./_helpers.ts";
import { makeTestPki } from "./_tls.ts";
import { findPeer, PEERS } from "../_peers.ts";

const openssl = findPeer(PEERS.openssl);
const pki = await makeTestPki();
const localhost = pki.leaves["localhost"]!;

async function echo(conn: Connection): Promise<void> {
  await conn.readable.pipeTo(conn.writable);
}

/** Replies to one line with the server name the client asked for, then closes. */
async function greet(conn: Connection): Promise<void> {
  for await (const line of conn.readable.pipeThrough(new TestLineDecoder())) {
    const info = await tlsInfo(conn);
    await conn.write(
      encoder.encode(`${line} from ${info?.serverName ?? "-"}\n`),
    );
    break;
  }
}

async function sClient(
  port: number,
  input: string,
  extra: string[],
): Promise<{ stdout: string; stderr: string }> {
  const child = new Deno.Command(openssl.path, {
    args: [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-CAfile",
      `${pki.dir}/ca.pem`,
      "-verify_return_error",
      "-brief",
      "-ign_eof",
      ...extra,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(encoder.encode(input));
  await writer.close();
  const { stdout, stderr } = await child.output();
  return { stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("listenTLS and connectTLS carry bytes and negotiate ALPN", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, echo, {
    interface: "127.0.0.1",
    ...localhost,
    alpnProtocols: ["h2", "http/1.1"],
  });
  const conn = await reactor.connectTLS("localhost", portOf(port.getHost()), {
    caCerts: [pki.caCert],
    alpnProtocols: ["http/1.1"],
  });
  assertEquals((await tlsInfo(conn))?.alpnProtocol, "http/1.1");
  await conn.write(encoder.encode("secret"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "secret");
  await conn.close();
  await port.stopListening();
  await reactor.cleanUp();
});

/** Writes `count` blocks through one lent buffer, refilled as soon as each write resolves. */
async function lendOneBuffer(conn: Connection, count: number): Promise<void> {
  const buffer = new Uint8Array(1024);
  for (let i = 0; i < count; i++) {
    buffer.fill(i & 255);
    await (conn as BaseConnection).writeBorrowed(buffer);
  }
  await conn.closeWrite();
}

/** The indexes of the 1 KiB blocks in `bytes` that are not filled with their own index. */
function wrongBlocks(bytes: Uint8Array): number[] {
  const wrong = [];
  for (let i = 0; i * 1024 < bytes.byteLength; i++) {
    const block = bytes.subarray(i * 1024, (i + 1) * 1024);
    if (block.some((byte) => byte !== (i & 255))) wrong.push(i);
  }
  return wrong;
}

async function readAllBytes(conn: Connection): Promise<Uint8Array> {
  return new Uint8Array(await new Response(conn.readable).arrayBuffer());
}

Deno.test("a buffer lent with writeBorrowed to a node:tls connection may be reused once the write resolves", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, (conn) => lendOneBuffer(conn, 4000), {
    interface: "127.0.0.1",
    ...localhost,
  });
  const conn = await reactor.connectTLS("localhost", portOf(port.getHost()), {
    caCerts: [pki.caCert],
  });
  const bytes = await readAllBytes(conn);
  assertEquals(bytes.byteLength, 4000 * 1024);
  assertEquals(wrongBlocks(bytes), []);
  await conn.close();
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("a buffer lent with writeBorrowed to a Deno.connectTls connection may be reused once the write resolves", async () => {
  const reactor = new DenoReactor();
  const received = Promise.withResolvers<Uint8Array>();
  const port = await reactor.listenTLS(
    0,
    async (conn) => received.resolve(await readAllBytes(conn)),
    { interface: "127.0.0.1", ...localhost },
  );
  const conn = await reactor.connectTLS("localhost", portOf(port.getHost()), {
    caCerts: [pki.caCert],
    handshakeTimeout: Infinity,
  });
  await lendOneBuffer(conn, 4000);
  const bytes = await received.promise;
  assertEquals(bytes.byteLength, 4000 * 1024);
  assertEquals(wrongBlocks(bytes), []);
  await conn.close();
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("two TLS listeners with reusePort share one port", async () => {
  const reactor = new DenoReactor();
  const options = { interface: "127.0.0.1", ...localhost, reusePort: true };
  const first = await reactor.listenTLS(0, echo, options);
  const port = portOf(first.getHost());
  const second = await reactor.listenTLS(port, echo, options);
  assertEquals(portOf(second.getHost()), port);
  await first.stopListening();
  await second.stopListening();
  await reactor.cleanUp();
});

Deno.test("connectTLS to a server whose CA is not trusted fails with TLSHandshakeError", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, echo, {
    interface: "127.0.0.1",
    ...localhost,
  });
  await assertRejects(async () => {
    await reactor.connectTLS("localhost", portOf(port.getHost()));
  }, TLSHandshakeError);
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("openssl s_client talks to a TLS listener", {
  ignore: openssl.ignore,
}, async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, greet, {
    interface: "127.0.0.1",
    ...localhost,
  });
  const { stdout, stderr } = await sClient(
    portOf(port.getHost()),
    "hello\n",
    [],
  );
  assertEquals(stdout, "hello from -\n");
  assertMatch(stderr, /Verification: OK/);
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("an SNI listener presents the certificate for the server name asked for", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, greet, {
    interface: "127.0.0.1",
    ...localhost,
    sni: {
      "a.example": pki.leaves["a.example"]!,
      "b.example": pki.leaves["b.example"]!,
    },
  });
  const number = portOf(port.getHost());
  for (const name of ["a.example", "b.example"]) {
    const { stdout, stderr } = await sClient(number, "hi\n", [
      "-servername",
      name,
    ]);
    assertMatch(stderr, new RegExp(`Peer certificate: CN = ${name}`));
    assertEquals(stdout, `hi from ${name}\n`);
  }
  const { stderr } = await sClient(number, "hi\n", ["-noservername"]);
  assertMatch(stderr, /Peer certificate: CN = localhost/);
  // Deno's own client reaches the default certificate too.
  const conn = await reactor.connectTLS("localhost", number, {
    caCerts: [pki.caCert],
  });
  await conn.write(encoder.encode("deno\n"));
  assertEquals(
    decoder.decode(await readAll(() => conn.read())),
    "deno from localhost\n",
  );
  await conn.close();
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("STARTTLS upgrades a live connection on both sides, keeping the same connection objects", async () => {
  const reactor = new DenoReactor();
  const served = Promise.withResolvers<string>();
  const port = await reactor.listenTCP(0, async (conn) => {
    const lines = conn.readable.pipeThrough(new TestLineDecoder());
    for await (const line of lines.values({ preventCancel: true })) {
      assertEquals(line, "STARTTLS");
      break;
    }
    await conn.write(encoder.encode("GO\n"));
    const info = await startTLS(conn, { isServer: true, ...localhost });
    assertEquals(info.serverName, "localhost");
    const text = decoder.decode(await readAll(() => conn.read()));
    await conn.write(encoder.encode(text.toUpperCase()));
    served.resolve(text);
  }, { interface: "127.0.0.1" });
  const conn = await reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  await conn.write(encoder.encode("STARTTLS\n"));
  assertEquals(decoder.decode((await conn.read())!), "GO\n");
  await startTLS(conn, { hostname: "localhost", caCerts: [pki.caCert] });
  await conn.write(encoder.encode("now private"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "NOW PRIVATE");
  assertEquals(await served.promise, "now private");
  await conn.close();
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("STARTTLS upgrades a connection wrapped by a policy", async () => {
  const reactor = new DenoReactor();
  const served = Promise.withResolvers<string>();
  const handler = throttle(async (conn: Connection) => {
    await startTLS(conn, { isServer: true, ...localhost });
    assertEquals((await tlsInfo(conn))?.serverName, "localhost");
    const text = decoder.decode(await readAll(() => conn.read()));
    await conn.write(encoder.encode(text.toUpperCase()));
    served.resolve(text);
  }, { readLimit: 1 << 30, writeLimit: 1 << 30 });
  const port = await reactor.listenTCP(0, handler, { interface: "127.0.0.1" });
  const conn = await reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  await startTLS(conn, { hostname: "localhost", caCerts: [pki.caCert] });
  await conn.write(encoder.encode("wrapped"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "WRAPPED");
  assertEquals(await served.promise, "wrapped");
  await conn.close();
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test(
  "server-side STARTTLS interoperates with openssl s_client -starttls smtp",
  {
    ignore: openssl.ignore,
  },
  async () => {
    const reactor = new DenoReactor();
    const port = await reactor.listenTCP(0, async (conn) => {
      await conn.write(encoder.encode("220 spindle ESMTP\r\n"));
      const lines = conn.readable.pipeThrough(new TestLineDecoder());
      for await (const line of lines.values({ preventCancel: true })) {
        if (line.startsWith("EHLO")) {
          await conn.write(encoder.encode("250-spindle\r\n250 STARTTLS\r\n"));
        } else if (line.startsWith("STARTTLS")) {
          await conn.write(encoder.encode("220 go ahead\r\n"));
          break;
        }
      }
      await startTLS(conn, { isServer: true, ...localhost });
      await greet(conn);
    }, { interface: "127.0.0.1" });
    const { stdout, stderr } = await sClient(
      portOf(port.getHost()),
      "hello\n",
      [
        "-starttls",
        "smtp",
        "-servername",
        "localhost",
      ],
    );
    assertMatch(stderr, /Verification: OK/);
    assertEquals(stdout, "hello from localhost\n");
    await port.stopListening();
    await reactor.cleanUp();
  },
);

Deno.test("a connection still in its TLS handshake is listed as open and closed by cleanUp", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, echo, {
    interface: "127.0.0.1",
    ...localhost,
    sni: { "a.example": pki.leaves["a.example"]! },
  });
  const silent = await Deno.connect({
    hostname: "127.0.0.1",
    port: portOf(port.getHost()),
  });
  while (reactor.openResources().length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assertMatch(
    reactor.openResources().map((r) => r.description).join("\n"),
    /setting up/,
  );
  await reactor.cleanUp();
  assertEquals(reactor.openResources(), []);
  assertEquals(await silent.read(new Uint8Array(10)).catch(() => null), null);
  silent.close();
});

Deno.test("an SNI listener drops a client that does not finish its handshake in time", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, echo, {
    interface: "127.0.0.1",
    ...localhost,
    sni: { "a.example": pki.leaves["a.example"]! },
    handshakeTimeout: 50,
  });
  const silent = await Deno.connect({
    hostname: "127.0.0.1",
    port: portOf(port.getHost()),
  });
  assertEquals(await silent.read(new Uint8Array(10)).catch(() => null), null);
  silent.close();
  assertEquals(reactor.openResources().map((r) => r.kind), ["listener"]);
  await port.stopListening();
});

Deno.test("writeBorrowedCopies says which TLS engine keeps lent chunks: node:tls does, Deno.connectTls does not", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, (conn) => conn.close(), {
    interface: "127.0.0.1",
    ...localhost,
  });
  const viaNode = await reactor.connectTLS(
    "localhost",
    portOf(port.getHost()),
    { caCerts: [pki.caCert] },
  );
  const viaRustls = await reactor.connectTLS(
    "localhost",
    portOf(port.getHost()),
    { caCerts: [pki.caCert], handshakeTimeout: Infinity },
  );
  assertEquals((viaNode as BaseConnection).writeBorrowedCopies, true);
  assertEquals((viaRustls as BaseConnection).writeBorrowedCopies, false);
  await viaNode.close();
  await viaRustls.close();
  await port.stopListening();
  await reactor.cleanUp();
});
