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
  /** The deno commands of the step, run one after the other. */
  runs: string[][];
}

const config = JSON.parse(
  await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
) as { exports: Record<string, string> };
const exports = Object.values(config.exports);

const STEPS: Step[] = [
  { name: "deno fmt --check", runs: [["fmt", "--check"]] },
  { name: "deno lint", runs: [["lint"]] },
  {
    name: "deno check (every export, tests, examples, bench, tools)",
    runs: [["check", ...exports, "tests/", "examples/", "bench/", "tools/"]],
  },
  {
    // The guides' programs are complete servers: deno test would run them
    // (deno.json keeps docs/ out of it), so their blocks are type-checked here.
    name: "deno check --doc-only (the Markdown of README.md and docs/)",
    runs: [["check", "--doc-only", "README.md", "ARCHITECTURE.md", "docs/"]],
  },
  {
    // Each entry point alone: JSR documents each on its own page, and a type
    // that only another entry point re-exports passes a joint lint. Every
    // symbol a joint lint would see is reached from some entry point, so
    // this finds all it would.
    name: "deno doc --lint (each export alone)",
    runs: exports.map((entry) => ["doc", "--lint", entry]),
  },
  {
    name: "deno publish --dry-run",
    runs: [["publish", "--dry-run", "--allow-dirty"]],
  },
];

const root = new URL("../", import.meta.url);
const failed: string[] = [];
for (const step of STEPS) {
  console.log(`\n== ${step.name}`);
  let passed = true;
  for (const args of step.runs) {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: root,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    if (code !== 0) passed = false;
  }
  if (!passed) failed.push(step.name);
}
if (failed.length > 0) {
  console.error(`\ndeno task check failed: ${failed.join("; ")}`);
  Deno.exit(1);
}
console.log("\ndeno task check: every check passed");
