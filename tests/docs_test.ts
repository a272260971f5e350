// The guides in docs/ stay true: every program a guide embeds in full is
// byte-identical to its file (which `deno task examples` runs), and every
// relative link in a guide points to a file that exists.
import { assertEquals } from "../trial/assertions.ts";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

async function guides(): Promise<{ name: string; text: string }[]> {
  const found: { name: string; text: string }[] = [];
  for await (const entry of Deno.readDir(`${ROOT}docs`)) {
    if (!entry.isFile || !entry.name.endsWith(".md")) continue;
    found.push({
      name: entry.name,
      text: await Deno.readTextFile(`${ROOT}docs/${entry.name}`),
    });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

// `<!-- file: PATH -->`, then (after the blank line `deno fmt` puts there) a
// fenced block: the block must be PATH's text.
const embedded =
  /<!-- file: (\S+) -->\n\n?(`{3,})[^\n]*\n([\s\S]*?)\n\2(?:\n|$)/g;

Deno.test("every program a guide embeds in full equals its file", async () => {
  const differing: string[] = [];
  let count = 0;
  for (const { name, text } of await guides()) {
    for (const [, path, , block] of text.matchAll(embedded)) {
      count++;
      const file = await Deno.readTextFile(`${ROOT}${path}`).catch(() => null);
      if (file !== `${block}\n`) differing.push(`docs/${name}: ${path}`);
    }
  }
  assertEquals(differing, []);
  if (count === 0) throw new Error("no <!-- file: --> blocks found in docs/");
});

Deno.test("every file marker in a guide is followed by a fenced block", async () => {
  const orphans: string[] = [];
  for (const { name, text } of await guides()) {
    const markers = text.match(/<!-- file: \S+ -->/g)?.length ?? 0;
    const blocks = [...text.matchAll(embedded)].length;
    if (markers !== blocks) orphans.push(`docs/${name}`);
  }
  assertEquals(orphans, []);
});

// [text](target): targets without a scheme are paths relative to docs/.
const link = /\[[^\]]*\]\(([^)\s]+)\)/g;

Deno.test("every relative link in a guide points to a file that exists", async () => {
  const broken: string[] = [];
  for (const { name, text } of await guides()) {
    // Links inside code blocks are code, not links.
    const prose = text.replace(/(`{3,})[\s\S]*?\n\1/g, "");
    for (const [, target] of prose.matchAll(link)) {
      if (/^[a-z]+:/.test(target!) || target!.startsWith("#")) continue;
      const path = target!.split("#")[0]!;
      try {
        await Deno.stat(`${ROOT}docs/${path}`);
      } catch {
        broken.push(`docs/${name}: ${target}`);
      }
    }
  }
  assertEquals(broken, []);
});
