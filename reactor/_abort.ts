/**
 * Ties a resource's stop to an `AbortSignal`, as `Deno.serve` ties a server's
 * to its `signal`.
 *
 * @module
 */

const noop = () => {};

/**
 * Calls `stop` when `signal` aborts. Returns the function that forgets the
 * signal again, for the resource to call once it stopped some other way, so
 * that a long-lived signal does not keep it alive.
 */
export function stopOnAbort(
  signal: AbortSignal | undefined,
  stop: () => void,
): () => void {
  if (signal === undefined) return noop;
  signal.addEventListener("abort", stop, { once: true });
  return () => signal.removeEventListener("abort", stop);
}
