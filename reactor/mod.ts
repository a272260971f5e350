/**
 * Time, scheduled calls and (soon) the reactor: `Clock` for fake time in
 * tests, `LoopingCall`, `deferLater`.
 *
 * ```ts
 * import { Clock, deferLater } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * const d = deferLater(clock, 1000, () => "done");
 * clock.advance(1000);
 * console.assert(await d === "done");
 * ```
 *
 * @module
 */
export * from "./time.ts";
export * from "./clock.ts";
export * from "./delayed_call.ts";
export * from "./looping_call.ts";
export * from "./defer_later.ts";
