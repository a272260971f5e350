import {
  Application,
  DrainTimeoutError,
  StreamServerEndpointService,
} from "../../app/mod.ts";
import { captureLogs } from "../../log/mod.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import type {
  Connection,
  ConnectionHandler,
} from "../../reactor/interfaces.ts";
import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
  test,
} from "../../trial/mod.ts";
import { EndpointDescriptionError } from "../../reactor/endpoints/mod.ts";

const reactor = new DenoReactor();

function loopback(port = 0) {
  return {
    listen: (handler: ConnectionHandler) =>
      reactor.listenTCP(port, handler, { interface: "127.0.0.1" }),
  };
}

function portOf(service: StreamServerEndpointService): number {
  return (service.listeningAddresses()[0] as Deno.NetAddr).port;
}

async function readAll(conn: Deno.Conn): Promise<string> {
  return await new Response(conn.readable).text();
}

test("a started service listens and reports its address", async () => {
  using _ = captureLogs();
  const service = new StreamServerEndpointService(loopback(), async (conn) => {
    await conn.write(new TextEncoder().encode("hi"));
  });
  await service.startService();
  const client = await Deno.connect({ port: portOf(service) });
  assertEquals(await readAll(client), "hi");
  await service.stopService();
  assertEquals(service.listeningAddresses(), []);
});

test("stopping closes the listener so new connections are refused", async () => {
  using _ = captureLogs();
  const service = new StreamServerEndpointService(loopback(), () => {});
  await service.startService();
  const port = portOf(service);
  await service.stopService();
  await assertRejects(
    () => Deno.connect({ port }),
    Deno.errors.ConnectionRefused,
  );
});

test("a service that cannot bind fails to start and is not running", async () => {
  using _ = captureLogs();
  const first = new StreamServerEndpointService(loopback(), () => {});
  await first.startService();
  const second = new StreamServerEndpointService(
    loopback(portOf(first)),
    () => {},
  );
  await assertRejects(() => second.startService().asPromise());
  assertEquals(second.running, false);
  await first.stopService();
});

test("stopping waits for an in-flight connection to finish", async () => {
  using logs = captureLogs();
  const release = Promise.withResolvers<void>();
  const service = new StreamServerEndpointService(loopback(), async (conn) => {
    await release.promise;
    await conn.write(new TextEncoder().encode("late reply"));
  }, { drainTimeout: 5_000 });
  await service.startService();
  const client = await Deno.connect({ port: portOf(service) });
  await waitFor(() => service.connectionCount === 1);
  const stopped = service.stopService().asPromise();
  await waitFor(() =>
    logs.messages().some((m) => m.startsWith("waiting up to"))
  );
  release.resolve();
  assertEquals(await readAll(client), "late reply");
  await stopped;
  assertEquals(service.connectionCount, 0);
});

test("connections still open at the drain deadline are cut", async () => {
  using logs = captureLogs();
  let seen: Connection | undefined;
  const service = new StreamServerEndpointService(loopback(), (conn) => {
    seen = conn;
  }, { drainTimeout: 50 });
  await service.startService();
  const client = await Deno.connect({ port: portOf(service) });
  await waitFor(() => service.connectionCount === 1);
  await service.stopService();
  assertEquals(await readAll(client), "");
  await assertRejects(() => seen!.closed, DrainTimeoutError);
  assertEquals(
    logs.messages().some((m) => m.startsWith("cutting 1 connections")),
    true,
  );
});

test("the drain deadline defaults to the application's shutdown timeout", async () => {
  using _ = captureLogs();
  const application = new Application("app", { shutdownTimeout: 30 });
  const service = new StreamServerEndpointService(loopback(), () => {});
  service.setServiceParent(application);
  await application.startService();
  const client = await Deno.connect({ port: portOf(service) });
  await waitFor(() => service.connectionCount === 1);
  const started = Date.now();
  await application.stopService();
  assertEquals(Date.now() - started < 2_000, true);
  assertEquals(await readAll(client), "");
});

test("a drainable handler is asked to drain once the listener has closed", async () => {
  using _ = captureLogs();
  const events: string[] = [];
  const handler = Object.assign(() => {}, {
    drain: () => {
      events.push("drain");
    },
  });
  const service = new StreamServerEndpointService(loopback(), handler);
  await service.startService();
  await service.stopService();
  assertEquals(events, ["drain"]);
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (!condition()) throw new Error("condition not met in time");
}

test("an endpoint string is parsed when the service is made", async () => {
  using _ = captureLogs();
  const service = new StreamServerEndpointService(
    "tcp:0:interface=127.0.0.1",
    () => {},
    {
      reactor,
    },
  );
  await service.startService();
  assertEquals(
    (service.listeningAddresses()[0] as Deno.NetAddr).hostname,
    "127.0.0.1",
  );
  await service.stopService();
});

test("a bad endpoint string throws before anything starts", () => {
  assertThrows(
    () =>
      new StreamServerEndpointService("tcp:notaport", () => {}, { reactor }),
    EndpointDescriptionError,
  );
  assertThrows(
    () =>
      new StreamServerEndpointService("carrier-pigeon:1", () => {}, {
        reactor,
      }),
    EndpointDescriptionError,
  );
});

test("a datagram endpoint string is refused by a stream service", () => {
  assertThrows(
    () => new StreamServerEndpointService("udp:0", () => {}, { reactor }),
    EndpointDescriptionError,
    "datagram",
  );
});

test("services with reusePort share one port", async () => {
  using _ = captureLogs();
  const first = new StreamServerEndpointService(
    "tcp:0:interface=127.0.0.1",
    () => {},
    {
      reactor,
      reusePort: true,
    },
  );
  await first.startService();
  const second = new StreamServerEndpointService(
    `tcp:${portOf(first)}:interface=127.0.0.1`,
    () => {},
    { reactor, reusePort: true },
  );
  await second.startService();
  assertEquals(portOf(second), portOf(first));
  await second.stopService();
  await first.stopService();
});

test("a protocol's endpoint defaults fill what the string leaves out", () => {
  const service = new StreamServerEndpointService(
    "tls:0:certKey=cert.pem:privateKey=key.pem",
    () => {},
    { reactor, defaults: { alpn: "http/1.1" } },
  );
  assertMatch(service.endpoint.toString(), /:alpn=http\/1\.1/);
});
