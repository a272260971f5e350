/** upgradeWebSocket and webSocketStream on a real TCP listener, driven by a raw client. */
import {
  assert,
  assertEquals,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import { serveHTTP } from "../../../protocols/http/mod.ts";
import {
  connectWebSocket,
  connectWebSocketStream,
  Opcode,
  upgradeWebSocket,
  WebSocketHandshakeError,
  webSocketStream,
} from "../../../protocols/websocket/mod.ts";
import { closePayload, echoServer, RawClient } from "./_helpers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";

const decoder = new TextDecoder();

function handshakeError(headers: Record<string, string>, method = "GET") {
  return assertThrows(
    () =>
      upgradeWebSocket(
        new Request("http://h/", { method, headers }),
        {} as never,
      ),
    WebSocketHandshakeError,
  );
}

const GOOD = {
  upgrade: "websocket",
  connection: "keep-alive, Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

test("a bad version is refused with 426 and Sec-WebSocket-Version: 13", () => {
  const error = handshakeError({ ...GOOD, "sec-websocket-version": "8" });
  assertEquals(error.status, 426);
  assertEquals(error.response().headers.get("sec-websocket-version"), "13");
});

test("a missing or malformed key, a missing Upgrade, and a POST are refused with 400", () => {
  const { "sec-websocket-key": _, ...noKey } = GOOD;
  assertEquals(handshakeError(noKey).status, 400);
  assertEquals(
    handshakeError({ ...GOOD, "sec-websocket-key": "short" }).status,
    400,
  );
  assertEquals(handshakeError({ ...GOOD, upgrade: "h2c" }).status, 400);
  assertEquals(handshakeError(GOOD, "POST").status, 400);
});

test("the handshake answers 101 with the RFC's accept key, over real TCP", async (t) => {
  const { port } = await echoServer(t);
  const client = await RawClient.open(port);
  assert(client.head.startsWith("HTTP/1.1 101 "), client.head);
  assert(
    client.head.includes("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
  );
  client.close();
});

test("a subprotocol list is read with or without spaces after the commas", async (t) => {
  const server = await serveHTTP((request, info) => {
    const { socket, response } = upgradeWebSocket(request, info, {
      protocol: "chat.v2",
      clock: t.reactor,
    });
    socket.onopen = () => socket.close();
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const port = (server.addr as Deno.NetAddr).port;
  for (const list of ["chat.v1,chat.v2", "chat.v1, chat.v2"]) {
    const client = await RawClient.open(port, {
      "sec-websocket-protocol": list,
    });
    assert(client.head.includes("sec-websocket-protocol: chat.v2"), list);
    client.close();
  }
  const socket = await connectWebSocket(`ws://127.0.0.1:${port}/`, {
    protocols: ["chat.v2"],
    reactor: t.reactor,
  });
  assertEquals(socket.protocol, "chat.v2");
  await new Promise((resolve) => socket.onclose = resolve);
});

test("checkOrigin refusing an origin makes the handshake throw 403", () => {
  const error = assertThrows(
    () =>
      upgradeWebSocket(
        new Request("http://h/", {
          headers: { ...GOOD, origin: "https://evil.example" },
        }),
        {} as never,
        { checkOrigin: (origin) => origin === "https://good.example" },
      ),
    WebSocketHandshakeError,
  );
  assertEquals(error.status, 403);
});

test("text and binary echo with their types, and a fragmented message comes back whole", async (t) => {
  const { port } = await echoServer(t);
  const client = await RawClient.open(port);
  await client.frame(Opcode.TEXT, "héllo");
  const text = await client.next();
  assertEquals([text!.opcode, decoder.decode(text!.payload)], [1, "héllo"]);
  await client.frame(Opcode.BINARY, new Uint8Array([1, 2, 3]));
  assertEquals((await client.next())!.payload, new Uint8Array([1, 2, 3]));
  await client.frame(Opcode.TEXT, "frag", { fin: false });
  await client.frame(Opcode.PING, "between");
  await client.frame(Opcode.CONTINUATION, "mented");
  const pong = await client.next();
  assertEquals([pong!.opcode, decoder.decode(pong!.payload)], [10, "between"]);
  assertEquals(decoder.decode((await client.next())!.payload), "fragmented");
  client.close();
});

test("the server echoes the client's close code and closes TCP; onclose reports the code and reason", async (t) => {
  const closed = Promise.withResolvers<CloseEvent>();
  const server = await serveHTTP((request, info) => {
    const { socket, response } = upgradeWebSocket(request, info, {
      clock: t.reactor,
    });
    socket.onclose = closed.resolve;
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const client = await RawClient.open((server.addr as Deno.NetAddr).port);
  await client.frame(Opcode.CLOSE, closePayload(4321, "done here"));
  assertEquals(await client.closeCode(), 4321);
  const event = await closed.promise;
  assertEquals([event.code, event.reason, event.wasClean], [
    4321,
    "done here",
    true,
  ]);
  client.close();
});

test("an unmasked frame gets Close 1002 before the TCP close", async (t) => {
  const { port } = await echoServer(t);
  const client = await RawClient.open(port);
  await client.frame(Opcode.TEXT, "naked", { mask: false });
  assertEquals(await client.closeCode(), 1002);
  client.close();
});

test("invalid UTF-8 gets Close 1007; a message over maxMessageSize gets 1009", async (t) => {
  const { port } = await echoServer(t, { maxMessageSize: 1000 });
  const bad = await RawClient.open(port);
  await bad.frame(Opcode.TEXT, new Uint8Array([0x68, 0xff]));
  assertEquals(await bad.closeCode(), 1007);
  bad.close();
  const big = await RawClient.open(port);
  await big.frame(Opcode.BINARY, new Uint8Array(1001));
  assertEquals(await big.closeCode(), 1009);
  big.close();
});

test("socket.close() runs the closing handshake: Close sent, the client's answer ends it cleanly", async (t) => {
  const closed = Promise.withResolvers<CloseEvent>();
  const server = await serveHTTP((request, info) => {
    const { socket, response } = upgradeWebSocket(request, info, {
      clock: t.reactor,
    });
    socket.onopen = () => socket.close(4000, "bye");
    socket.onclose = closed.resolve;
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const client = await RawClient.open((server.addr as Deno.NetAddr).port);
  const frame = await client.next();
  assertEquals(frame!.opcode, Opcode.CLOSE);
  assertEquals(decoder.decode(frame!.payload.subarray(2)), "bye");
  await client.frame(Opcode.CLOSE, frame!.payload);
  assertEquals(await client.next(), null);
  const event = await closed.promise;
  assertEquals([event.code, event.wasClean], [4000, true]);
  client.close();
});

test("close() with a code an application may not send throws InvalidAccessError", async (t) => {
  const { url } = await echoServer(t);
  const socket = await connectWebSocket(url, { reactor: t.reactor });
  assertThrows(() => socket.close(1006), DOMException);
  socket.close();
  await new Promise((resolve) => socket.onclose = resolve);
});

test("the keepalive pings after idleTimeout and closes with 1001 when no pong comes", async (t) => {
  const server = await serveHTTP((request, info) => {
    const { response } = upgradeWebSocket(request, info, {
      idleTimeout: 2,
      clock: t.clock,
    });
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const client = await RawClient.open((server.addr as Deno.NetAddr).port);
  // Let the socket open on the server before time moves.
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.clock.advance(2000);
  assertEquals((await client.next())!.opcode, Opcode.PING);
  t.clock.advance(2000);
  assertEquals(await client.closeCode(), 1001);
  client.close();
});

test("permessage-deflate is agreed when offered, and compressed messages round-trip both ways", async (t) => {
  const { url } = await echoServer(t);
  const socket = await connectWebSocket(url, { reactor: t.reactor });
  assertEquals(socket.extensions, "permessage-deflate");
  socket.binaryType = "arraybuffer";
  const texts = ["a".repeat(5000), "", "ünïcödé ".repeat(100)];
  for (const text of texts) {
    socket.send(text);
    const echoed = await new Promise((resolve) =>
      socket.onmessage = (event) => resolve(event.data)
    );
    assertEquals(echoed, text);
  }
  socket.send(new Uint8Array(70_000).fill(9));
  const bytes = await new Promise<ArrayBuffer>((resolve) =>
    socket.onmessage = (event) => resolve(event.data)
  );
  assertEquals(new Uint8Array(bytes), new Uint8Array(70_000).fill(9));
  socket.close();
  await new Promise((resolve) => socket.onclose = resolve);
});

test("a compressed message that inflates past maxMessageSize is refused with 1009", async (t) => {
  const { url } = await echoServer(t, { maxMessageSize: 100_000 });
  const socket = await connectWebSocket(url, { reactor: t.reactor });
  socket.send(new Uint8Array(1_000_000)); // compresses to about 1 KiB
  const event = await new Promise<CloseEvent>((resolve) =>
    socket.onclose = resolve
  );
  assertEquals(event.code, 1009);
});

test("webSocketStream: piping readable into writable echoes, types kept", async (t) => {
  const server = await serveHTTP((request, info) => {
    const { response, opened } = webSocketStream(request, info, {
      clock: t.reactor,
    });
    opened.then(({ readable, writable }) => readable.pipeTo(writable))
      .catch(() => {});
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const ws = await connectWebSocketStream(
    `ws://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`,
    { reactor: t.reactor },
  );
  const writer = ws.writable.getWriter();
  const reader = ws.readable.getReader();
  await writer.write("text");
  await writer.write(new Uint8Array([4, 5]));
  assertEquals((await reader.read()).value, "text");
  assertEquals((await reader.read()).value, new Uint8Array([4, 5]));
  ws.close({ closeCode: 4001, reason: "enough" });
  assertEquals(await ws.closed, { closeCode: 4001, reason: "" });
  reader.releaseLock();
  writer.releaseLock();
});

test("a closing handshake the client never answers ends after closeTimeout, not cleanly", async (t) => {
  const closed = Promise.withResolvers<CloseEvent>();
  const server = await serveHTTP((request, info) => {
    const { socket, response } = upgradeWebSocket(request, info, {
      clock: t.clock,
      closeTimeout: 1000,
    });
    socket.onopen = () => socket.close(1000);
    socket.onclose = closed.resolve;
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const client = await RawClient.open((server.addr as Deno.NetAddr).port);
  assertEquals((await client.next())!.opcode, Opcode.CLOSE);
  t.clock.advance(1000);
  const event = await closed.promise;
  assertEquals([event.code, event.wasClean], [1006, false]);
  assertEquals(await client.next(), null);
  client.close();
});

test("connectWebSocket gives up when its signal aborts during the handshake", async (t) => {
  // A listener that accepts and never answers.
  const port = await t.reactor.listenTCP(0, async (conn) => {
    try {
      while ((await conn.read()) !== null);
    } catch {
      // Reset by the client that gave up.
    }
  }, { interface: "127.0.0.1" });
  t.addCleanup(() => port.stopListening());
  const controller = new AbortController();
  const connecting = connectWebSocket(
    `ws://127.0.0.1:${(port.getHost() as Deno.NetAddr).port}/`,
    { signal: controller.signal, reactor: t.reactor },
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  controller.abort(new Error("gave up"));
  const error = await connecting.then(() => null, (e) => e);
  assertEquals((error as Error).message, "gave up");
});

test("a graceful shutdown closes each upgraded WebSocket with 1001, and finished resolves once they closed", async (t) => {
  const serverClosed = Promise.withResolvers<CloseEvent>();
  const server = await serveHTTP((request, info) => {
    const { socket, response } = upgradeWebSocket(request, info, {
      clock: t.reactor,
    });
    socket.onclose = serverClosed.resolve;
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const port = (server.addr as Deno.NetAddr).port;
  // Deno's own client answers the Close frame, as a browser does.
  const native = new WebSocket(`ws://127.0.0.1:${port}/`);
  const nativeClosed = Promise.withResolvers<CloseEvent>();
  native.onclose = nativeClosed.resolve;
  await new Promise((resolve) => native.onopen = resolve);
  const raw = await RawClient.open(port);
  const shutdown = server.shutdown();
  const frame = (await raw.next())!;
  assertEquals(frame.opcode, Opcode.CLOSE);
  assertEquals((frame.payload[0]! << 8) | frame.payload[1]!, 1001);
  await raw.frame(Opcode.CLOSE, frame.payload);
  assertEquals(await raw.next(), null);
  raw.close();
  assertEquals((await nativeClosed.promise).code, 1001);
  assertEquals((await serverClosed.promise).code, 1001);
  await shutdown;
  await server.finished;
});

test("a graceful shutdown closes a connection upgraded without onShutdown", async (t) => {
  const server = await serveHTTP((_request, info) => {
    const { response, connection } = info.upgrade({
      headers: { upgrade: "raw" },
    });
    connection.then(async (conn) => {
      while ((await conn.read().catch(() => null)) !== null);
    });
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: (server.addr as Deno.NetAddr).port,
  });
  await conn.write(
    new TextEncoder().encode(
      "GET / HTTP/1.1\r\nhost: h\r\nconnection: upgrade\r\nupgrade: raw\r\n\r\n",
    ),
  );
  const buffer = new Uint8Array(1024);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    assert(n !== null, "the server closed before its 101");
    head += decoder.decode(buffer.subarray(0, n));
  }
  assert(head.startsWith("HTTP/1.1 101"), head);
  await server.shutdown();
  await server.finished;
  assertEquals(await conn.read(buffer), null);
  conn.close();
});

test("large binary messages echo intact, each read straight into its payload", async (t) => {
  const { url } = await echoServer(t);
  const client = new WebSocket(url);
  client.binaryType = "arraybuffer";
  await new Promise((resolve) => client.onopen = resolve);
  const sizes = [16_384, 20_001, 65_536, 131_058, 131_059, 300_000];
  const received: Uint8Array[] = [];
  const all = new Promise<void>((resolve) => {
    client.onmessage = (event) => {
      received.push(new Uint8Array(event.data as ArrayBuffer));
      if (received.length === sizes.length * 2) resolve();
    };
  });
  const sent: Uint8Array[] = [];
  for (let round = 0; round < 2; round++) {
    for (const size of sizes) {
      const message = new Uint8Array(size).map((_, i) =>
        (i + size + round) % 253
      );
      sent.push(message);
      client.send(message);
    }
  }
  await all;
  assertEquals(received, sent);
  client.close();
  await new Promise((resolve) => client.onclose = resolve);
});

test("over wss: many 64 KiB binary messages sent at once echo byte for byte, compressed or not", async (t) => {
  const pki = await makeTestPki();
  for (const deflate of [false, true]) {
    const server = await serveHTTP((request, info) => {
      const { socket, response } = upgradeWebSocket(request, info, {
        clock: t.reactor,
      });
      socket.binaryType = "arraybuffer";
      socket.onmessage = (event) => socket.send(event.data);
      return response;
    }, {
      listen:
        `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
      reactor: t.reactor,
    });
    const port = (server.addr as Deno.NetAddr).port;
    const client = await connectWebSocket(`wss://localhost:${port}/`, {
      caCerts: [pki.caCert],
      deflate,
      reactor: t.reactor,
    });
    assertEquals(client.extensions !== "", deflate);
    client.binaryType = "arraybuffer";
    // Every message differs from the others, so a buffer reused (or sent
    // twice) while the transport still held it shows as a mismatch.
    const sent: Uint8Array[] = [];
    for (let m = 0; m < 200; m++) {
      const message = new Uint8Array(65_536);
      for (let i = 0; i < message.length; i++) {
        message[i] = (i * 31 + m * 7 + (i >> 8)) & 255;
      }
      sent.push(message);
    }
    const received: Uint8Array[] = [];
    const all = new Promise<void>((resolve) => {
      client.onmessage = (event) => {
        received.push(new Uint8Array(event.data as ArrayBuffer));
        if (received.length === sent.length) resolve();
      };
    });
    for (const message of sent) client.send(message);
    await all;
    assertEquals(received.length, sent.length);
    for (let m = 0; m < sent.length; m++) {
      assert(
        received[m]!.length === sent[m]!.length &&
          received[m]!.every((b, i) => b === sent[m]![i]),
        `message ${m} came back different`,
      );
    }
    client.close();
    await new Promise((resolve) => client.onclose = resolve);
    await server.shutdown();
  }
});
