/** Runs the spindle CLI as a real subprocess for tests. */
const CLI = new URL("../../app/cli.ts", import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function command(
  args: string[],
  env?: Record<string, string>,
  cwd?: string,
  stdin: "null" | "piped" = "null",
) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-net", CLI, ...args],
    env,
    cwd,
    stdin,
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs the CLI to completion, with `input` (if given) on its stdin. */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  const { input } = options;
  const child = command(
    args,
    options.env,
    options.cwd,
    input === undefined ? "null" : "piped",
  ).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

/** A running CLI process whose output is collected as it arrives. */
export class CliProcess implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  #pumps: Promise<void>[];
  #waiters: (() => void)[] = [];

  private constructor(child: Deno.ChildProcess) {
    this.child = child;
    this.#pumps = [
      this.#pump(child.stdout, (t) => this.stdout += t),
      this.#pump(child.stderr, (t) => this.stderr += t),
    ];
  }

  async #pump(stream: ReadableStream<Uint8Array>, add: (text: string) => void) {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      add(text);
      for (const wake of this.#waiters.splice(0)) wake();
    }
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Starts the CLI and waits for its `listening on` line. */
  static async start(
    args: string[],
    options: { env?: Record<string, string>; cwd?: string } = {},
  ): Promise<CliProcess> {
    const process = new CliProcess(
      command(args, options.env, options.cwd).spawn(),
    );
    await process.waitFor(() => /^listening on /m.test(process.stdout), 20_000);
    return process;
  }

  /** The port of the first `listening on` line. */
  get port(): number {
    const match = /^listening on .*:(\d+)$/m.exec(this.stdout);
    if (match === null) throw new Error(`no listening line in ${this.stdout}`);
    return Number(match[1]);
  }

  /** Waits until `condition` holds (checked whenever output arrives, and every 50 ms). */
  async waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, 50);
      });
      clearTimeout(timer);
    }
  }

  /** Sends `signal` to the process. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    this.child.kill(signal);
  }

  /** Waits for the process to exit and all its output. */
  async wait(): Promise<CliResult> {
    const status = await this.child.status;
    await Promise.all(this.#pumps);
    return { code: status.code, stdout: this.stdout, stderr: this.stderr };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await this.wait();
  }
}

/** Sends `text`, half-closes, and returns everything the server sent back. */
export async function echoOnce(port: number, text: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(text));
  await conn.closeWrite();
  return await new Response(conn.readable).text();
}

/** Whether `path` exists. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** An endpoint on a free loopback port. */
export const LOOPBACK = "tcp:0:interface=127.0.0.1";
