// What the demo's tests share: a free port base, the peers that the try-it
// commands need, and running one try-it command as a person would.
import type { DemoListing, TryIt } from "../../app/demo/demo_service.ts";
import { DEMO_SERVICES } from "../../app/demo/services.ts";
import { findPeer, type Peer, PEERS } from "../_peers.ts";

/** Shell built-ins and core utilities that a try-it command may use besides its peer. */
const SHELL_TOOLS = new Set(["echo", "printf", "cat", "sleep", "true"]);

/** A program a try-it command starts, and the Python module it runs with `-m`. */
interface Program {
  name: string;
  pythonModule?: string;
}

/** The programs a shell command starts: the first word of each part of it. */
export function programsOf(command: string): Program[] {
  return command.split(/\|\|?|&&|;/).map((part) => {
    const words = part.trim().replace(/^[({]+\s*/, "").split(/\s+/);
    return {
      name: words[0] ?? "",
      pythonModule: words[1] === "-m" ? words[2] : undefined,
    };
  }).filter(({ name }) => name !== "" && !SHELL_TOOLS.has(name));
}

/** The peer of `program`: same command (or its base name) and Python module. */
function peerOf(program: Program): Peer | undefined {
  const peers = Object.values(PEERS) as Peer[];
  return peers.find((peer) =>
    (peer.command === program.name ||
      peer.command.endsWith(`/${program.name}`)) &&
    peer.pythonModule === program.pythonModule
  );
}

/**
 * Whether the tests that run every try-it command must be ignored: true when
 * a program they use is missing (outside CI; under CI=true they run and fail).
 * A program that `tests/_peers.ts` does not know fails at once.
 */
export function tryItPeersMissing(): boolean {
  let ignore = false;
  for (const service of DEMO_SERVICES) {
    const tries = service.tryIt({ hostname: "127.0.0.1", port: 1 });
    for (const program of tries.flatMap((t) => programsOf(t.command))) {
      const peer = peerOf(program);
      if (peer === undefined) {
        throw new Error(
          `the demo's ${service.name} tries ${program.name}${
            program.pythonModule ? ` -m ${program.pythonModule}` : ""
          }: add it to PEERS in tests/_peers.ts (and its Debian package to .ci/run)`,
        );
      }
      ignore ||= findPeer(peer).ignore;
    }
  }
  return ignore;
}

/** Whether `port` is free on loopback for TCP and UDP. */
function isFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port })
      .close();
    return true;
  } catch {
    return false;
  }
}

/** A port base at which every demo port is free (the default one if it is). */
export function freePortBase(preferred?: number): number {
  const offsets = DEMO_SERVICES.map((service) => service.port);
  const highest = Math.max(...offsets);
  const fits = (base: number) => offsets.every((o) => isFree(base + o));
  if (preferred !== undefined && fits(preferred)) return preferred;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (40_000 - highest));
    if (fits(base)) return base;
  }
  throw new Error("found no port base with every demo port free");
}

/** The output of one try-it command, run with `sh -c` (killed after `ms`). */
export async function runTryIt(
  tryIt: TryIt,
  ms = 10_000,
): Promise<{ code: number; output: string }> {
  const child = new Deno.Command("sh", {
    args: ["-c", tryIt.command],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    return {
      code,
      output: decoder.decode(stdout) + decoder.decode(stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every try-it command of `services`; returns the ones that failed, explained. */
export async function failedTryIts(
  services: readonly DemoListing[],
): Promise<string[]> {
  const failures: string[] = [];
  for (const service of services) {
    for (const tryIt of service.tryIt) {
      const { code, output } = await runTryIt(tryIt);
      if (!output.includes(tryIt.expect)) {
        failures.push(
          `${service.name}: \`${tryIt.command}\` (exit ${code}) printed ${
            JSON.stringify(output)
          }, not ${JSON.stringify(tryIt.expect)}`,
        );
      }
    }
  }
  return failures;
}
