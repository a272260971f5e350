import { assertEquals } from "../../trial/assertions.ts";
import { Clock } from "../../reactor/clock.ts";
import { Deadline } from "../../reactor/deadline.ts";

type Kind = "idle" | "head" | "body";

function setup(tickCap?: number) {
  const clock = new Clock();
  const expired: Kind[] = [];
  const deadline = new Deadline<Kind>(
    clock,
    (kind) => expired.push(kind),
    { tickCap },
  );
  return { clock, expired, deadline };
}

Deno.test("Deadline fires its kind once the armed duration passes", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("head", 1000);
  clock.advance(999);
  assertEquals(expired, []);
  clock.advance(1);
  assertEquals(expired, ["head"]);
  assertEquals(deadline.armed, false);
});

Deno.test("Deadline re-armed later fires at the new time only", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("idle", 1000);
  clock.advance(800);
  deadline.arm("head", 1000);
  clock.advance(1000 - 1);
  assertEquals(expired, []);
  clock.advance(1);
  assertEquals(expired, ["head"]);
});

Deno.test("Deadline re-armed earlier than its timer fires on time", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("head", 30_000);
  deadline.arm("idle", 5_000);
  clock.advance(5_000);
  assertEquals(expired, ["idle"]);
});

Deno.test("Deadline re-arming keeps one timer scheduled", () => {
  const { clock, deadline } = setup(1000);
  for (let i = 0; i < 100; i++) {
    deadline.arm("idle", 5000);
    clock.advance(10);
  }
  assertEquals(clock.getDelayedCalls().length, 1);
});

Deno.test("Deadline with a tick cap never sleeps past the cap", () => {
  const { clock, deadline } = setup(1000);
  deadline.arm("head", 30_000);
  assertEquals(clock.getDelayedCalls()[0]!.getTime(), 1000);
});

Deno.test("Deadline touch restarts the current duration", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("idle", 1000);
  clock.advance(900);
  deadline.touch();
  clock.advance(900);
  assertEquals(expired, []);
  clock.advance(100);
  assertEquals(expired, ["idle"]);
});

Deno.test("Deadline touch does not arm a suspended deadline", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("body", 1000);
  deadline.suspend();
  deadline.touch();
  clock.advance(5000);
  assertEquals(expired, []);
});

Deno.test("Deadline suspended does not fire until resumed, then counts afresh", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("body", 1000);
  clock.advance(500);
  deadline.suspend();
  clock.advance(5000);
  assertEquals(expired, []);
  deadline.resume();
  assertEquals(deadline.kind, "body");
  clock.advance(999);
  assertEquals(expired, []);
  clock.advance(1);
  assertEquals(expired, ["body"]);
});

Deno.test("Deadline cancel leaves no call scheduled", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("idle", 1000);
  deadline.cancel();
  assertEquals(clock.getDelayedCalls().length, 0);
  clock.advance(2000);
  assertEquals(expired, []);
});

Deno.test("Deadline armed again after cancel fires", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("idle", 1000);
  deadline.cancel();
  deadline.arm("idle", 1000);
  clock.advance(1000);
  assertEquals(expired, ["idle"]);
});

Deno.test("Deadline armed with Infinity records the kind but never fires", () => {
  const { clock, expired, deadline } = setup();
  deadline.arm("idle", Infinity);
  assertEquals(deadline.kind, "idle");
  assertEquals(deadline.armed, false);
  assertEquals(clock.getDelayedCalls().length, 0);
  clock.advance(1e9);
  assertEquals(expired, []);
});
