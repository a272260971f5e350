// `spindle echo`, the plugin in-process.
import { plugin } from "../../../protocols/wire/plugin.ts";
import type { StreamServerEndpointService } from "../../../app/endpoint_service.ts";
import { assertEquals, test } from "../../../trial/mod.ts";

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
