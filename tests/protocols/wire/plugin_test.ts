// `spindle echo`, the plugin in-process.
import { inetdPlugin, plugin } from "../../../protocols/wire/plugin.ts";
import { UsageError } from "../../../app/options.ts";
import type { StreamServerEndpointService } from "../../../app/endpoint_service.ts";
import { assertEquals, assertRejects, test } from "../../../trial/mod.ts";

test("echo's service echoes on the endpoint it was given", async () => {
  const options = await plugin.validate({
    options: { listen: "tcp:0:interface=127.0.0.1" },
    args: [],
  });
  const service = await plugin.makeService(options, {
    reusePort: false,
  }) as StreamServerEndpointService;
  await service.startService();
  try {
    const { port } = service.port!.getHost() as Deno.NetAddr;
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("ping"));
    await conn.closeWrite();
    assertEquals(await new Response(conn.readable).text(), "ping");
  } finally {
    await service.stopService();
  }
});

test("inetd --listen-base lays the six services out on consecutive TCP and UDP ports", async () => {
  const { bindings } = await inetdPlugin.validate({
    options: { "listen-base": 7000, interface: "127.0.0.1" },
    args: [],
  });
  assertEquals(
    bindings.filter(({ endpoint }) => endpoint.startsWith("udp:")),
    ["echo", "discard", "chargen", "daytime", "time", "qotd"].map((
      service,
      i,
    ) => ({ service, endpoint: `udp:${7000 + i}:interface=127.0.0.1` })),
  );
  assertEquals(bindings.length, 12);
});

test("inetd refuses to start with nothing to serve", async () => {
  await assertRejects(
    async () => await inetdPlugin.validate({ options: {}, args: [] }),
    UsageError,
    "serves nothing",
  );
});

test("inetd --quotes reads fortune-style quotes and refuses an overlong one", async (t) => {
  const dir = await Deno.makeTempDir();
  t.addCleanup(() => Deno.remove(dir, { recursive: true }));
  await Deno.writeTextFile(`${dir}/ok`, "First.\n%\nSecond,\ntwo lines.\n%\n");
  const { quotes } = await inetdPlugin.validate({
    options: { qotd: ["tcp:0"], quotes: `${dir}/ok` },
    args: [],
  });
  assertEquals(quotes, ["First.\r\n", "Second,\r\ntwo lines.\r\n"]);
  await Deno.writeTextFile(`${dir}/long`, "x".repeat(600));
  await assertRejects(
    async () =>
      await inetdPlugin.validate({
        options: { qotd: ["tcp:0"], quotes: `${dir}/long` },
        args: [],
      }),
    UsageError,
    "512",
  );
});
