// listenAll(): a server's endpoints listen all together, or none does.
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  test,
} from "../../trial/mod.ts";
import { listenAll } from "../../reactor/endpoints/listen_all.ts";
import { UnknownEndpointKindError } from "../../reactor/endpoints/errors.ts";
import { AddressInUseError } from "../../reactor/errors.ts";
import { decoder, encoder, portOf } from "./_helpers.ts";

test("listenAll listens on every endpoint, in order, with one handler", async (t) => {
  const ports = await listenAll(
    ["tcp:0:interface=127.0.0.1", "tcp:0:interface=127.0.0.1"],
    async (conn) => {
      await conn.write((await conn.read())!);
      await conn.close();
    },
    { reactor: t.reactor },
  );
  assertEquals(ports.length, 2);
  for (const port of ports) {
    await using client = await t.reactor.connectTCP(
      "127.0.0.1",
      portOf(port.getHost()),
    );
    await client.write(encoder.encode("ping"));
    assertEquals(decoder.decode((await client.read())!), "ping");
  }
  await Promise.all(ports.map((port) => port.stopListening()));
});

test("listenAll takes a single endpoint string", async (t) => {
  const ports = await listenAll("tcp:0:interface=127.0.0.1", () => {}, {
    reactor: t.reactor,
  });
  assertEquals(ports.length, 1);
  await ports[0]!.stopListening();
});

test("listenAll stops the ports already listening when a later endpoint cannot listen", async (t) => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await assertRejects(
    () =>
      listenAll(
        [
          "tcp:0:interface=127.0.0.1",
          `tcp:${taken.addr.port}:interface=127.0.0.1`,
        ],
        () => {},
        { reactor: t.reactor },
      ),
    AddressInUseError,
  );
  // The trial harness fails the test if the first port were left listening.
});

test("listenAll parses every endpoint string before anything listens", async (t) => {
  const error = await assertRejects(() =>
    listenAll(["tcp:0:interface=127.0.0.1", "nope:1"], () => {}, {
      reactor: t.reactor,
    })
  );
  assertInstanceOf(error, UnknownEndpointKindError);
});
