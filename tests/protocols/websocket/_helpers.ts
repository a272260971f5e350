/** Shared pieces of the WebSocket tests: servers on real TCP and a raw client that speaks frames by hand. */
import type { TestContext } from "../../../trial/mod.ts";
import { type HTTPServer, serveHTTP } from "../../../protocols/http/mod.ts";
import {
  encodeFrame,
  type Frame,
  FrameDecoderCore,
  upgradeWebSocket,
  type UpgradeWebSocketOptions,
} from "../../../protocols/websocket/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An echo server (types kept) on a free loopback port of `t.reactor`. */
export async function echoServer(
  t: TestContext,
  options: UpgradeWebSocketOptions = {},
): Promise<{ server: HTTPServer; url: string; port: number }> {
  const server = await serveHTTP((request, info) => {
    const { socket, response } = upgradeWebSocket(request, info, {
      clock: t.reactor,
      ...options,
    });
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => socket.send(event.data);
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1", reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  const port = (server.addr as Deno.NetAddr).port;
  return { server, url: `ws://127.0.0.1:${port}/`, port };
}

/** A client that writes the handshake and frames itself, and reads frames back. */
export class RawClient {
  readonly conn: Deno.Conn;
  #decoder: FrameDecoderCore;
  #frames: Frame[] = [];
  #buffer = new Uint8Array(65536);
  head = "";

  constructor(conn: Deno.Conn, options: { deflate?: boolean } = {}) {
    this.conn = conn;
    this.#decoder = new FrameDecoderCore({ role: "client", ...options });
  }

  /** Connects and sends `headers` as an upgrade request; reads the answer's head. */
  static async open(
    port: number,
    headers: Record<string, string> = {},
  ): Promise<RawClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    // Offering an extension: the server's frames may have RSV1 set.
    const client = new RawClient(conn, {
      deflate: "sec-websocket-extensions" in headers,
    });
    const all: Record<string, string> = {
      host: `127.0.0.1:${port}`,
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
      ...headers,
    };
    let text = "GET / HTTP/1.1\r\n";
    for (const [name, value] of Object.entries(all)) {
      if (value !== "") text += `${name}: ${value}\r\n`;
    }
    await conn.write(encoder.encode(text + "\r\n"));
    await client.#readHead();
    return client;
  }

  get status(): number {
    return Number(this.head.split(" ")[1]);
  }

  async #readHead(): Promise<void> {
    let bytes = new Uint8Array(0);
    let end = -1;
    while (end === -1) {
      const n = await this.conn.read(this.#buffer);
      if (n === null) break;
      bytes = new Uint8Array([...bytes, ...this.#buffer.subarray(0, n)]);
      end = decoder.decode(bytes).indexOf("\r\n\r\n");
      if (end !== -1) {
        // The head is ASCII, so its characters and bytes line up.
        end = bytes.findIndex((_, i) =>
          bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 &&
          bytes[i + 3] === 10
        );
      }
    }
    this.head = decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
    if (end !== -1 && end + 4 < bytes.length) {
      this.#decoder.decode(bytes.slice(end + 4), this.#frames);
    }
  }

  /** Writes raw bytes. */
  async send(bytes: Uint8Array): Promise<void> {
    // Deno.Conn.write may write only part of a large buffer.
    for (let at = 0; at < bytes.length;) {
      at += await this.conn.write(bytes.subarray(at));
    }
  }

  /** Writes one frame, masked unless `mask: false`. */
  async frame(
    opcode: number,
    payload: Uint8Array | string,
    options: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {},
  ): Promise<void> {
    const bytes = typeof payload === "string"
      ? encoder.encode(payload)
      : payload;
    await this.send(encodeFrame(opcode, bytes, { mask: true, ...options }));
  }

  /** The next frame from the server, or `null` once it closed. */
  async next(): Promise<Frame | null> {
    while (this.#frames.length === 0) {
      let n: number | null;
      try {
        n = await this.conn.read(this.#buffer);
      } catch {
        n = null;
      }
      if (n === null) return null;
      this.#decoder.decode(this.#buffer.slice(0, n), this.#frames);
    }
    return this.#frames.shift()!;
  }

  /** Reads until the server closes: the Close frame's code (or null) and whether TCP ended. */
  async closeCode(): Promise<number | null> {
    let code: number | null = null;
    for (let frame; (frame = await this.next()) !== null;) {
      if (frame.opcode === 8) {
        code = frame.payload.length >= 2
          ? (frame.payload[0]! << 8) | frame.payload[1]!
          : 1005;
      }
    }
    return code;
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Closed already.
    }
  }
}

/** A close frame payload: the code and the reason. */
export function closePayload(code: number, reason = ""): Uint8Array {
  const text = encoder.encode(reason);
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return payload;
}
