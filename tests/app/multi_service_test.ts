import {
  Application,
  DuplicateServiceNameError,
  MultiService,
  Service,
} from "../../app/mod.ts";
import { Deferred } from "../../deferred/deferred.ts";
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
  test,
} from "../../trial/mod.ts";
import { RecordingService } from "./_recording_service.ts";

function collection(journal: string[], ...names: string[]): MultiService {
  const parent = new MultiService();
  for (const name of names) {
    new RecordingService(name, journal).setServiceParent(parent);
  }
  return parent;
}

test("children start in the order they were added", async () => {
  const journal: string[] = [];
  await collection(journal, "a", "b", "c").startService();
  assertEquals(journal, ["start a", "start b", "start c"]);
});

test("children stop in reverse order", async () => {
  const journal: string[] = [];
  const parent = collection(journal, "a", "b", "c");
  await parent.startService();
  journal.length = 0;
  await parent.stopService();
  assertEquals(journal, ["stop c", "stop b", "stop a"]);
});

test("a child starts only after the previous one has started", async () => {
  const journal: string[] = [];
  const parent = new MultiService();
  const a = new RecordingService("a", journal);
  a.startGate = new Deferred<void>();
  a.setServiceParent(parent);
  new RecordingService("b", journal).setServiceParent(parent);
  const started = parent.startService();
  assertEquals(journal, ["start a"]);
  a.startGate.callback();
  await started;
  assertEquals(journal, ["start a", "start b"]);
});

test("stopping waits for each child before stopping the previous one", async () => {
  const journal: string[] = [];
  const parent = new MultiService();
  new RecordingService("a", journal).setServiceParent(parent);
  const b = new RecordingService("b", journal);
  b.setServiceParent(parent);
  await parent.startService();
  journal.length = 0;
  b.stopGate = new Deferred<void>();
  const stopped = parent.stopService();
  assertEquals(journal, ["stop b"]);
  b.stopGate.callback();
  await stopped;
  assertEquals(journal, ["stop b", "stopped b", "stop a"]);
});

test("a child added to a running collection starts at once", async () => {
  const journal: string[] = [];
  const parent = collection(journal);
  await parent.startService();
  await new RecordingService("late", journal).setServiceParent(parent);
  assertEquals(journal, ["start late"]);
  await parent.stopService();
});

test("a second child with the same name is refused", () => {
  const parent = new MultiService();
  new Service("x").setServiceParent(parent);
  assertThrows(
    () => new Service("x").setServiceParent(parent),
    DuplicateServiceNameError,
  );
});

test("iterating a collection yields its children in order", () => {
  const journal: string[] = [];
  const parent = collection(journal, "a", "b");
  assertEquals([...parent].map((s) => s.name), ["a", "b"]);
});

test("a child failing to start stops those already started and fails the start", async () => {
  const journal: string[] = [];
  const parent = new MultiService();
  new RecordingService("a", journal).setServiceParent(parent);
  const b = new RecordingService("b", journal);
  b.startError = new Error("port taken");
  b.setServiceParent(parent);
  new RecordingService("c", journal).setServiceParent(parent);
  const error = await assertRejects(
    () => parent.startService().asPromise(),
    Error,
    "port taken",
  );
  assertStrictEquals(error, b.startError);
  assertEquals(journal, ["start a", "start b", "stop a"]);
  assertEquals(parent.running, false);
});

test("a child failing to stop does not keep the others running", async () => {
  const journal: string[] = [];
  const parent = new MultiService();
  new RecordingService("a", journal).setServiceParent(parent);
  const b = new RecordingService("b", journal);
  b.setServiceParent(parent);
  await parent.startService();
  b.stopError = new Error("stuck");
  journal.length = 0;
  await assertRejects(() => parent.stopService().asPromise(), Error, "stuck");
  assertEquals(journal, ["stop b", "stop a"]);
});

test("several children failing to stop give an AggregateError", async () => {
  const journal: string[] = [];
  const parent = new MultiService();
  for (const name of ["a", "b"]) {
    const s = new RecordingService(name, journal);
    s.setServiceParent(parent);
  }
  await parent.startService();
  for (const s of parent) {
    (s as RecordingService).stopError = new Error(`${s.name} stuck`);
  }
  const error = await assertRejects(() => parent.stopService().asPromise());
  assertInstanceOf(error, AggregateError);
  assertEquals(error.errors.length, 2);
});

test("an application stops accepting everywhere before stopping anything", async () => {
  const journal: string[] = [];
  const application = new Application("app");
  new RecordingService("a", journal).setServiceParent(application);
  const inner = new MultiService("inner");
  inner.setServiceParent(application);
  new RecordingService("b", journal).setServiceParent(inner);
  await application.startService();
  journal.length = 0;
  await application.stopService();
  assertEquals(journal, [
    "stopAccepting b",
    "stopAccepting a",
    "stop b",
    "stop a",
  ]);
});

test("an application has a default shutdown timeout of ten seconds", () => {
  assertEquals(new Application("app").shutdownTimeout, 10_000);
  assertEquals(
    new Application("app", { shutdownTimeout: 50 }).shutdownTimeout,
    50,
  );
});
