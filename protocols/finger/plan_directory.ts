/**
 * {@linkcode PlanDirectory}: finger users from a folder of plan files.
 *
 * @module
 */
import { MAX_PLAN_SIZE } from "./limits.ts";
import type { FingerDirectory } from "./server.ts";

// Names that cannot leave the folder or name a hidden file.
const USER_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/**
 * A {@linkcode FingerDirectory} over a folder with one plan file per user,
 * named for the user (`DIR/alice`): fingering `alice` shows her plan, an
 * empty query lists the users. Only regular files count: a symbolic link
 * (which could point out of the folder) is no user, nor is a name with `/`
 * or a leading dot. A plan is read up to {@linkcode MAX_PLAN_SIZE} bytes.
 *
 * @example Usage
 * ```ts
 * import { PlanDirectory } from "@spindle/spindle/protocols/finger";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/alice`, "Tea at four.\n");
 * const plans = new PlanDirectory(dir);
 * const text = await plans.user("alice");
 * console.assert(text?.includes("Tea at four."));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class PlanDirectory implements FingerDirectory {
  /** The folder of plan files. */
  readonly path: string;

  /** Serves the plan files in `path`. */
  constructor(path: string) {
    this.path = path;
  }

  async #plan(name: string): Promise<string | null> {
    if (!USER_NAME.test(name)) return null;
    const file = `${this.path}/${name}`;
    try {
      if (!(await Deno.lstat(file)).isFile) return null;
      using handle = await Deno.open(file);
      const buffer = new Uint8Array(MAX_PLAN_SIZE);
      let length = 0;
      for (;;) {
        const n = await handle.read(buffer.subarray(length));
        if (n === null) break;
        length += n;
        if (length === buffer.length) break;
      }
      return new TextDecoder().decode(buffer.subarray(0, length));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  /** `Login: NAME` and the user's plan, or `null` when there is no plan file. */
  async user(name: string): Promise<string | null> {
    const plan = await this.#plan(name);
    if (plan === null) return null;
    return `Login: ${name}\nPlan:\n${plan}${plan.endsWith("\n") ? "" : "\n"}`;
  }

  /** The users, one `Login` per line, in name order. */
  async list(): Promise<string> {
    const names: string[] = [];
    for await (const entry of Deno.readDir(this.path)) {
      if (entry.isFile && USER_NAME.test(entry.name)) names.push(entry.name);
    }
    names.sort();
    return ["Login", ...names].join("\n") + "\n";
  }
}
