// `spindle demo`: the services it lists, the landing page, a taken port,
// and the try-it commands that each service shows.
import { assert, assertEquals, assertMatch, test } from "../../trial/mod.ts";
import { DEMO_SERVICES } from "../../app/demo/services.ts";
import { announcement, listings } from "../../app/demo/plugin.ts";
import { CliProcess, runCli } from "./_cli.ts";
import {
  failedTryIts,
  freePortBase,
  programsOf,
  tryItPeersMissing,
} from "./_demo.ts";

test("every demo service has its own name and its own port", () => {
  const names = DEMO_SERVICES.map((s) => s.name);
  const ports = DEMO_SERVICES.map((s) => s.port);
  assertEquals(new Set(names).size, names.length);
  assertEquals(new Set(ports).size, ports.length);
});

test("every demo service listens on the port base plus its offset, on loopback", () => {
  for (const listing of listings(DEMO_SERVICES, 8000)) {
    const service = DEMO_SERVICES.find((s) => s.name === listing.name)!;
    assertEquals(listing.address, {
      hostname: "127.0.0.1",
      port: 8000 + service.port,
    });
  }
});

test("every try-it command names its service's port and says what it prints", () => {
  for (const listing of listings(DEMO_SERVICES, 8000)) {
    assert(listing.tryIt.length > 0, `${listing.name} has no try-it command`);
    for (const tryIt of listing.tryIt) {
      assert(
        tryIt.command.includes(String(listing.address.port)),
        tryIt.command,
      );
      assert(tryIt.expect !== "", `${tryIt.command} expects nothing`);
      assert(programsOf(tryIt.command).length > 0, tryIt.command);
    }
  }
});

test("the terminal shows every service with its address and commands", () => {
  const services = listings(DEMO_SERVICES, 8000);
  const text = announcement(services, 8000).join("\n");
  for (const service of services) {
    assert(text.includes(`127.0.0.1:${service.address.port}`), service.name);
    for (const tryIt of service.tryIt) assert(text.includes(tryIt.command));
  }
});

test("a taken port stops the demo with status 2, naming the port", async () => {
  const base = freePortBase();
  const echoPort = base + DEMO_SERVICES.find((s) => s.name === "echo")!.port;
  using _taken = Deno.listen({ hostname: "127.0.0.1", port: echoPort });
  const { code, stdout, stderr } = await runCli([
    "demo",
    "--port-base",
    String(base),
  ]);
  assertEquals(code, 2);
  assertEquals(stdout, "");
  assertMatch(stderr, new RegExp(`^spindle: port ${echoPort} .* is taken`));
  assertMatch(stderr, /--port-base N/);
});

test("a port base that puts the web site on a port browsers refuse is a usage error", async () => {
  const { code, stderr } = await runCli(["demo", "--port-base", "10000"]);
  assertEquals(code, 2);
  assertMatch(stderr, /port 10080, which browsers refuse/);
});

test("a port base that puts a port past 65535 is a usage error", async () => {
  const { code, stderr } = await runCli(["demo", "--port-base", "65000"]);
  assertEquals(code, 2);
  assertMatch(stderr, /^spindle: --port-base needs a whole number from 1 to/);
});

test(
  "the demo serves its landing page, every try-it command works, and SIGINT stops it cleanly",
  async () => {
    const base = freePortBase();
    await using demo = await CliProcess.start([
      "demo",
      "--port-base",
      String(base),
    ]);
    await demo.waitFor(() => demo.stdout.includes("Ctrl-C stops the demo"));
    const web = `http://127.0.0.1:${base + 80}`;
    const { services } = await (await fetch(`${web}/services.json`)).json();
    assertEquals(
      services.map((s: { name: string }) => s.name),
      DEMO_SERVICES.map((s) => s.name),
    );
    const page = await (await fetch(`${web}/`)).text();
    for (const service of DEMO_SERVICES) {
      assert(page.includes(`<section id="${service.name}">`), service.name);
    }
    assertEquals(await failedTryIts(services), []);
    demo.kill("SIGINT");
    const { code } = await demo.wait();
    assertEquals(code, 0);
  },
  { ignore: tryItPeersMissing() },
);
