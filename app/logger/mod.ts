/**
 * The structured logger's former entry point, kept for one release so that
 * code written against it goes on working. Import from
 * `@spindle/spindle/log` instead.
 *
 * @example Usage
 * ```ts
 * import { getLogger } from "@spindle/spindle/app/logger";
 * getLogger("myapp").debug("still works");
 * ```
 *
 * @deprecated Use `@spindle/spindle/log`; this entry point goes away in the next release.
 * @module
 */
export * from "../../log/mod.ts";
