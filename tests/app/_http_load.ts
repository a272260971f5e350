/**
 * A bounded HTTP load for restart tests and measurements: `total` requests,
 * `concurrency` at a time, each on a new connection (`Connection: close`, so
 * every request goes through accept), counting the ones that fail.
 */

/** What {@linkcode httpLoad} counted. */
export interface LoadResult {
  /** Requests answered 200 in full. */
  ok: number;
  /** Requests that failed, by the error's name or the status line. */
  failures: Map<string, number>;
}

/** Options for {@linkcode httpLoad}. */
export interface LoadOptions {
  /** Requests in all. */
  total: number;
  /** Connections open at once. */
  concurrency: number;
  /** The path requested; default `/`. */
  path?: string;
  /** Called after each request with how many have finished. */
  onProgress?: (done: number) => void;
  /** Starts no more requests once this aborts. */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The status line of the answer, after reading it to the end (a reset
// midway fails the request).
async function requestOnce(port: number, request: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(request);
    const buffer = new Uint8Array(16 * 1024);
    let head = "";
    let n: number | null;
    while ((n = await conn.read(buffer)) !== null) {
      if (head.length < 64) head += decoder.decode(buffer.subarray(0, n));
    }
    const end = head.indexOf("\r\n");
    return end === -1 ? head : head.slice(0, end);
  } finally {
    conn.close();
  }
}

/** Runs the load against `127.0.0.1:port` and counts what came back. */
export async function httpLoad(
  port: number,
  options: LoadOptions,
): Promise<LoadResult> {
  const request = encoder.encode(
    `GET ${
      options.path ?? "/"
    } HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
  );
  const result: LoadResult = { ok: 0, failures: new Map() };
  let started = 0;
  let done = 0;
  const fail = (what: string) =>
    result.failures.set(what, (result.failures.get(what) ?? 0) + 1);
  const lane = async () => {
    while (started < options.total && !options.signal?.aborted) {
      started++;
      try {
        const status = await requestOnce(port, request);
        if (status.startsWith("HTTP/1.1 200")) result.ok++;
        else fail(status === "" ? "empty response" : status);
      } catch (error) {
        fail(error instanceof Error ? error.name : String(error));
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return result;
}
