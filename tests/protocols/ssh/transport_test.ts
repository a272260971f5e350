// The transport over in-memory connections: every cipher, MAC and key
// exchange, rekeying, strict key exchange, and what breaks a connection.
import { test } from "../../../trial/mod.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "../../../trial/assertions.ts";
import { connectedPair } from "../../../reactor/mod.ts";
import type { Connection } from "../../../reactor/mod.ts";
import {
  CIPHERS,
  KEX_ALGORITHMS,
  MACError,
  MACS,
  PacketReader,
  PacketWriter,
  SSHPrivateKey,
  SSHProtocolError,
  SSHTransport,
  type SSHTransportOptions,
} from "../../../protocols/ssh/mod.ts";

const hostKey = await SSHPrivateKey.generate("test host");

async function pair(
  client: Partial<SSHTransportOptions> = {},
  server: Partial<SSHTransportOptions> = {},
) {
  const [a, b] = connectedPair();
  const serverSide = new SSHTransport(a, {
    role: "server",
    hostKeys: [hostKey],
    ...server,
  });
  const clientSide = new SSHTransport(b, {
    role: "client",
    verifyHostKey: () => true,
    ...client,
  });
  const received: Uint8Array[] = [];
  serverSide.onMessage = (payload) => {
    received.push(payload.slice());
    return true;
  };
  await Promise.all([serverSide.start(), clientSide.start()]);
  return { server: serverSide, client: clientSide, received };
}

async function close(sides: { server: SSHTransport; client: SSHTransport }) {
  await sides.client.disconnect();
  await sides.server.closed;
}

// Messages of the connection protocol's range, of `size` bytes.
const message = (size: number, fill: number) => {
  const bytes = new Uint8Array(size).fill(fill);
  bytes[0] = 94;
  return bytes;
};

for (const cipher of CIPHERS) {
  for (const mac of cipher.includes("gcm") ? [MACS[0]!] : MACS) {
    test(`transport: ${cipher}${cipher.includes("gcm") ? "" : ` with ${mac}`} carries messages in order`, async () => {
      const sides = await pair({ ciphers: [cipher], macs: [mac] });
      assertEquals(sides.client.negotiated?.cipherClientToServer, cipher);
      for (let i = 0; i < 20; i++) {
        sides.client.send(message(100 + i * 1000, i));
      }
      await sides.client.flushed();
      await close(sides);
      assertEquals(
        sides.received.map((m) => [m.length, m[1]]),
        Array.from({ length: 20 }, (_, i) => [100 + i * 1000, i]),
      );
    });
  }
}

for (const kex of KEX_ALGORITHMS) {
  test(`transport: ${kex} agrees on one session id`, async () => {
    const sides = await pair({ kex: [kex] });
    assertEquals(sides.client.negotiated?.kex, kex);
    assertEquals(
      sides.client.sessionId!.toHex(),
      sides.server.sessionId!.toHex(),
    );
    await close(sides);
  });
}

test("transport: strict key exchange is on when both sides offer it", async () => {
  const sides = await pair();
  assertEquals(sides.server.negotiated?.strict, true);
  await close(sides);
});

test("transport: a rekey from either side keeps the session id and loses nothing", async () => {
  const sides = await pair();
  const id = sides.server.sessionId!.toHex();
  for (let i = 0; i < 10; i++) sides.client.send(message(5000, i));
  sides.client.rekey();
  for (let i = 10; i < 20; i++) sides.client.send(message(5000, i));
  sides.server.rekey();
  for (let i = 20; i < 30; i++) sides.client.send(message(5000, i));
  await sides.client.flushed();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(
    sides.received.map((m) => m[1]),
    Array.from({ length: 30 }, (_, i) => i),
  );
  assertEquals(sides.client.sessionId!.toHex(), id);
  await close(sides);
});

test("transport: crossing the byte limit starts a rekey by itself", async () => {
  const sides = await pair({ rekeyBytes: 64 * 1024 });
  const before = sides.client.negotiated;
  for (let i = 0; i < 40; i++) sides.client.send(message(4000, i));
  await sides.client.flushed();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(sides.received.length, 40);
  assert(sides.client.negotiated !== before, "a new key exchange ran");
  await close(sides);
});

test("transport: a refused host key ends the connection", async () => {
  const [a, b] = connectedPair();
  const server = new SSHTransport(a, { role: "server", hostKeys: [hostKey] });
  const client = new SSHTransport(b, {
    role: "client",
    verifyHostKey: () => false,
  });
  server.start().catch(() => {});
  await assertRejects(() => client.start());
  await Promise.all([client.closed, server.closed]);
});

// A raw peer that speaks the version line and then bytes of our choosing.
async function rawPeer(conn: Connection, bytes: Uint8Array): Promise<void> {
  await conn.write(new TextEncoder().encode("SSH-2.0-raw\r\n"));
  await conn.write(bytes);
}

test("transport: a packet over the size limit is refused", async () => {
  const [a, b] = connectedPair();
  const server = new SSHTransport(a, { role: "server", hostKeys: [hostKey] });
  server.start().catch(() => {});
  await rawPeer(b, new Uint8Array([0x7f, 0, 0, 0, 0, 0, 0, 0]));
  await server.closed;
  assertInstanceOf(server.error, SSHProtocolError);
  await b.close();
});

test("transport: strict key exchange refuses a message before KEXINIT (Terrapin)", async () => {
  const [a, b] = connectedPair();
  const server = new SSHTransport(a, { role: "server", hostKeys: [hostKey] });
  server.start().catch(() => {});
  const writer = new PacketWriter(b);
  await writer.writeVersion("SSH-2.0-raw");
  const reader = new PacketReader(b);
  await reader.readVersion();
  await writer.send(new Uint8Array([2, 0, 0, 0, 0])); // IGNORE
  const { encodeKexInit, ourKexInit } = await import(
    "../../../protocols/ssh/kex.ts"
  );
  await writer.send(encodeKexInit(ourKexInit("client", ["ssh-ed25519"])));
  await server.closed;
  assertInstanceOf(server.error, SSHProtocolError);
  assert((server.error as Error).message.includes("strict"));
  await b.close();
});

test("transport: a corrupted packet fails its MAC and ends the connection", async () => {
  const [a, b] = connectedPair();
  // A man in the middle that flips one bit of the 6th chunk client → server.
  const [c, d] = connectedPair();
  const server = new SSHTransport(a, { role: "server", hostKeys: [hostKey] });
  const client = new SSHTransport(d, {
    role: "client",
    verifyHostKey: () => true,
  });
  server.onMessage = () => true;
  let chunks = 0;
  const relay = async (from: Connection, to: Connection, corrupt: boolean) => {
    for (;;) {
      const chunk = await from.read().catch(() => null);
      if (chunk === null) break;
      if (corrupt && ++chunks === 8) chunk[chunk.length - 1]! ^= 1;
      await to.write(chunk).catch(() => {});
    }
    await to.close().catch(() => {});
  };
  const relays = Promise.all([relay(c, b, true), relay(b, c, false)]);
  await Promise.all([server.start(), client.start()]);
  for (let i = 0; i < 10; i++) client.send(message(100, i)).catch(() => {});
  await server.closed;
  assertInstanceOf(server.error, MACError);
  await client.closed;
  await relays;
});
