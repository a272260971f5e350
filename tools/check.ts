/**
 * `deno task check`: every static check that `.ci/run` makes before the tests
 * (it runs this task, so the two cannot drift apart): format, lint, type
 * check of every entry point in `deno.json` and of the tests, examples,
 * benchmarks and tools, of the Markdown's code blocks, doc lint of every entry point, and a publish dry run.
 * Each step runs even when one before it failed; the task fails when any
 * did, naming them.
 *
 * @module
 */

interface Step {
  name: string;
  args: string[];
}

const config = JSON.parse(
  await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
) as { exports: Record<string, string> };
const exports = Object.values(config.exports);

const STEPS: Step[] = [
  { name: "deno fmt --check", args: ["fmt", "--check"] },
  { name: "deno lint", args: ["lint"] },
  {
    name: "deno check (every export, tests, examples, bench, tools)",
    args: ["check", ...exports, "tests/", "examples/", "bench/", "tools/"],
  },
  {
    // The guides' programs are complete servers: deno test would run them
    // (deno.json keeps docs/ out of it), so their blocks are type-checked here.
    name: "deno check --doc-only (the Markdown of README.md and docs/)",
    args: ["check", "--doc-only", "README.md", "ARCHITECTURE.md", "docs/"],
  },
  {
    name: "deno doc --lint (every export)",
    args: ["doc", "--lint", ...exports],
  },
  {
    name: "deno publish --dry-run",
    args: ["publish", "--dry-run", "--allow-dirty"],
  },
];

const root = new URL("../", import.meta.url);
const failed: string[] = [];
for (const step of STEPS) {
  console.log(`\n== ${step.name}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: step.args,
    cwd: root,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  if (code !== 0) failed.push(step.name);
}
if (failed.length > 0) {
  console.error(`\ndeno task check failed: ${failed.join("; ")}`);
  Deno.exit(1);
}
console.log("\ndeno task check: every check passed");
