// The README's promise to a newcomer, held by running it: its first block is
// two commands (the demo and the test command that .ci/run runs), and the
// first, run as written on a fresh clone with a fresh DENO_DIR, serves every
// service its page lists, each answering its try-it command, until Ctrl-C.
import { assert, assertEquals, test } from "../trial/mod.ts";
import { findPeer, PEERS } from "./_peers.ts";
import { failedTryIts, freePortBase, tryItPeersMissing } from "./app/_demo.ts";
import type { DemoListing } from "../app/demo/demo_service.ts";
import { DEFAULT_PORT_BASE } from "../app/demo/plugin.ts";

const root = new URL("../", import.meta.url).pathname;
const readme = Deno.readTextFileSync(`${root}README.md`);
const ciRun = Deno.readTextFileSync(`${root}.ci/run`);

/** The commands of the README's first code block, without their comments. */
function firstBlockCommands(): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(readme);
  if (block === null) throw new Error("README.md has no ```sh block");
  return block[1]!.split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "");
}

test("the README's first block is two commands: the demo, then the test command that .ci/run runs, on .ci/run's Deno", () => {
  const commands = firstBlockCommands();
  assertEquals(commands.length, 2);
  const version = /^DENO_VERSION=(\S+)$/m.exec(ciRun)?.[1];
  assertEquals(commands[0], `npx -y deno@${version} task demo`);
  assert(/^deno task test /m.test(ciRun), ".ci/run runs deno task test");
  assertEquals(commands[1], `npx -y deno@${version} task test`);
});

test(".ci/run makes its static checks through deno task check, the task a developer runs, and every task says what it does", () => {
  assert(/^step "deno task check" deno task check$/m.test(ciRun));
  assertEquals(/deno (fmt|lint|check|doc|publish) /.test(ciRun), false);
  const { tasks } = JSON.parse(
    Deno.readTextFileSync(`${root}deno.json`),
  ) as { tasks: Record<string, { command: string; description: string }> };
  assertEquals(tasks.check?.command, "deno run --allow-all tools/check.ts");
  for (const [name, task] of Object.entries(tasks)) {
    assert(task.description?.length > 0, `task ${name} has no description`);
  }
});

/** The README's TypeScript blocks that listen on port 8000: its echo servers. */
function echoServers(): string[] {
  return [...readme.matchAll(/```ts ignore\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .filter((code) => code.includes("listenTCP(8000"));
}

/** Waits (polling every 50 ms, at most 20 s) until something accepts on `port`. */
async function accepting(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const nc = findPeer(PEERS.nc);

test(
  "the README's quick-start echo servers, run with --allow-net as it says, echo the lines nc sends",
  async () => {
    const servers = echoServers();
    assertEquals(servers.length, 2);
    for (const code of servers) {
      const port = freePortBase() + 7; // any free port will do
      const file = await Deno.makeTempFile({ suffix: ".ts" });
      await Deno.writeTextFile(file, code.replace("8000", String(port)));
      const server = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net", "--config", `${root}deno.json`, file],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      try {
        await accepting(port);
        const client = await new Deno.Command("sh", {
          args: [
            "-c",
            `printf 'hello\\nworld\\n' | timeout 10 ${nc.path} -N 127.0.0.1 ${port}`,
          ],
          stdout: "piped",
        }).output();
        assertEquals(new TextDecoder().decode(client.stdout), "hello\nworld\n");
      } finally {
        server.kill("SIGTERM");
        await server.output();
        await Deno.remove(file);
      }
    }
  },
  { ignore: nc.ignore },
);

const git = findPeer(PEERS.git);
const npx = findPeer(PEERS.npx);

/** A process group running `command`, with its output collected. */
class Group {
  readonly child: Deno.ChildProcess;
  output = "";
  #done: Promise<void>;

  constructor(command: string, cwd: string, env: Record<string, string>) {
    // setsid: a group of its own, to signal it as a terminal's Ctrl-C does.
    this.child = new Deno.Command("setsid", {
      args: ["sh", "-c", command],
      cwd,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const decoder = () => new TextDecoderStream();
    this.#done = Promise.all([
      this.#collect(this.child.stdout.pipeThrough(decoder())),
      this.#collect(this.child.stderr.pipeThrough(decoder())),
    ]).then(() => {});
  }

  async #collect(stream: ReadableStream<string>): Promise<void> {
    for await (const text of stream) this.output += text;
  }

  /** Waits (polling every 100 ms, at most `ms`) until the output holds `text`. */
  async waitFor(text: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.output.includes(text)) {
      if (Date.now() > deadline) {
        throw new Error(
          `no "${text}" within ${ms} ms; output:\n${this.output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Signals every process of the group. */
  signal(signal: Deno.Signal): void {
    try {
      Deno.kill(-this.child.pid, signal);
    } catch {
      // The group has gone already.
    }
  }

  async wait(): Promise<Deno.CommandStatus> {
    const status = await this.child.status;
    await this.#done;
    return status;
  }
}

test(
  "the README's first command, on a fresh clone with a fresh DENO_DIR, serves every service it lists until Ctrl-C",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "spindle-quickstart-" });
    try {
      const clone = `${dir}/spindle`;
      const cloned = await new Deno.Command(git.path, {
        args: ["clone", "--quiet", root, clone],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert(cloned.success, new TextDecoder().decode(cloned.stderr));

      let command = firstBlockCommands()[0]!;
      // Another demo (a person's, a test's) may hold the default ports: the
      // command runs as written when they are free, else on other ports.
      const base = freePortBase(DEFAULT_PORT_BASE);
      if (base !== DEFAULT_PORT_BASE) command += ` --port-base ${base}`;
      const env = { DENO_DIR: `${dir}/deno_dir`, NO_COLOR: "1" };
      const demo = new Group(command, clone, env);
      try {
        await demo.waitFor("Ctrl-C stops the demo", 120_000);
        const page = /listed at (http:\/\/\S+\/)/.exec(demo.output)?.[1];
        assert(page !== undefined, demo.output);
        const response = await fetch(`${page}services.json`);
        const { services } = await response.json() as {
          services: DemoListing[];
        };
        for (const service of services) {
          assert(demo.output.includes(`  ${service.name} `), service.name);
        }
        assertEquals(await failedTryIts(services), []);
      } finally {
        demo.signal("SIGINT");
        const status = await demo.wait();
        assert(
          demo.output.includes("demo stopped"),
          `the demo did not stop cleanly:\n${demo.output}`,
        );
        // npm's npx ends with 130 when it got the Ctrl-C itself, whatever its
        // child's status; the demo's own clean stop is the line above.
        assert(status.code === 0 || status.code === 130, demo.output);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { ignore: git.ignore || npx.ignore || tryItPeersMissing() },
);
