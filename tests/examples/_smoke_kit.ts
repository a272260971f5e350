/**
 * What an example's smoke test gets: a way to start an example server and wait
 * until it listens, and a way to run an example to completion. Every process
 * started through the kit is stopped when the smoke test ends, pass or fail.
 *
 * Each `tests/examples/<name>_test.ts` exports its `smoke` function and
 * registers it as a test with {@linkcode runSmoke}; `deno task examples`
 * (`tools/run_examples.ts`) runs the same functions and prints a table.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root: examples run from there, whatever the working directory. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** How long one smoke test may take, processes included. */
export const SMOKE_TIMEOUT = 60_000;

/** An example process started with {@linkcode SmokeKit.start}. */
export interface RunningExample {
  /** The port from the example's `listening on <host>:<port>` line. */
  readonly port: number;
  /** The host from the example's `listening on <host>:<port>` line. */
  readonly hostname: string;
  /** Everything the example printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM and waits for the example to exit. */
  stop(): Promise<ExampleResult>;
}

/** How an example process ended. */
export interface ExampleResult {
  /** The exit code. */
  readonly code: number;
  /** Everything it printed (stdout and stderr). */
  readonly output: string;
}

/** Options for starting or running an example. */
export interface ExampleOptions {
  /** Milliseconds to wait (for the `listening on` line, or for the exit). Default 15000. */
  timeout?: number;
  /** Text written to the example's standard input, which is then closed. */
  stdin?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Starts and runs examples from `examples/`. */
export interface SmokeKit {
  /** Spawns `examples/<name>.ts` and resolves once it prints `listening on <host>:<port>`. */
  start(
    name: string,
    args?: string[],
    options?: ExampleOptions,
  ): Promise<RunningExample>;
  /** Runs `examples/<name>.ts` to completion. */
  run(
    name: string,
    args?: string[],
    options?: ExampleOptions,
  ): Promise<ExampleResult>;
}

/** The signature of the function each `tests/examples/<name>_test.ts` exports. */
export type SmokeTest = (kit: SmokeKit) => Promise<void>;

const listeningLine = /listening on (\S+):(\d+)/;

/** One process started by a kit, kept so the runner can stop it. */
class ExampleProcess {
  #child: Deno.ChildProcess;
  #text = "";
  #exited: Promise<ExampleResult>;
  #listeners: (() => void)[] = [];

  constructor(name: string, args: string[], options: ExampleOptions) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--unstable-net",
        `examples/${name}.ts`,
        ...args,
      ],
      cwd: ROOT,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", ...options.env },
    }).spawn();
    if (options.stdin !== undefined) {
      const writer = this.#child.stdin.getWriter();
      writer.write(new TextEncoder().encode(options.stdin)).then(() =>
        writer.close()
      ).catch(
        () => {},
      );
    }
    const collected = Promise.all([
      this.#collect(this.#child.stdout),
      this.#collect(this.#child.stderr),
    ]);
    this.#exited = Promise.all([this.#child.status, collected]).then((
      [status],
    ) => ({
      code: status.code,
      output: this.#text,
    }));
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this.#text += decoder.decode(chunk, { stream: true });
      for (const listener of this.#listeners) listener();
    }
  }

  get output(): string {
    return this.#text;
  }

  get exited(): Promise<ExampleResult> {
    return this.#exited;
  }

  waitForListening(
    timeout: number,
  ): Promise<{ hostname: string; port: number }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = listeningLine.exec(this.#text);
        if (!match) return false;
        cleanup();
        resolve({ hostname: match[1]!, port: Number(match[2]) });
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `no "listening on" line within ${timeout} ms; output:\n${this.#text}`,
          ),
        );
      }, timeout);
      const cleanup = () => {
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((l) => l !== check);
      };
      this.#exited.then((result) => {
        if (check()) return;
        cleanup();
        reject(
          new Error(
            `exited with code ${result.code} before listening; output:\n${result.output}`,
          ),
        );
      });
      if (!check()) this.#listeners.push(check);
    });
  }

  async stop(): Promise<ExampleResult> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already exited: nothing to signal.
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Exited between the two signals.
      }
    }, 5000);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Creates a kit for one smoke test. Call `cleanup()` when the test ends to stop
 * whatever it started.
 */
export function createSmokeKit(): {
  kit: SmokeKit;
  cleanup: () => Promise<void>;
} {
  const processes: ExampleProcess[] = [];
  const kit: SmokeKit = {
    async start(name, args = [], options = {}) {
      const process = new ExampleProcess(name, args, options);
      processes.push(process);
      const { hostname, port } = await process.waitForListening(
        options.timeout ?? 15000,
      );
      return {
        hostname,
        port,
        output: () => process.output,
        stop: () => process.stop(),
      };
    },
    async run(name, args = [], options = {}) {
      const process = new ExampleProcess(name, args, options);
      processes.push(process);
      const timeout = options.timeout ?? 15000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `did not exit within ${timeout} ms; output:\n${process.output}`,
              ),
            ),
          timeout,
        );
      });
      try {
        return await Promise.race([process.exited, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const cleanup = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  return { kit, cleanup };
}

/**
 * Runs one smoke test with a kit of its own, failing it after
 * {@linkcode SMOKE_TIMEOUT}; whatever it started is stopped at the end.
 */
export async function runSmoke(smoke: SmokeTest): Promise<void> {
  const { kit, cleanup } = createSmokeKit();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      smoke(kit),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`smoke test took longer than ${SMOKE_TIMEOUT} ms`),
            ),
          SMOKE_TIMEOUT,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
}
