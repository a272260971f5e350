// The runner's table of built-in commands: loaded lazily, described without
// loading them.
import { BUILTIN_COMMANDS } from "../../app/_runner/commands.ts";
import { assert, assertEquals, test } from "../../trial/mod.ts";

test("each built-in command is described in the table as its module describes it", async () => {
  for (const command of BUILTIN_COMMANDS) {
    const loaded = await command.load();
    if ("plugin" in loaded) {
      assertEquals(loaded.plugin.name, command.name);
      assertEquals(loaded.plugin.description, command.description);
    }
  }
});

test("the runner imports no protocol until a command is used", async () => {
  const cli = new URL("../../app/cli.ts", import.meta.url);
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", cli.pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  interface Dependency {
    code?: { specifier: string };
    isDynamic?: boolean;
  }
  const { modules } = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const bySpecifier = new Map(modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const pending = [cli.href];
  const lazy: string[] = [];
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (target === undefined) continue;
      if (dependency.isDynamic) lazy.push(target);
      else pending.push(target);
    }
  }
  const loadedAtStart = [...seen].filter((s) => s.includes("/protocols/"));
  assertEquals(loadedAtStart, []);
  assert(lazy.some((s) => s.endsWith("/protocols/http/plugin.ts")));
});
