// `spindle run MODULE`: the command that runs a module's `application`.
import type { Plugin } from "../plugin.ts";
import { UsageError } from "../options.ts";
import type { Service } from "../service.ts";
import { loadModule } from "./load_module.ts";

function isService(value: unknown): value is Service {
  return typeof (value as Service | undefined)?.startService === "function" &&
    typeof (value as Service).stopService === "function";
}

/** Loads the module once, in `validate`; `makeService` hands out its application. */
export const runPlugin: Plugin<Service> = {
  name: "run",
  description: "run a module that exports `application` (an Application)",
  usage: "MODULE [-- MODULE ARGS]",
  options: [],
  async validate({ args }) {
    // Arguments after the module belong to it, which reads them from Deno.args.
    const [path] = args;
    if (path === undefined) throw new UsageError("run needs a MODULE to run");
    const { application } = await loadModule(path);
    if (!isService(application)) {
      throw new UsageError(
        `${path} does not export \`application\` (an Application or Service)`,
      );
    }
    return application;
  },
  makeService: (application) => application,
};
