/**
 * Scale-out behind HAProxy (Debian `haproxy`), with the PROXY protocol v2:
 * three `spindle web --workers 2` backends on `haproxy:tcp:` endpoints, a
 * bounded load of 20,000 requests (one connection each, 16 at a time), one
 * backend killed mid-run and started again; then raw TCP (`spindle echo`)
 * and a WebSocket through HAProxy. HAProxy connects to the backends from
 * 127.0.0.3 (`source`), the clients from 127.0.0.1: so a logged client
 * address of 127.0.0.1 is the real client's, never the proxy's.
 */
import { assert, assertEquals, test } from "../../trial/mod.ts";
import { findPeer, PEERS } from "../_peers.ts";
import { CliProcess, echoOnce } from "./_cli.ts";
import { httpLoad } from "./_http_load.ts";
import "../../protocols/haproxy/mod.ts";
import { serveHTTP } from "../../protocols/http/mod.ts";
import { upgradeWebSocket } from "../../protocols/websocket/mod.ts";

const haproxy = findPeer(PEERS.haproxy);
const TOTAL = 20_000;
const CONCURRENCY = 16;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Connects to `port` until it accepts, for at most 10 s. */
async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nothing listens on ${port} after 10 s`);
}

function backendArgs(port: number, dir: string): string[] {
  return [
    "web",
    "--listen",
    `haproxy:tcp:${port}:interface=127.0.0.1:trusted=127.0.0.0/8`,
    "--path",
    dir,
    "--workers",
    "2",
    "--log-format",
    "json",
  ];
}

/** The access log's client addresses in a backend's JSON log. */
function clients(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((record) => record.namespace === "spindle.web")
    .map((record) => record.fields.client as string);
}

/** Kills a `--workers` backend at once: the supervisor first (so it restarts nothing), then its workers. */
function killHard(backend: CliProcess): void {
  const pids = backend.stderr.split("\n").filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l)).filter((r) => r.fields?.pid !== undefined)
    .map((r) => r.fields.pid as number);
  backend.kill("SIGKILL");
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
}

test(
  "HAProxy with send-proxy-v2 over three spindle web --workers 2: every backend serves, real client addresses are logged, a killed backend costs only its requests in flight and comes back",
  async () => {
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/index.html`, "hello\n");
    const ports = [freePort(), freePort(), freePort()];
    const [front, echoFront, wsFront] = [freePort(), freePort(), freePort()];
    const echoPort = freePort();
    const backends: CliProcess[] = [];
    let echo: CliProcess | undefined;
    let proxy: Deno.ChildProcess | undefined;
    const wsServer = await serveHTTP((request, info) => {
      const { socket, response } = upgradeWebSocket(request, info);
      socket.onmessage = (event) =>
        socket.send(`${event.data} from ${JSON.stringify(info.remoteAddr)}`);
      return response;
    }, { listen: "haproxy:tcp:0:interface=127.0.0.1" });
    const wsPort = (wsServer.addr as Deno.NetAddr).port;
    const config = `${dir}/haproxy.cfg`;
    try {
      for (const port of ports) {
        backends.push(await CliProcess.start(backendArgs(port, dir)));
      }
      echo = await CliProcess.start([
        "echo",
        "--listen",
        `haproxy:tcp:${echoPort}:interface=127.0.0.1`,
        "--workers",
        "2",
      ]);
      await Deno.writeTextFile(
        config,
        `defaults
  mode tcp
  timeout connect 2s
  timeout client 20s
  timeout server 20s
  retries 3
  option redispatch
frontend web
  bind 127.0.0.1:${front}
  default_backend web
frontend echo
  bind 127.0.0.1:${echoFront}
  default_backend echo
frontend ws
  bind 127.0.0.1:${wsFront}
  default_backend ws
backend web
  balance roundrobin
${
          ports.map((port, i) =>
            `  server s${i} 127.0.0.1:${port} source 127.0.0.3 send-proxy-v2 check inter 200ms fall 2 rise 2 check-send-proxy`
          ).join("\n")
        }
backend echo
  server e 127.0.0.1:${echoPort} source 127.0.0.3 send-proxy-v2
backend ws
  server w 127.0.0.1:${wsPort} source 127.0.0.3 send-proxy-v2
`,
      );
      proxy = new Deno.Command(haproxy.path, {
        args: ["-db", "-f", config],
        stdout: "null",
        stderr: "null",
      }).spawn();
      await waitForPort(front);
      let killedAt = -1;
      let killedLog = "";
      let restarted: Promise<void> | undefined;
      const result = await httpLoad(front, {
        total: TOTAL,
        concurrency: CONCURRENCY,
        onProgress(done) {
          if (done === 5_000) {
            killedAt = done;
            killHard(backends[1]!);
          }
          if (done === 10_000) {
            restarted = (async () => {
              killedLog = (await backends[1]!.wait()).stderr;
              backends[1] = await CliProcess.start(backendArgs(ports[1]!, dir));
            })();
          }
        },
      });
      await restarted;
      assert(killedAt === 5_000);
      const failed = [...result.failures.values()].reduce((a, b) => a + b, 0);
      // At most the requests in flight on the killed backend: no more than are in flight at all.
      assert(
        failed <= CONCURRENCY,
        JSON.stringify(Object.fromEntries(result.failures)),
      );
      assertEquals(result.ok + failed, TOTAL);
      // The restarted backend is taken back once its health checks pass.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const after = await httpLoad(front, { total: 30, concurrency: 3 });
      assertEquals(after.ok, 30);
      // Raw TCP through HAProxy to spindle echo.
      await waitForPort(echoFront);
      assertEquals(
        await echoOnce(echoFront, "through the proxy"),
        "through the proxy",
      );
      // A WebSocket through HAProxy: the server sees the client's own address.
      const ws = new WebSocket(`ws://127.0.0.1:${wsFront}/`);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      ws.send("hi");
      const answer = await new Promise<string>((resolve) =>
        ws.onmessage = (event) => resolve(event.data)
      );
      assert(
        answer.startsWith('hi from {"transport":"tcp","hostname":"127.0.0.1"'),
        answer,
      );
      ws.close();
      await new Promise((resolve) => ws.onclose = resolve);
      // Every answered request was logged with the client's own address.
      let logged = clients(killedLog);
      for (const backend of backends.splice(0)) {
        backend.kill("SIGTERM");
        const served = clients((await backend.wait()).stderr);
        assert(served.length > 0, "a backend served nothing");
        logged = logged.concat(served);
      }
      assert(
        logged.every((client) => client.startsWith("127.0.0.1:")),
        logged.find((client) => !client.startsWith("127.0.0.1:")),
      );
      assert(logged.length >= result.ok + after.ok, `${logged.length} logged`);
    } finally {
      proxy?.kill();
      await proxy?.status;
      for (const backend of [...backends, ...(echo ? [echo] : [])]) {
        backend.kill("SIGTERM");
        await backend.wait();
      }
      await wsServer.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
  { ignore: haproxy.ignore, timeout: 120_000 },
);
