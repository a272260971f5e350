// `spindle web`, the plugin in-process: its options, validated, reach the
// HTTP server.
import { plugin } from "../../../protocols/http/plugin.ts";
import { UsageError } from "../../../app/options.ts";
import { captureLogs } from "../../../log/mod.ts";
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

/** Starts `spindle web` in-process with `options` and runs `body` against its address. */
async function withWeb(
  options: Record<string, string | number>,
  body: (addr: Deno.NetAddr) => Promise<void>,
): Promise<void> {
  const validated = await plugin.validate({
    options: { listen: LISTEN, path: ".", ...options },
    args: [],
  });
  const service = await plugin.makeService(validated, {
    reusePort: false,
  }) as StreamServerEndpointService;
  await service.startService();
  try {
    await body(service.port!.getHost() as Deno.NetAddr);
  } finally {
    await service.stopService();
  }
}

test("web --max-body-size refuses a longer request body with 413", async () => {
  await withWeb({ "max-body-size": 10 }, async ({ port }) => {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      body: "eleven byte",
    });
    assertEquals(response.status, 413);
    await response.body?.cancel();
  });
});

test("web --max-body-size must be a whole number of bytes", async () => {
  for (const value of [-1, 1.5]) {
    await assertRejects(
      async () =>
        await plugin.validate({
          options: { listen: LISTEN, path: ".", "max-body-size": value },
          args: [],
        }),
      UsageError,
      "--max-body-size",
    );
  }
});

test("web's access log cuts a 10 KiB request path to 1 KiB", async () => {
  using logs = captureLogs({ namespace: "spindle.web" });
  const path = `/${"q".repeat(10 * 1024)}`;
  await withWeb({}, async ({ port }) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    assertEquals(response.status, 404);
    await response.body?.cancel();
  });
  const logged = String(logs.records[0]?.fields.path);
  assert(logged.startsWith(path.slice(0, 1024)), logged.slice(0, 80));
  assert(logged.length < 1100, `${logged.length} characters logged`);
  assert(logged.endsWith("more bytes cut]"), logged.slice(-80));
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
