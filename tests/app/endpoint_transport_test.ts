// The endpoint services take what serverFromString returns for a description
// known only at run time, without a cast, and refuse the wrong transport.
import {
  DatagramServerEndpointService,
  StreamServerEndpointService,
} from "../../app/mod.ts";
import {
  EndpointTransportError,
  serverFromString,
} from "../../reactor/endpoints/mod.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { assertEquals, assertThrows, test } from "../../trial/mod.ts";

const reactor = new DenoReactor();

function parsed(description: string) {
  return serverFromString(reactor, description);
}

test("a stream endpoint parsed from any string is served by StreamServerEndpointService", () => {
  const service = new StreamServerEndpointService(
    parsed("tcp:0:interface=127.0.0.1"),
    (conn) => conn.close(),
  );
  assertEquals(String(service.endpoint), "tcp:0:interface=127.0.0.1");
});

test("a datagram endpoint given to StreamServerEndpointService is refused", () => {
  const error = assertThrows(
    () =>
      new StreamServerEndpointService(parsed("udp:0"), (conn) => conn.close()),
    EndpointTransportError,
  );
  assertEquals(error.expected, "stream");
});

test("a datagram endpoint parsed from any string is served by DatagramServerEndpointService", () => {
  const service = new DatagramServerEndpointService(parsed("udp:0"), {
    datagramReceived() {},
  });
  assertEquals(String(service.endpoint), "udp:0");
});

test("a stream endpoint given to DatagramServerEndpointService is refused", () => {
  const error = assertThrows(
    () =>
      new DatagramServerEndpointService(parsed("tcp:0"), {
        datagramReceived() {},
      }),
    EndpointTransportError,
  );
  assertEquals(error.expected, "datagram");
});
