/**
 * A raw HTTP/2 client for tests: writes any frames, good or bad, over TCP,
 * and reads the server's frames back one by one.
 *
 * @module
 */
import {
  CONNECTION_PREFACE,
  encodeFrame,
  encodeSettings,
  ErrorCode,
  Flag,
  type Frame,
  FrameDecoderCore,
  FrameType,
  HPACKDecoder,
  HPACKEncoder,
  readUint32,
} from "../../../protocols/http2/mod.ts";
import {
  type HTTPServer,
  type ServeHandler,
  serveHTTP,
  type ServeHTTPOptions,
} from "../../../protocols/http/mod.ts";
import { assertEquals } from "../../../trial/mod.ts";

/** What a connection ended with. */
export interface Ending {
  /** The GOAWAY's error code, or null when the connection closed without one. */
  goAway: number | null;
  /** RST_STREAM codes received before the end, by stream. */
  resets: Map<number, number>;
}

/** A raw client connection. */
export class RawClient {
  readonly conn: Deno.TcpConn;
  readonly encoder = new HPACKEncoder();
  readonly decoder = new HPACKDecoder({ maxHeaderListSize: 1 << 20 });
  #frames = new FrameDecoderCore({ maxFrameSize: 1 << 24 });
  #pending: Frame[] = [];

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  /** Connects to `port` and sends the preface and `settings`. */
  static async open(
    port: number,
    settings: Array<[number, number]> = [],
  ): Promise<RawClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const client = new RawClient(conn);
    await client.send(CONNECTION_PREFACE, encodeSettings(settings));
    return client;
  }

  /** Writes bytes (frames) as one write; a server that closed is not an error. */
  async send(...parts: Uint8Array[]): Promise<void> {
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.byteLength;
    }
    try {
      for (let done = 0; done < bytes.byteLength;) {
        done += await this.conn.write(bytes.subarray(done));
      }
    } catch {
      // The server may have closed first: reading shows why.
    }
  }

  /** A HEADERS frame for `fields` (HPACK-encoded by this client). */
  headers(
    id: number,
    fields: string[],
    flags = Flag.END_HEADERS | Flag.END_STREAM,
  ): Uint8Array {
    return encodeFrame(
      FrameType.HEADERS,
      flags,
      id,
      this.encoder.encode(fields),
    );
  }

  /** A GET for `path` on stream `id`. */
  get(id: number, path = "/"): Uint8Array {
    return this.headers(id, [
      ":method",
      "GET",
      ":scheme",
      "http",
      ":path",
      path,
      ":authority",
      "localhost",
    ]);
  }

  /** The next frame from the server, or null once it closed. */
  async next(): Promise<Frame | null> {
    while (this.#pending.length === 0) {
      const buffer = new Uint8Array(65536);
      let n: number | null;
      try {
        n = await this.conn.read(buffer);
      } catch {
        n = null;
      }
      if (n === null) return null;
      this.#frames.decode(buffer.subarray(0, n), this.#pending);
    }
    return this.#pending.shift()!;
  }

  /** Reads until the server closes: its GOAWAY code and the streams it reset. */
  async ending(): Promise<Ending> {
    const resets = new Map<number, number>();
    let goAway: number | null = null;
    while (true) {
      const frame = await this.next();
      if (frame === null) return { goAway, resets };
      if (frame.type === FrameType.GOAWAY) {
        goAway = readUint32(frame.payload, 4);
      }
      if (frame.type === FrameType.RST_STREAM) {
        resets.set(frame.streamId, readUint32(frame.payload, 0));
      }
    }
  }

  /** Reads until a frame that `match` accepts, decoding header blocks on the way. */
  async until(match: (frame: Frame) => boolean): Promise<Frame | null> {
    while (true) {
      const frame = await this.next();
      if (frame === null) return null;
      if (frame.type === FrameType.HEADERS) {
        (frame as Frame & { fields?: string[] }).fields = this.decoder.decode(
          frame.payload,
        );
      }
      if (match(frame)) return frame;
    }
  }

  /** A GET on stream `id`: the status and body text. */
  async fetch(
    id: number,
    path = "/",
  ): Promise<{ status: string; body: string }> {
    await this.send(this.get(id, path));
    let status = "";
    let body = "";
    while (true) {
      const frame = await this.until((f) => f.streamId === id);
      if (frame === null) {
        throw new Error(`the server closed before stream ${id} ended`);
      }
      if (frame.type === FrameType.HEADERS) {
        const fields = (frame as Frame & { fields: string[] }).fields;
        if (fields[0] === ":status") status = fields[1]!;
      }
      if (frame.type === FrameType.DATA) {
        body += new TextDecoder().decode(frame.payload);
      }
      if (frame.type === FrameType.RST_STREAM) {
        throw new Error(`stream ${id} was reset`);
      }
      if (frame.flags & Flag.END_STREAM) return { status, body };
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Closed already.
    }
  }
}

/** Starts serveHTTP on a free loopback port. */
export async function server(
  handler: ServeHandler,
  options: ServeHTTPOptions = {},
): Promise<{ server: HTTPServer; port: number }> {
  const running = await serveHTTP(handler, {
    listen: "tcp:0:interface=127.0.0.1",
    ...options,
  });
  return { server: running, port: (running.addr as Deno.NetAddr).port };
}

/** Checks that a fresh connection to `port` is served. */
export async function assertServes(port: number): Promise<void> {
  const client = await RawClient.open(port);
  try {
    const { status } = await client.fetch(1);
    assertEquals(status, "200");
  } finally {
    client.close();
  }
}

export { ErrorCode };
