// `spindle run MODULE`: the command that runs a module's `application`.
import type { Plugin } from "../plugin.ts";
import { UsageError } from "../options.ts";
import type { Service } from "../service.ts";
import { loadModule } from "./load_module.ts";
import { MultiService } from "../multi_service.ts";

function isService(value: unknown): value is Service {
  return typeof (value as Service | undefined)?.startService === "function" &&
    typeof (value as Service).stopService === "function";
}

/** Loads the module once, in `validate`; `makeService` hands out its application. */
export const runPlugin: Plugin<Service> = {
  name: "run",
  description: "run a module that exports `application` (an Application)",
  usage: "MODULE [-- MODULE ARGS]",
  options: [
    {
      name: "manhole",
      valueName: "ENDPOINT",
      description:
        "also serve an SSH manhole: a JavaScript REPL with `application` in scope, on a loopback endpoint such as tcp:2223:interface=127.0.0.1",
    },
    {
      name: "authorized-keys",
      valueName: "FILE",
      description:
        "the public keys that may log in to the manhole (the only way in)",
    },
    {
      name: "manhole-any-interface",
      type: "boolean",
      description: "let --manhole listen on an interface other than loopback",
    },
  ],
  async validate({ args, options }) {
    // Arguments after the module belong to it, which reads them from Deno.args.
    const [path] = args;
    if (path === undefined) throw new UsageError("run needs a MODULE to run");
    const { application } = await loadModule(path);
    if (!isService(application)) {
      throw new UsageError(
        `${path} does not export \`application\` (an Application or Service)`,
      );
    }
    if (options.manhole === undefined) return application;
    if (options["authorized-keys"] === undefined) {
      throw new UsageError(
        "--manhole needs --authorized-keys FILE: its logins are by public key only",
      );
    }
    // Loaded only when asked for, as the built-in commands are.
    const { ManholeService } = await import("../../protocols/ssh/plugin.ts");
    const manhole = await ManholeService.create({
      listen: String(options.manhole),
      authorizedKeys: String(options["authorized-keys"]),
      anyInterface: options["manhole-any-interface"] === true,
      namespace: { application },
    });
    const both = new MultiService("run");
    application.setServiceParent(both);
    manhole.setServiceParent(both);
    return both;
  },
  makeService: (application) => application,
};
