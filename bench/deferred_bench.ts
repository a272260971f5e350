// `deno bench bench/deferred_bench.ts`: a ten-callback Deferred chain against
// the same chain of native Promise thens (target: the Deferred costs at most
// 1.5x the Promise chain). Each iteration runs a batch of chains, so the
// per-iteration overhead of an async bench does not drown the difference.
import { Deferred } from "../deferred/mod.ts";

const BATCH = 100;
const inc = (n: number): number => n + 1;

function promiseChain(): Promise<number> {
  let resolve!: (n: number) => void;
  const start = new Promise<number>((r) => (resolve = r));
  const end = start.then(inc).then(inc).then(inc).then(inc).then(inc)
    .then(inc).then(inc).then(inc).then(inc).then(inc);
  resolve(0);
  return end;
}

function deferredChain(): Deferred<number> {
  const d = new Deferred<number>();
  d.addCallback(inc).addCallback(inc).addCallback(inc).addCallback(inc)
    .addCallback(inc).addCallback(inc).addCallback(inc).addCallback(inc)
    .addCallback(inc).addCallback(inc);
  d.callback(0);
  return d;
}

Deno.bench("Promise: ten thens, awaited", {
  group: "ten-callback chain",
  baseline: true,
}, async () => {
  for (let i = 0; i < BATCH; i++) {
    if (await promiseChain() !== 10) throw new Error("wrong result");
  }
});

Deno.bench("Deferred: ten callbacks, awaited", {
  group: "ten-callback chain",
}, async () => {
  for (let i = 0; i < BATCH; i++) {
    if (await deferredChain() !== 10) throw new Error("wrong result");
  }
});

Deno.bench("Deferred: ten callbacks, fired synchronously", {
  group: "ten-callback chain",
}, () => {
  let result = 0;
  for (let i = 0; i < BATCH; i++) {
    deferredChain().addCallback((n) => (result += n));
  }
  if (result !== 10 * BATCH) throw new Error("wrong result");
});

Deno.bench("Promise: ten steps that each wait for a pending result", {
  group: "ten asynchronous steps",
  baseline: true,
}, async () => {
  for (let i = 0; i < BATCH; i++) {
    let p = Promise.resolve(0);
    for (let step = 0; step < 10; step++) {
      p = p.then((n) => new Promise((r) => queueMicrotask(() => r(n + 1))));
    }
    if (await p !== 10) throw new Error("wrong result");
  }
});

Deno.bench("Deferred: ten steps that each return a pending Deferred", {
  group: "ten asynchronous steps",
}, async () => {
  for (let i = 0; i < BATCH; i++) {
    const d = new Deferred<number>();
    for (let step = 0; step < 10; step++) {
      d.addCallback((n) => {
        const inner = new Deferred<number>();
        queueMicrotask(() => inner.callback(n + 1));
        return inner;
      });
    }
    d.callback(0);
    if (await d !== 10) throw new Error("wrong result");
  }
});
