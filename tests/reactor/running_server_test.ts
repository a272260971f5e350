import { Deferred } from "../../deferred/mod.ts";
import type { ListeningPort } from "../../reactor/mod.ts";
import { runningServer } from "../../reactor/mod.ts";
import {
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "../../trial/mod.ts";

function fakePort(name: string, stopped: string[]): ListeningPort {
  const stopListening = () => {
    stopped.push(name);
    return Deferred.fromPromise(Promise.resolve());
  };
  return {
    getHost: () => ({ transport: "memory", name }),
    stopListening,
    [Symbol.asyncDispose]: () => stopListening().asPromise(),
  };
}

test("shutdown stops every port, then drains, once however often it is called", async () => {
  const events: string[] = [];
  const server = runningServer([fakePort("a", events), fakePort("b", events)], {
    drain: () => {
      events.push("drain");
      return Promise.resolve();
    },
  });
  await Promise.all([server.shutdown(), server.shutdown()]);
  assertEquals(events, ["a", "b", "drain"]);
  await server.finished;
});

test("the address is the first port's", () => {
  const server = runningServer([fakePort("first", []), fakePort("second", [])]);
  assertEquals(server.addr, { transport: "memory", name: "first" });
});

test("finished resolves even when the drain fails, and shutdown rejects with its error", async () => {
  const server = runningServer([fakePort("a", [])], {
    drain: () => Promise.reject(new Error("drain broke")),
  });
  await assertRejects(() => server.shutdown(), Error, "drain broke");
  await server.finished;
});

test("await using shuts the server down", async () => {
  const stopped: string[] = [];
  {
    await using _server = runningServer([fakePort("a", stopped)]);
  }
  assertEquals(stopped, ["a"]);
});

test("a server needs at least one port", () => {
  assertThrows(() => runningServer([]), RangeError);
});
