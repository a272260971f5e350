// `spindle web`, the plugin in-process: its options, validated, reach the
// HTTP server.
import { plugin } from "../../../protocols/http/plugin.ts";
import { UsageError } from "../../../app/options.ts";
import type { StreamServerEndpointService } from "../../../app/endpoint_service.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  test,
} from "../../../trial/mod.ts";

const LISTEN = "tcp:0:interface=127.0.0.1";

test("web --headers-timeout answers a slow request head with 408", async () => {
  const options = await plugin.validate({
    options: { listen: LISTEN, path: ".", "headers-timeout": 0.2 },
    args: [],
  });
  const service = await plugin.makeService(options, {
    reusePort: false,
  }) as StreamServerEndpointService;
  await service.startService();
  try {
    const addr = service.port!.getHost() as Deno.NetAddr;
    const conn = await Deno.connect({
      hostname: addr.hostname,
      port: addr.port,
    });
    try {
      await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\n"));
      const started = performance.now();
      const answer = await new Response(conn.readable).text();
      assertMatch(answer, /^HTTP\/1\.1 408 /);
      assert(performance.now() - started < 5000);
    } finally {
      try {
        conn.close();
      } catch { /* already closed by reading to the end */ }
    }
  } finally {
    await service.stopService();
  }
});

test("web timeouts given in seconds become the server's milliseconds", async () => {
  const options = await plugin.validate({
    options: { listen: LISTEN, path: ".", "body-timeout": 2.5 },
    args: [],
  });
  assertEquals(options.server.bodyTimeout, 2500);
});

test("web timeouts must be a number of seconds above 0", async () => {
  await assertRejects(
    async () =>
      await plugin.validate({
        options: { listen: LISTEN, path: ".", "body-timeout": 0 },
        args: [],
      }),
    UsageError,
    "--body-timeout",
  );
});

test("web with a --path that does not exist is a usage error", async () => {
  await assertRejects(
    async () =>
      await plugin.validate({
        options: { listen: LISTEN, path: "/nonexistent/dir" },
        args: [],
      }),
    UsageError,
    "--path /nonexistent/dir does not exist",
  );
});
