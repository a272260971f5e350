// The pid file checks the CLI tests share: an echo server that writes one,
// whose pid is in it, and that removes it when it stops.
import { assertEquals } from "../../trial/mod.ts";
import { type CliProcess, exists, LOOPBACK } from "./_cli.ts";

/** The arguments of an echo server on a free loopback port, with `more`, writing its pid to `pidfile`. */
export function echoWithPidFile(pidfile: string, ...more: string[]): string[] {
  return ["echo", "--listen", LOOPBACK, ...more, "--pidfile", pidfile];
}

/** `pidfile` names the process `pid`. */
export function assertPidFileNames(pidfile: string, pid: number): void {
  assertEquals(Deno.readTextFileSync(pidfile).trim(), String(pid));
}

/** SIGTERM stops `server` with status 0, and it removes `pidfile`. */
export async function assertStopsAndRemovesPidFile(
  server: CliProcess,
  pidfile: string,
): Promise<void> {
  server.kill("SIGTERM");
  assertEquals((await server.wait()).code, 0);
  assertEquals(exists(pidfile), false);
}
