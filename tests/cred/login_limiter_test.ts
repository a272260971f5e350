// The attempt limits every protocol shares, on fake time: the delay after a
// failure, the per-connection cap, and the per-source lockout.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  test,
} from "../../trial/mod.ts";
import { LoginLimiter } from "../../cred/login_limiter.ts";
import {
  SourceLockedOutError,
  TooManyAttemptsError,
  UnauthorizedLoginError,
  ValidPublicKeyError,
} from "../../cred/errors.ts";

// Lets the login's promise steps (and the limiter's) run.
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

interface Watched<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}

function watch<T>(promise: Promise<T>): Watched<T> {
  const watched: Watched<T> = { settled: false };
  promise.then(
    (value) => Object.assign(watched, { settled: true, value }),
    (error) => Object.assign(watched, { settled: true, error }),
  );
  return watched;
}

const refuse = () => Promise.reject(new UnauthorizedLoginError());
const here = (connection: object, source = "192.0.2.1") => ({
  connection,
  source,
});

// Runs one failed attempt to its end, moving the clock past the delay.
async function fail(
  limiter: LoginLimiter,
  clock: { advance(ms: number): void },
  who: { connection: object; source: string },
  delay = 500,
): Promise<unknown> {
  const attempt = watch(limiter.attempt(who, refuse));
  await settle();
  clock.advance(delay);
  await settle();
  assert(attempt.settled, "the attempt ended after the delay");
  return attempt.error;
}

test("a failed login is reported only after the failure delay", async (t) => {
  const limiter = new LoginLimiter({ clock: t.clock, failureDelay: 500 });
  const attempt = watch(limiter.attempt(here({}), refuse));
  await settle();
  assert(!attempt.settled);
  t.clock.advance(499);
  await settle();
  assert(!attempt.settled, "still held back at 499 ms");
  t.clock.advance(1);
  await settle();
  assertInstanceOf(attempt.error, UnauthorizedLoginError);
  assert(!(attempt.error instanceof TooManyAttemptsError));
});

test("the failure delay is 500 ms by default", async (t) => {
  const limiter = new LoginLimiter({ clock: t.clock });
  const attempt = watch(limiter.attempt(here({}), refuse));
  await settle();
  assertEquals(t.clock.getDelayedCalls().map((call) => call.getTime()), [500]);
  t.clock.advance(500);
  await settle();
  assert(attempt.settled);
});

test("a successful login is answered at once", async (t) => {
  const limiter = new LoginLimiter({ clock: t.clock });
  const attempt = watch(
    limiter.attempt(here({}), () => Promise.resolve("alice")),
  );
  await settle();
  assertEquals(attempt.value, "alice");
  assertEquals(t.clock.getDelayedCalls().length, 0);
});

test("the last failure a connection may make rejects with TooManyAttemptsError, caused by the checker's error", async (t) => {
  const limiter = new LoginLimiter({
    clock: t.clock,
    maxFailuresPerConnection: 3,
  });
  const connection = {};
  for (let i = 1; i <= 2; i++) {
    const error = await fail(limiter, t.clock, here(connection));
    assert(!(error instanceof TooManyAttemptsError), `failure ${i} may retry`);
  }
  const third = await fail(limiter, t.clock, here(connection));
  assertInstanceOf(third, TooManyAttemptsError);
  assertEquals(third.failures, 3);
  assertInstanceOf(third.cause, UnauthorizedLoginError);
  assertEquals(limiter.failures(connection), 3);
});

test("a connection that used up its failures is refused without asking the checker", async (t) => {
  const limiter = new LoginLimiter({
    clock: t.clock,
    maxFailuresPerConnection: 1,
  });
  const connection = {};
  await fail(limiter, t.clock, here(connection));
  let asked = false;
  const attempt = watch(limiter.attempt(here(connection), () => {
    asked = true;
    return Promise.resolve("alice");
  }));
  await settle();
  assert(!attempt.settled, "the refusal is delayed too");
  t.clock.advance(500);
  await settle();
  assertInstanceOf(attempt.error, TooManyAttemptsError);
  assert(!asked);
});

test("failures on one connection do not count against another", async (t) => {
  const limiter = new LoginLimiter({
    clock: t.clock,
    maxFailuresPerConnection: 1,
  });
  await fail(limiter, t.clock, here({}));
  const attempt = watch(
    limiter.attempt(here({}), () => Promise.resolve("alice")),
  );
  await settle();
  assertEquals(attempt.value, "alice");
});

