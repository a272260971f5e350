// An application for `spindle run` (Twisted's .tac file, in TypeScript): an
// HTTP service and a timer, put together as services of one Application.
// The runner starts it, prints where it listens, and on SIGTERM closes the
// listener first and lets requests in flight finish.
//
// Run it:    deno task spindle run examples/app.ts -- --port 8080
//            deno task spindle run examples/app.ts --workers 4 --log-format json -- --port 8080
// Or alone:  deno run -A examples/app.ts --port 8080
// Try it:    curl http://127.0.0.1:8080/  and  curl http://127.0.0.1:8080/stats
import {
  Application,
  runApplication,
  StreamServerEndpointService,
  TimerService,
} from "../app/mod.ts";
import { getLogger } from "../log/mod.ts";
import { HTTPFactory } from "../protocols/http/mod.ts";

const log = getLogger("example.app");

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

const started = Date.now();
let requests = 0;

function handle(request: Request): Response {
  requests++;
  const { pathname } = new URL(request.url);
  if (pathname === "/") return new Response("hello from spindle\n");
  if (pathname === "/stats") {
    return Response.json({
      requests,
      uptimeSeconds: (Date.now() - started) / 1000,
      pid: Deno.pid,
    });
  }
  return new Response("not found\n", { status: 404 });
}

/** The application the runner starts: this module's one required export. */
export const application = new Application("hello");

new StreamServerEndpointService(
  `tcp:${option("port", "8080")}:interface=127.0.0.1`,
  // HTTPFactory can drain: on stop, idle keep-alive connections close at once.
  new HTTPFactory(handle),
  // Under `spindle --workers N` the workers share the port (reusePort) by themselves.
  { name: "web" },
).setServiceParent(application);

new TimerService(
  60_000,
  () => log.info("{requests} requests so far", { requests }),
  {
    name: "stats",
    now: false,
  },
).setServiceParent(application);

if (import.meta.main) Deno.exit(await runApplication(application));
