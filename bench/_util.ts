/**
 * Helpers shared by the benchmark scripts in `bench/`.
 *
 * @module
 */

/** The value after `--name` on the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

/** Prints the line a benchmark driver waits for from a server it started. */
export function announce(port: number): void {
  console.log(`listening on 127.0.0.1:${port}`);
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux),
 * or `NaN` where that cannot be read. A server's CPU per operation stays
 * meaningful when other load on the machine skews its throughput.
 */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) start at ")";
    // utime and stime are fields 14 and 15, in clock ticks of 100 Hz.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
