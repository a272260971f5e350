// `spindle inetd` in-process against real clients: OpenBSD nc (TCP and UDP)
// and rdate (the Time protocol, TCP and UDP).
import { inetdPlugin } from "../../../protocols/wire/plugin.ts";
import type { MultiService } from "../../../app/multi_service.ts";
import type { ListeningService } from "../../../app/listening_service.ts";
import { CHARGEN_CYCLE } from "../../../protocols/wire/mod.ts";
import {
  assertEquals,
  assertMatch,
  test,
  type TestContext,
} from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { run } from "../dns/_interop.ts";

const nc = findPeer(PEERS.nc);
const rdate = findPeer(PEERS.rdate);

/** Runs `spindle inetd` with every service on a port-0 TCP and UDP endpoint. */
async function withInetd(
  fn: (
    port: (name: string, transport: "tcp" | "udp") => number,
  ) => Promise<void>,
): Promise<void> {
  const names = ["echo", "discard", "chargen", "daytime", "time", "qotd"];
  const options = Object.fromEntries(
    names.map((
      name,
    ) => [name, ["tcp:0:interface=127.0.0.1", "udp:0:interface=127.0.0.1"]]),
  );
  const validated = await inetdPlugin.validate({ options, args: [] });
  const service = await inetdPlugin.makeService(validated, {
    reusePort: false,
  }) as MultiService;
  await service.startService();
  try {
    const ports = new Map<string, number>();
    for (const child of service) {
      const [addr] = (child as unknown as ListeningService)
        .listeningAddresses() as Deno.NetAddr[];
      ports.set(`${child.name!.split(" ")[0]} ${addr!.transport}`, addr!.port);
    }
    await fn((name, transport) => ports.get(`${name} ${transport}`)!);
  } finally {
    await service.stopService();
  }
}

function sh(script: string): Promise<string> {
  return run("/bin/sh", ["-c", script]);
}

test(
  "nc: echo, discard, daytime and qotd over TCP",
  async (_t: TestContext) => {
    await withInetd(async (port) => {
      assertEquals(
        await sh(
          `printf hello | ${nc.path} -N 127.0.0.1 ${port("echo", "tcp")}`,
        ),
        "hello",
      );
      assertEquals(
        await sh(
          `printf gone | ${nc.path} -N 127.0.0.1 ${port("discard", "tcp")}`,
        ),
        "",
      );
      assertMatch(
        await sh(`${nc.path} -d 127.0.0.1 ${port("daytime", "tcp")}`),
        new RegExp(
          `^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${
            new Date().getUTCFullYear()
          }\\r\\n$`,
        ),
      );
      assertEquals(
        await sh(`${nc.path} -d 127.0.0.1 ${port("qotd", "tcp")}`),
        "An apple a day keeps the doctor away.\r\n",
      );
    });
  },
  { ignore: nc.ignore },
);

test("nc: chargen streams the pattern until the reader stops", async () => {
  await withInetd(async (port) => {
    const out = await sh(
      `${nc.path} -d 127.0.0.1 ${port("chargen", "tcp")} | head -c 20000`,
    );
    const cycle = new TextDecoder().decode(CHARGEN_CYCLE);
    assertEquals(out, (cycle + cycle + cycle).slice(0, 20000));
  });
}, { ignore: nc.ignore });

test("nc -u: echo and daytime over UDP", async () => {
  await withInetd(async (port) => {
    assertEquals(
      await sh(
        `printf ping | ${nc.path} -u -w 1 127.0.0.1 ${port("echo", "udp")}`,
      ),
      "ping",
    );
    assertMatch(
      await sh(
        `printf x | ${nc.path} -u -w 1 127.0.0.1 ${port("daytime", "udp")}`,
      ),
      new RegExp(` ${new Date().getUTCFullYear()}\\r\\n$`),
    );
  });
}, { ignore: nc.ignore });

test("rdate -p reads the Time protocol over TCP and UDP", async () => {
  await withInetd(async (port) => {
    const year = String(new Date().getUTCFullYear());
    for (const [transport, flags] of [["tcp", []], ["udp", ["-u"]]] as const) {
      const out = await run(rdate.path, [
        "-p",
        ...flags,
        "-o",
        String(port("time", transport)),
        "127.0.0.1",
      ]);
      // rdate prints the time it read in the local zone, as date(1) does.
      assertMatch(out, new RegExp(` ${year}\\n$`));
    }
  });
}, { ignore: rdate.ignore });
