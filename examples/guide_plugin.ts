// The program of docs/writing_a_plugin.md: a `spindle` command of your own.
// The module exports `plugin`; the runner parses its options, prints its
// --help, exits 2 on a bad option, and gives it pid files, logging, --workers,
// --daemon and graceful shutdown for free.
//
// Run it:   deno task spindle --plugin ./examples/guide_plugin.ts greet --listen tcp:7001:interface=127.0.0.1
//           deno task spindle --plugin ./examples/guide_plugin.ts greet --help
// Or alone: deno run -A examples/guide_plugin.ts greet --listen tcp:7001
// Try it:   nc 127.0.0.1 7001
import {
  type Plugin,
  StreamServerEndpointService,
  UsageError,
} from "../app/mod.ts";

/** The options of `greet`, once validated. */
export interface GreetOptions {
  listen: string;
  greeting: string;
  times: number;
}

/** `greet`: says the greeting `--times` times to each connection, then closes it. */
export const plugin: Plugin<GreetOptions> = {
  name: "greet",
  description: "says hello to each connection",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description: "where to listen, such as tcp:7001:interface=127.0.0.1",
      default: "tcp:7001",
    },
    { name: "greeting", description: "what to say", default: "hello" },
    {
      name: "times",
      type: "number",
      description: "how many times to say it (1 to 10)",
      default: 1,
    },
  ],
  // Under --workers, the runner binds a port-0 endpoint once, for all workers.
  endpointOptions: ["listen"],
  // Runs before anything listens (and before --daemon detaches): a mistake
  // here is one line on the terminal and exit status 2.
  validate({ options }) {
    const greeting = String(options.greeting);
    const times = Number(options.times);
    if (greeting === "") throw new UsageError("--greeting cannot be empty");
    if (!Number.isInteger(times) || times < 1 || times > 10) {
      throw new UsageError(`--times must be 1 to 10, not ${options.times}`);
    }
    return { listen: String(options.listen), greeting, times };
  },
  makeService({ listen, greeting, times }, { reusePort }) {
    const bytes = new TextEncoder().encode(`${greeting}\n`.repeat(times));
    return new StreamServerEndpointService(listen, async (conn) => {
      await conn.write(bytes);
      await conn.close();
    }, { name: "greet", reusePort });
  },
};

// `deno run examples/guide_plugin.ts greet ...` is short for
// `spindle --plugin ./examples/guide_plugin.ts greet ...`. (Imported here, not
// at the top: the runner imports this module, and must not be imported back.)
if (import.meta.main) {
  const { main } = await import("../app/cli.ts");
  Deno.exit(await main(["--plugin", import.meta.filename!, ...Deno.args]));
}
