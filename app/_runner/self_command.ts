/**
 * How the runner starts another copy of itself (workers, the daemon child),
 * whether it runs as `deno run app/cli.ts` or as a `deno compile` binary.
 *
 * @module
 */

/** The program and arguments that start the runner again. */
export interface SelfCommand {
  /** The executable. */
  command: string;
  /** The arguments before the runner's own. */
  args: string[];
}

/**
 * The command that runs this program again with `args`. Under `deno run` it
 * is `deno run --allow-all --unstable-net <main module> ...args`; in a
 * compiled binary, the binary itself (whose `Deno.args` exclude the runtime's
 * flags). Nothing is read from the program's own source files, so it works
 * the same after `deno compile`.
 */
export function selfCommand(args: readonly string[]): SelfCommand {
  const exec = Deno.execPath();
  const base = exec.split(/[\\/]/).pop()!.toLowerCase();
  if (base === "deno" || base === "deno.exe") {
    return {
      command: exec,
      args: ["run", "--allow-all", "--unstable-net", Deno.mainModule, ...args],
    };
  }
  return { command: exec, args: [...args] };
}
