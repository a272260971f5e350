/**
 * WebSockets over HTTP/2 (RFC 8441's extended CONNECT): the server
 * advertises SETTINGS_ENABLE_CONNECT_PROTOCOL, and a handler's unchanged
 * `upgradeWebSocket` serves a `:protocol websocket` stream, answered 200.
 * The peer is node's `node:http2` client, which speaks extended CONNECT and
 * carries WebSocket frames written by hand.
 */
import { assertEquals, test } from "../../../trial/mod.ts";
import { type ServeHandler, serveHTTP } from "../../../protocols/http/mod.ts";
import { upgradeWebSocket } from "../../../protocols/websocket/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { ErrorCode, RawClient, server } from "./_raw.ts";
import {
  encodeFrame,
  Flag,
  FrameType,
  readUint32,
} from "../../../protocols/http2/mod.ts";

const node = findPeer(PEERS.node);

const seen: Array<
  { method: string; upgrade: string | null; protocol?: string }
> = [];

const echo: ServeHandler = (request, info) => {
  if (info.protocol !== undefined) {
    seen.push({
      method: request.method,
      upgrade: request.headers.get("upgrade"),
      protocol: info.protocol,
    });
  }
  if (request.headers.get("upgrade") !== "websocket") {
    return new Response("plain\n");
  }
  if (new URL(request.url).pathname === "/raw") {
    const { response, connection } = info.upgrade();
    connection.then((conn) => conn.readable.pipeTo(conn.writable));
    return response;
  }
  if (new URL(request.url).pathname === "/refuse") {
    return new Response("no WebSocket here\n", { status: 403 });
  }
  const { socket, response } = upgradeWebSocket(request, info);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event) => socket.send(event.data);
  return response;
};

// A client stream: CONNECT :protocol websocket, one masked text frame and one
// masked 100 000-byte binary frame (more than a stream's initial window),
// then a close frame; prints the status, what came back, and how it ended.
const NODE_CLIENT = `
const http2 = require("node:http2");
const url = new URL(process.argv[1]);
const session = http2.connect(url);
function frame(opcode, payload) {
  const mask = Buffer.from([1, 2, 3, 4]);
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n])
    : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), Buffer.alloc(8)]);
  if (n >= 126) head.writeUInt32BE(n, 6);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([head, mask, body]);
}
session.on("remoteSettings", (settings) => {
  const stream = session.request({
    ":method": "CONNECT", ":protocol": "websocket", ":scheme": "http",
    ":path": url.pathname, ":authority": url.host, "sec-websocket-version": "13",
  });
  let status = 0;
  const got = [];
  stream.on("response", (headers) => {
    status = headers[":status"];
    const big = Buffer.alloc(100000, 7);
    stream.write(frame(1, Buffer.from("hello")));
    stream.write(frame(2, big));
    stream.write(frame(8, Buffer.from([0x03, 0xe8])));
  });
  stream.on("data", (d) => got.push(d));
  stream.on("close", () => {
    const all = Buffer.concat(got);
    console.log(JSON.stringify({
      enableConnectProtocol: settings.enableConnectProtocol,
      status,
      length: all.length,
      text: all.subarray(2, 7).toString(),
      binaryHead: [...all.subarray(7, 17)],
      sevens: all.subarray(17, 100017).every((b) => b === 7),
      close: [...all.subarray(100017)],
    }));
    session.close();
  });
});
`;

