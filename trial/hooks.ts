/**
 * Hooks that run around every trial test: the seam through which other parts
 * of Spindle (the reactor's dirty-reactor check) add per-test set-up and
 * leftover checks.
 *
 * @module
 */
import type { TestContext } from "./context.ts";

/**
 * Work done around each trial test body.
 *
 * @example Usage
 * ```ts
 * import type { TestHook } from "@spindle/spindle/trial";
 * const hook: TestHook = {
 *   tearDown: (t) => t.clock.getDelayedCalls().length > 0 ? ["pending calls on t.clock"] : [],
 * };
 * console.assert(typeof hook.tearDown === "function");
 * ```
 */
export interface TestHook {
  /** Runs before the body, in the order hooks were added. */
  setUp?(t: TestContext): void | PromiseLike<void>;
  /**
   * Runs after the body and its cleanups (in reverse order of adding), even
   * when the body failed. Returns a description of each leftover it found —
   * an open listener, a pending call — which fails the test; or cleans up and
   * returns nothing.
   */
  tearDown?(
    t: TestContext,
  ): string[] | void | PromiseLike<string[] | void>;
}

const hooks: TestHook[] = [];

/**
 * Adds `hook` to every trial test that starts from now on; returns a function
 * that removes it.
 *
 * @example Usage
 * ```ts
 * import { addTestHook } from "@spindle/spindle/trial";
 * const remove = addTestHook({ setUp: () => {} });
 * remove();
 * ```
 */
export function addTestHook(hook: TestHook): () => void {
  hooks.push(hook);
  return () => {
    const index = hooks.indexOf(hook);
    if (index !== -1) hooks.splice(index, 1);
  };
}

/** The hooks in effect, in the order they were added. */
export function currentHooks(): readonly TestHook[] {
  return hooks.slice();
}
