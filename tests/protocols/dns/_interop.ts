import { test, type TestContext } from "../../../trial/mod.ts";

// Finding and running the real DNS peers the interop tests talk to.

/** The path of `command` on PATH (or in an sbin), or `null` when it is not installed. */
export function which(command: string): string | null {
  if (command.startsWith("/")) {
    try {
      return Deno.statSync(command).isFile ? command : null;
    } catch {
      return null;
    }
  }
  const dirs = [
    ...(Deno.env.get("PATH") ?? "").split(":"),
    "/usr/sbin",
    "/sbin",
  ];
  for (const dir of dirs) {
    if (dir === "") continue;
    try {
      const path = `${dir}/${command}`;
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Registers a test that is skipped, with a message saying why, when a peer binary is missing. */
export function peerTest(
  peer: string,
  name: string,
  fn: (path: string, t: TestContext) => Promise<void>,
): void {
  const path = which(peer);
  if (path === null) {
    console.warn(`skipping "${name}": ${peer} is not installed`);
  }
  test(name, (t) => fn(path!, t), {
    skip: path === null ? `${peer} is not installed` : false,
  });
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
