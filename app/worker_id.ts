/**
 * Which `spindle --workers` process this is, for applications that log it or
 * split work by it.
 *
 * @module
 */
import { WORKER_ID_ENV } from "./_runner/env.ts";

/**
 * This process's worker number under `spindle --workers N` (0 to N-1), or
 * `undefined` when it is not a worker.
 *
 * @example Usage
 * ```ts
 * import { workerId } from "@spindle/spindle/app";
 * const id = workerId();
 * const role = id === undefined ? "single process" : `worker ${id}`;
 * console.assert(role === "single process"); // not started by --workers
 * ```
 */
export function workerId(): number | undefined {
  const value = Deno.env.get(WORKER_ID_ENV);
  return value === undefined ? undefined : Number(value);
}
