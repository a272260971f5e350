/**
 * Test helpers: drive a server over an in-memory connection pair with raw bytes.
 *
 * @module
 */
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Address, Connection } from "../../../reactor/interfaces.ts";
import {
  serveConnection,
  type ServeHandler,
  type ServeOptions,
} from "../../../protocols/http/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A server on one end of a pair and the raw client end. */
export interface RawSession {
  client: Connection;
  served: Promise<void>;
  send(text: string | Uint8Array): Promise<void>;
  /** Reads until the server closes; returns everything as text. */
  readAll(): Promise<string>;
  /** Reads until `text` has arrived (or the connection ends). */
  readUntil(text: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts `handler` on an in-memory connection. */
export function rawSession(
  handler: ServeHandler,
  options: ServeOptions = {},
): RawSession {
  const [client, server] = connectedPair();
  const served = serveConnection(server, handler, options);
  let buffered = "";
  return {
    client,
    served,
    send: (text) =>
      client.write(typeof text === "string" ? encoder.encode(text) : text),
    async readAll() {
      while (true) {
        const chunk = await client.read();
        if (chunk === null) break;
        buffered += decoder.decode(chunk);
      }
      const out = buffered;
      buffered = "";
      return out;
    },
    async readUntil(text) {
      while (!buffered.includes(text)) {
        const chunk = await client.read();
        if (chunk === null) break;
        buffered += decoder.decode(chunk);
      }
      const at = buffered.indexOf(text);
      const end = at < 0 ? buffered.length : at + text.length;
      const out = buffered.slice(0, end);
      buffered = buffered.slice(end);
      return out;
    },
    async close() {
      await client.close().catch(() => {});
      await served;
    },
  };
}

/** Sends `request` raw, half-closes, and returns the whole answer. */
export async function roundTrip(
  handler: ServeHandler,
  request: string | Uint8Array,
  options: ServeOptions = {},
): Promise<string> {
  const session = rawSession(handler, options);
  await session.send(request);
  await session.client.closeWrite();
  const answer = await session.readAll();
  await session.close();
  return answer;
}

/** The status codes of every response in `raw`, in order. */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

/** A handler that echoes method, path and body. */
export const echo: ServeHandler = async (request) => {
  const body = request.body ? await request.text() : "";
  return new Response(
    `${request.method} ${new URL(request.url).pathname} ${body}`,
  );
};

/** A raw TCP client of a server listening on loopback. */
export interface TCPClient extends AsyncDisposable {
  conn: Deno.TcpConn;
  send(text: string): Promise<void>;
  /** Reads until the server closes (or resets); returns everything as text. */
  readAll(): Promise<string>;
  /** Closes the client's socket (once; disposing does it too). */
  close(): void;
}

/** Connects a raw TCP client to `addr` (a server's loopback address). */
export async function tcpClient(addr: Address): Promise<TCPClient> {
  const { hostname, port } = addr as Deno.NetAddr;
  const conn = await Deno.connect({ hostname, port });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    conn.close();
  };
  return {
    conn,
    send: async (text) => {
      await conn.write(encoder.encode(text));
    },
    async readAll() {
      const buf = new Uint8Array(65536);
      let out = "";
      try {
        while (true) {
          const n = await conn.read(buf);
          if (n === null) break;
          out += decoder.decode(buf.subarray(0, n));
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
      }
      return out;
    },
    close,
    [Symbol.asyncDispose]: () => Promise.resolve(close()),
  };
}
