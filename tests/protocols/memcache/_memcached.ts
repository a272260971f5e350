// Starts memcached on a free loopback port for a test or a benchmark.

export interface RunningMemcached {
  port: number;
  stop(): Promise<void>;
}

export async function startMemcached(path: string): Promise<RunningMemcached> {
  // A TCP port free now (memcached binds no UDP with -U 0).
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const child = new Deno.Command(path, {
    args: [
      "-l",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "0",
      "-u",
      "nobody",
      "-m",
      "64",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Bounded wait for the port to accept connections.
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return {
        port,
        async stop() {
          // memcached takes a second to leave on SIGTERM; it holds no state
          // worth a graceful exit.
          child.kill("SIGKILL");
          await child.status;
        },
      };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  child.kill();
  await child.status;
  throw new Error(`memcached did not listen on port ${port} within 2 s`);
}
