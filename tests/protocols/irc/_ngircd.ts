// ngIRCd (Debian's ngircd), started by a test on a free loopback port with a
// generated configuration, and stopped by it.
import { findPeer, PEERS } from "../../_peers.ts";

export const ngircd = findPeer(PEERS.ngircd);

export interface RunningNgircd {
  port: number;
  stop(): Promise<void>;
}

/** A port free now on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts ngircd in the foreground (`-n`) on a free port; with `bench`, as the
 * benchmark needs it: no connection cap per address and no penalties.
 */
export async function startNgircd(
  options: { bench?: boolean } = {},
): Promise<RunningNgircd> {
  const dir = await Deno.makeTempDir({ prefix: "ngircd-" });
  const port = freePort();
  const config = `${dir}/ngircd.conf`;
  await Deno.writeTextFile(
    config,
    [
      "[Global]",
      "Name = irc.ngircd.test",
      "Info = Spindle interop",
      "Listen = 127.0.0.1",
      `Ports = ${port}`,
      "MotdPhrase = Hello from ngircd",
      `PidFile = ${dir}/ngircd.pid`,
      "[Limits]",
      "MaxNickLength = 30",
      "MaxConnectionsIP = 0",
      // No penalty seconds per command: they only slow tests and benchmarks.
      "MaxPenaltyTime = 0",
      ...(options.bench ? ["PingTimeout = 600"] : []),
      "[Options]",
      "PAM = no",
      "DNS = no",
      "Ident = no",
      "",
    ].join("\n"),
  );
  const child = new Deno.Command(ngircd.path, {
    args: ["-n", "-f", config],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Bounded wait for the port: 50 tries, 100 ms apart.
  for (let attempt = 0;; attempt++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch (error) {
      if (attempt >= 50) {
        child.kill("SIGKILL");
        await child.status;
        throw new Error(`ngircd did not listen on ${port} within 5 s`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    port,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}