/** Runs a node client `script` against `path` on `srv`; what it printed, parsed. */
async function runNodeClient(
  script: string,
  srv: { addr: unknown },
  path: string,
): Promise<unknown> {
  const port = (srv.addr as Deno.NetAddr).port;
  const { code, stdout, stderr } = await new Deno.Command(node.path, {
    args: ["-e", script, `http://127.0.0.1:${port}${path}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const td = new TextDecoder();
  assertEquals(code, 0, td.decode(stderr));
  return JSON.parse(td.decode(stdout));
}

test(
  "HTTP/2 WebSocket: node:http2's extended CONNECT gets 200 and its frames echoed by upgradeWebSocket",
  async () => {
    seen.length = 0;
    const srv = await serveHTTP(echo, { listen: "tcp:0:interface=127.0.0.1" });
    try {
      assertEquals(await runNodeClient(NODE_CLIENT, srv, "/echo"), {
        enableConnectProtocol: true,
        status: 200,
        // "hello" (2+5), the binary (2+8+100000), the close (2+2).
        length: 7 + 100010 + 4,
        text: "hello",
        binaryHead: [0x82, 127, 0, 0, 0, 0, 0, 1, 0x86, 0xa0],
        sevens: true,
        close: [0x88, 2, 0x03, 0xe8],
      });
      assertEquals(seen, [{
        method: "GET",
        upgrade: "websocket",
        protocol: "websocket",
      }]);
    } finally {
      await srv.shutdown();
    }
  },
  { ignore: node.ignore },
);

/** Opens stream `id` as an extended CONNECT to `path`: the status answered. */
async function extendedConnect(
  client: RawClient,
  id: number,
  path: string,
): Promise<string | undefined> {
  await client.send(client.headers(id, [
    ":method",
    "CONNECT",
    ":protocol",
    "websocket",
    ":scheme",
    "http",
    ":path",
    path,
    ":authority",
    "localhost",
  ], Flag.END_HEADERS));
  const head = await client.until((f) =>
    f.streamId === id && f.type === FrameType.HEADERS
  ) as unknown as { fields: string[] } | null;
  return head?.fields[1];
}

test(
  "HTTP/2 WebSocket: an extended CONNECT the handler refuses gets its response and the connection goes on",
  async () => {
    const { server: srv, port } = await server(echo);
    const client = await RawClient.open(port);
    try {
      assertEquals(await extendedConnect(client, 1, "/refuse"), "403");
      assertEquals((await client.fetch(3)).status, "200");
    } finally {
      client.close();
      await srv.shutdown();
    }
  },
);

test(
  "HTTP/2 WebSocket: :protocol on a method other than CONNECT is a malformed request",
  async () => {
    const { server: srv, port } = await server(echo);
    const client = await RawClient.open(port);
    try {
      await client.send(client.headers(1, [
        ":method",
        "GET",
        ":protocol",
        "websocket",
        ":scheme",
        "http",
        ":path",
        "/",
        ":authority",
        "localhost",
      ]));
      const reset = await client.until((f) => f.type === FrameType.RST_STREAM);
      assertEquals(reset?.streamId, 1);
      assertEquals(readUint32(reset!.payload, 0), ErrorCode.PROTOCOL_ERROR);
    } finally {
      client.close();
      await srv.shutdown();
    }
  },
);

// A client stream: CONNECT :protocol websocket to /raw, 2 MB of varied bytes
// in 2000 writes, then END_STREAM; prints whether the same bytes came back.
const NODE_RAW_CLIENT = `
const http2 = require("node:http2");
const url = new URL(process.argv[1]);
const session = http2.connect(url);
const sent = Buffer.alloc(2000 * 1000);
for (let i = 0; i < sent.length; i++) sent[i] = (i * 7 + (i >> 10)) & 255;
session.on("remoteSettings", () => {
  const stream = session.request({
    ":method": "CONNECT", ":protocol": "websocket", ":scheme": "http",
    ":path": url.pathname, ":authority": url.host,
  });
  const got = [];
  stream.on("response", () => {
    for (let at = 0; at < sent.length; at += 1000) {
      stream.write(sent.subarray(at, at + 1000));
    }
    stream.end();
  });
  stream.on("data", (d) => got.push(d));
  stream.on("close", () => {
    const all = Buffer.concat(got);
    console.log(JSON.stringify({ length: all.length, same: all.equals(sent) }));
    session.close();
  });
});
`;

test(
  "HTTP/2 tunnel: a stream handed over by an extended CONNECT echoes bytes with pipeTo unchanged",
  async () => {
    const srv = await serveHTTP(echo, { listen: "tcp:0:interface=127.0.0.1" });
    try {
      assertEquals(await runNodeClient(NODE_RAW_CLIENT, srv, "/raw"), {
        length: 2000 * 1000,
        same: true,
      });
    } finally {
      await srv.shutdown();
    }
  },
  { ignore: node.ignore },
);

test(
  "HTTP/2 WebSocket: a graceful shutdown closes an open WebSocket with 1001, and the server finishes once the client answers",
  async () => {
    const serverClosed = Promise.withResolvers<CloseEvent>();
    const { server: srv, port } = await server((request, info) => {
      const { socket, response } = upgradeWebSocket(request, info);
      socket.onclose = serverClosed.resolve;
      return response;
    });
    const client = await RawClient.open(port);
    try {
      assertEquals(await extendedConnect(client, 1, "/"), "200");
      const shutdown = srv.shutdown();
      const data = await client.until((f) =>
        f.streamId === 1 && f.type === FrameType.DATA
      );
      // An unmasked Close frame from the server with 1001 (going away).
      assertEquals(data!.payload[0], 0x88);
      assertEquals(data!.payload[1]! & 0x80, 0);
      assertEquals((data!.payload[2]! << 8) | data!.payload[3]!, 1001);
      // The client answers with a masked Close (a zero mask) and ends its side.
      const close = new Uint8Array([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe9]);
      await client.send(
        encodeFrame(FrameType.DATA, Flag.END_STREAM, 1, close),
      );
      assertEquals((await serverClosed.promise).code, 1001);
      await shutdown;
      await srv.finished;
    } finally {
      client.close();
      await srv.shutdown();
    }
  },
);
