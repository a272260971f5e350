// The program of docs/deferreds_and_async.md: a Deferred's chain, awaiting
// it, cancelling it, a timeout, gatherResults, a lock and a queue. It prints
// what each step produced and exits 0.
//
// Run it:   deno run examples/guide_deferreds.ts
import {
  CancelledError,
  Deferred,
  DeferredLock,
  DeferredQueue,
  gatherResults,
  TimeoutError,
} from "../deferred/mod.ts";
import { deferLater, react } from "../reactor/mod.ts";

await react(async (reactor) => {
  // A chain: each callback gets the previous result and returns the next one;
  // an errback recovers from a failure of the kind it names.
  const lookup = new Deferred<string>();
  const chain = lookup
    .addCallback((name) => name.length)
    .addCallback((n) => {
      if (n > 5) throw new RangeError(`${n} letters is too long`);
      return n;
    })
    .addErrback(() => -1, RangeError);
  lookup.callback("spindle"); // fires the chain: "spindle" -> 7 -> RangeError -> -1
  console.log(`chain: ${await chain}`); // a Deferred is awaitable

  // deferLater: a Deferred that fires after a delay (in milliseconds).
  const later = deferLater(reactor, 10, () => "ten milliseconds later");
  console.log(`deferLater: ${await later}`);

  // Cancelling: the canceller undoes the work; the Deferred fails with
  // CancelledError.
  const call = reactor.callLater(60_000, () => {});
  const slow = new Deferred<string>(() => call.cancel());
  slow.cancel();
  try {
    await slow;
  } catch (error) {
    console.log(`cancel: ${error instanceof CancelledError}`);
  }

  // A timeout, in milliseconds: cancels the Deferred and fails it with
  // TimeoutError.
  const never = new Deferred<string>().addTimeout(20, reactor);
  try {
    await never;
  } catch (error) {
    console.log(`timeout: ${error instanceof TimeoutError}`);
  }

  // Several at once: gatherResults has every value, in order, or the first
  // failure.
  const all = await gatherResults([
    deferLater(reactor, 20, () => "a"),
    deferLater(reactor, 10, () => "b"),
  ]);
  console.log(`gatherResults: ${all.join(",")}`);

  // A lock runs one function at a time, in the order they asked.
  const lock = new DeferredLock();
  const order: number[] = [];
  await Promise.all([3, 1, 2].map((n) =>
    lock.run(async () => {
      await deferLater(reactor, n);
      order.push(n);
    })
  ));
  console.log(`lock: ${order.join(",")}`);

  // A queue hands each value to one waiting get(), or keeps it until one asks.
  const queue = new DeferredQueue<string>();
  const next = queue.get();
  queue.put("first");
  queue.put("second");
  console.log(`queue: ${await next}, ${await queue.get()}`);
});
