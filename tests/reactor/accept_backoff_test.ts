// A listener out of file descriptors, over real sockets: the server runs in a
// subprocess with a small descriptor limit and the test opens more
// connections than it can accept.
import { assert, assertEquals, assertMatch } from "../../trial/assertions.ts";
import { decoder } from "./_helpers.ts";

const SERVER = new URL("./_accept_server.ts", import.meta.url).pathname;
/** The server's descriptor limit, and more clients than it can hold. */
const DESCRIPTORS = 64;
const CLIENTS = 150;

/** Reads `stream` up to its first line. */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (text.includes("\n")) break;
  }
  return text.split("\n")[0]!;
}

/** Reads what `conn` sends first, or null when nothing comes within `bound` ms. */
async function greeting(
  conn: Deno.Conn,
  bound: number,
): Promise<string | null> {
  const buffer = new Uint8Array(16);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const n = await Promise.race([
    conn.read(buffer),
    new Promise<null>((resolve) =>
      timer = setTimeout(() => resolve(null), bound)
    ),
  ]);
  clearTimeout(timer);
  return n === null ? null : decoder.decode(buffer.subarray(0, n));
}

Deno.test({
  name:
    "a listener out of file descriptors backs off, logs a few lines with counts and no stack, and serves again once descriptors are free",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const server = new Deno.Command("bash", {
      args: [
        "-c",
        `ulimit -n ${DESCRIPTORS} && exec "$0" run --allow-net "$1"`,
        Deno.execPath(),
        SERVER,
      ],
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const log = new Response(server.stderr).text();
    const port = Number(await firstLine(server.stdout));
    const clients: Deno.Conn[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    }
    // The clients the server could not accept wait in its backlog for a while.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const client of clients) client.close();
    // A server that died (as Deno does when it formats a stack trace with no
    // descriptor left) refuses this connection.
    const late = await Deno.connect({ hostname: "127.0.0.1", port }).catch(
      () => null,
    );
    const served = late === null ? null : await greeting(late, 10_000);
    late?.close();
    try {
      server.kill("SIGTERM");
    } catch {
      // It has died already.
    }
    await server.status;
    const lines = (await log).split("\n").filter((line) => line !== "");
    assertEquals(
      served,
      "hello\n",
      `the server no longer serves:\n${await log}`,
    );
    const failures = lines.filter((line) =>
      /Accepting on .* failed/.test(line)
    );
    assert(failures.length >= 1, `no accept failure logged:\n${await log}`);
    assert(
      failures.length <= 5,
      `${failures.length} failure lines:\n${await log}`,
    );
    for (const line of failures) {
      assertMatch(line, /failed \(Too many open files.*\): \d+ failures/);
    }
    assertEquals(lines.filter((line) => /^\s+at /.test(line)), []);
  },
});