test("a source that fails maxFailuresPerSource times over many connections is locked out", async (t) => {
  const limiter = new LoginLimiter({
    clock: t.clock,
    maxFailuresPerSource: 3,
    maxFailuresPerConnection: 10,
  });
  assertInstanceOf(
    await fail(limiter, t.clock, here({})),
    UnauthorizedLoginError,
  );
  await fail(limiter, t.clock, here({}));
  const third = await fail(limiter, t.clock, here({}));
  assertInstanceOf(third, SourceLockedOutError);
  assertEquals(third.source, "192.0.2.1");
  assert(limiter.isLockedOut("192.0.2.1"));
  let asked = false;
  const next = watch(limiter.attempt(here({}), () => {
    asked = true;
    return Promise.resolve("alice");
  }));
  await settle();
  t.clock.advance(500);
  await settle();
  assertInstanceOf(next.error, SourceLockedOutError);
  assert(!asked, "a locked-out source's logins never reach the checker");
  const elsewhere = watch(
    limiter.attempt(here({}, "198.51.100.1"), () => Promise.resolve("bob")),
  );
  await settle();
  assertEquals(elsewhere.value, "bob");
});

test("a lockout ends after its time", async (t) => {
  const limiter = new LoginLimiter({
    clock: t.clock,
    maxFailuresPerSource: 1,
    lockout: 60_000,
  });
  const error = await fail(limiter, t.clock, here({}));
  assertInstanceOf(error, SourceLockedOutError);
  assertEquals(error.retryAfter, 60_000 - 500);
  t.clock.advance(60_000 - 500 - 1);
  assert(limiter.isLockedOut("192.0.2.1"));
  t.clock.advance(1);
  assert(!limiter.isLockedOut("192.0.2.1"));
  const attempt = watch(
    limiter.attempt(here({}), () => Promise.resolve("alice")),
  );
  await settle();
  assertEquals(attempt.value, "alice");
});

test("failures older than the source window are not counted", async (t) => {
  const limiter = new LoginLimiter({
    clock: t.clock,
    maxFailuresPerSource: 2,
    sourceWindow: 10_000,
  });
  await fail(limiter, t.clock, here({}));
  t.clock.advance(10_000);
  const error = await fail(limiter, t.clock, here({}));
  assert(!(error instanceof SourceLockedOutError));
  assert(!limiter.isLockedOut("192.0.2.1"));
  const third = await fail(limiter, t.clock, here({}));
  assertInstanceOf(third, SourceLockedOutError);
});

test("an SSH key query (ValidPublicKeyError) is neither counted nor delayed", async (t) => {
  const limiter = new LoginLimiter({
    clock: t.clock,
    maxFailuresPerConnection: 1,
  });
  const connection = {};
  const attempt = watch(
    limiter.attempt(
      here(connection),
      () => Promise.reject(new ValidPublicKeyError("alice")),
    ),
  );
  await settle();
  assertInstanceOf(attempt.error, ValidPublicKeyError);
  assertEquals(limiter.failures(connection), 0);
});

test("an error other than a refused login passes through, neither counted nor delayed", async (t) => {
  const limiter = new LoginLimiter({ clock: t.clock });
  const connection = {};
  const attempt = watch(
    limiter.attempt(
      here(connection),
      () => Promise.reject(new Deno.errors.NotFound("users.txt")),
    ),
  );
  await settle();
  assertInstanceOf(attempt.error, Deno.errors.NotFound);
  assertEquals(limiter.failures(connection), 0);
});

test("past maxTrackedSources the source whose last failure is oldest is forgotten", async (t) => {
  const limiter = new LoginLimiter({
    clock: t.clock,
    maxFailuresPerSource: 2,
    maxTrackedSources: 2,
  });
  await fail(limiter, t.clock, here({}, "a"));
  await fail(limiter, t.clock, here({}, "b"));
  await fail(limiter, t.clock, here({}, "c"));
  // "a" was forgotten: one more failure does not lock it out; "c" is known.
  assert(
    !(await fail(limiter, t.clock, here({}, "a")) instanceof
      SourceLockedOutError),
  );
  assertInstanceOf(
    await fail(limiter, t.clock, here({}, "c")),
    SourceLockedOutError,
  );
});

test("a failure delay of 0 reports failures at once", async (t) => {
  const limiter = new LoginLimiter({ clock: t.clock, failureDelay: 0 });
  const attempt = watch(limiter.attempt(here({}), refuse));
  await settle();
  assertInstanceOf(attempt.error, UnauthorizedLoginError);
  assertEquals(t.clock.getDelayedCalls().length, 0);
});
