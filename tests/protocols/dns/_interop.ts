import { test, type TestContext } from "../../../trial/mod.ts";
import { findPeer, type Peer } from "../../_peers.ts";

// Finding and running the real DNS peers the interop tests talk to.

/**
 * Registers a test of `peer`, given its path: ignored (with a warning naming
 * the Debian package) when the peer is missing, failing under `CI=true`.
 */
export function peerTest(
  peer: Peer,
  name: string,
  fn: (path: string, t: TestContext) => Promise<void>,
): void {
  const found = findPeer(peer);
  test(name, (t) => fn(found.path, t), { ignore: found.ignore });
}

/** Runs a command to completion and returns its stdout; throws with stderr on failure. */
export async function run(path: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(path, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `${path} ${args.join(" ")} exited with ${output.code}: ${
        new TextDecoder().decode(output.stderr)
      }${stdout}`,
    );
  }
  return stdout;
}

/** A free TCP and UDP port on loopback (bound then released). */
export function freePort(): number {
  for (;;) {
    const tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (tcp.addr as Deno.NetAddr).port;
    try {
      const udp = Deno.listenDatagram({
        transport: "udp",
        hostname: "127.0.0.1",
        port,
      });
      udp.close();
      tcp.close();
      return port;
    } catch {
      tcp.close();
    }
  }
}
