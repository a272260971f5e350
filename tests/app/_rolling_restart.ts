// A rolling restart under load, run as a program (inside a network namespace
// of its own by cli_workers_test.ts): `spindle web --workers 2` on loopback,
// a load of one connection per request, SIGUSR2 once 500 requests are done,
// and 1,000 more after the restart is done (30,000 at most). It prints one
// line of JSON: the failed requests by kind, how many rolling restarts were
// done, how many worker processes were started, and the exit status.
import { CliProcess, LOOPBACK } from "./_cli.ts";
import { httpLoad } from "./_http_load.ts";

const dir = await Deno.makeTempDir();
try {
  await Deno.writeTextFile(`${dir}/index.html`, "hello\n");
  await using server = await CliProcess.start([
    "web",
    "--listen",
    LOOPBACK,
    "--path",
    dir,
    "--workers",
    "2",
    "--log-format",
    "json",
  ]);
  const enough = new AbortController();
  let restartedAt: number | undefined;
  const result = await httpLoad(server.port, {
    total: 30_000,
    concurrency: 16,
    signal: enough.signal,
    onProgress: (done) => {
      if (done === 500) server.kill("SIGUSR2");
      // Checked now and then: stderr holds a line per request.
      if (
        restartedAt === undefined && done % 250 === 0 &&
        server.stderr.includes('"rolling restart done"')
      ) {
        restartedAt = done;
      }
      if (restartedAt !== undefined && done >= restartedAt + 1_000) {
        enough.abort();
      }
    },
  });
  server.kill("SIGTERM");
  const { code, stderr } = await server.wait();
  const formats = stderr.trimEnd().split("\n").map((l) => JSON.parse(l).format);
  const count = (format: string) => formats.filter((f) => f === format).length;
  console.log(JSON.stringify({
    requests: result.ok +
      [...result.failures.values()].reduce((a, b) => a + b, 0),
    failures: Object.fromEntries(result.failures),
    restarts: count("rolling restart done"),
    started: count("worker {id} started (pid {pid})"),
    code,
  }));
} finally {
  await Deno.remove(dir, { recursive: true });
}
