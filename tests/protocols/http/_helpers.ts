/**
 * Test helpers: drive a server over an in-memory connection pair with raw bytes.
 *
 * @module
 */
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Connection } from "../../../reactor/interfaces.ts";
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
