// The floor plan of ARCHITECTURE.md, held against the code: every import runs
// down (or stays on its floor), no two files import each other in a circle,
// protocol folders depend on each other in one direction only, the root module
// loads no protocol beyond the basic framings, and protocols open no socket
// outside the reactor. The floors are read from ARCHITECTURE.md itself, so the
// document and the code cannot drift apart; there is no list of exceptions.
import { join, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { assertEquals, test } from "../trial/mod.ts";

const root = fromFileUrl(new URL("../", import.meta.url));

// Folders that hold no library code: they may import anything.
const OUTSIDE_THE_HOUSE = new Set([
  "tests",
  "bench",
  "examples",
  "tools",
  "docs",
  "node_modules",
  ".ci",
  ".git",
]);

interface Floor {
  level: number;
  pattern: string;
}

// The ```floors block of ARCHITECTURE.md: "<level> <pattern> <pattern>...".
async function readFloors(): Promise<Floor[]> {
  const text = await Deno.readTextFile(join(root, "ARCHITECTURE.md"));
  const block = text.match(/```floors\n([\s\S]*?)```/);
  if (block === null) {
    throw new Error("ARCHITECTURE.md has no ```floors block");
  }
  const floors: Floor[] = [];
  for (const line of (block[1] as string).split("\n")) {
    const words = line.split("#")[0]!.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const [level, ...patterns] = words;
    for (const pattern of patterns) {
      floors.push({ level: Number(level), pattern });
    }
  }
  return floors;
}

function matches(pattern: string, file: string): boolean {
  if (pattern.endsWith("/")) return file.startsWith(pattern);
  const regex = new RegExp(
    "^" + pattern.split("*").map(escapeRegExp).join("[^/]+") + "$",
  );
  return regex.test(file);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

// A file pattern (mod.ts, protocols/*/plugin.ts) is more specific than a
// folder pattern, and a longer folder more specific than a shorter one.
function specificity(pattern: string): number {
  return (pattern.endsWith("/") ? 0 : 1000) + pattern.length;
}

function floorOf(floors: Floor[], file: string): Floor | undefined {
  return floors
    .filter((floor) => matches(floor.pattern, file))
    .sort((a, b) => specificity(b.pattern) - specificity(a.pattern))[0];
}

async function sourceFiles(dir = root): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    const name = relative(root, path);
    if (entry.isDirectory) {
      if (!OUTSIDE_THE_HOUSE.has(name) && !entry.name.startsWith(".")) {
        files.push(...await sourceFiles(path));
      }
    } else if (
      entry.isFile && name.endsWith(".ts") && !name.endsWith(".d.ts")
    ) {
      files.push(name);
    }
  }
  return files.sort();
}

interface Edge {
  from: string;
  to: string;
  dynamic: boolean;
}

// Deno's own module graph (static, type-only and literal dynamic imports),
// from a root outside the repository that imports every source file.
async function importEdges(files: string[]): Promise<Edge[]> {
  const dir = await Deno.makeTempDir({ prefix: "spindle-architecture-" });
  try {
    const entry = join(dir, "all.ts");
    await Deno.writeTextFile(
      entry,
      files.map((file) =>
        `import type {} from ${
          JSON.stringify(new URL(file, `file://${root}/`).href)
        };\n`
      ).join(""),
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(new TextDecoder().decode(output.stderr));
    }
    const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: {
          code?: { specifier: string };
          type?: { specifier: string };
          isDynamic?: boolean;
        }[];
      }[];
    };
    const edges: Edge[] = [];
    for (const module of graph.modules) {
      const from = inRepo(module.specifier);
      if (from === null || !files.includes(from)) continue;
      for (const dependency of module.dependencies ?? []) {
        for (const target of [dependency.code, dependency.type]) {
          const to = target ? inRepo(target.specifier) : null;
          if (to === null) continue;
          edges.push({ from, to, dynamic: dependency.isDynamic === true });
        }
      }
    }
    return edges;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function inRepo(specifier: string): string | null {
  if (!specifier.startsWith("file://")) return null;
  const path = relative(root, fromFileUrl(specifier));
  return path.startsWith("..") ? null : path;
}

// Strongly connected components with more than one member (Tarjan), i.e. the
// circles of a graph given as adjacency lists.
function circles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

function graphOf(edges: { from: string; to: string }[]) {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    if (!graph.has(to)) graph.set(to, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

// protocols/<name>, or the top folder, or the root file itself.
function packageOf(file: string): string {
  const parts = file.split("/");
  if (parts.length === 1) return file;
  return parts[0] === "protocols" && parts.length > 2
    ? `${parts[0]}/${parts[1]}`
    : parts[0] as string;
}

const floors = await readFloors();
const files = await sourceFiles();
const edges = await importEdges(files);

test("every source file stands on a floor named in ARCHITECTURE.md", () => {
  const homeless = files.filter((file) => floorOf(floors, file) === undefined);
  assertEquals(homeless, []);
});

test("every floor pattern of ARCHITECTURE.md names code that exists", () => {
  const stale = floors
    .filter((floor) => !files.some((file) => matches(floor.pattern, file)))
    .map((floor) => floor.pattern);
  assertEquals(stale, []);
});

test("no import runs up a floor", () => {
  const upward = edges
    .filter(({ from, to }) => {
      const a = floorOf(floors, from);
      const b = floorOf(floors, to);
      return a !== undefined && b !== undefined && b.level > a.level;
    })
    .map(({ from, to }) =>
      `${from} (floor ${floorOf(floors, from)!.level}) -> ${to} (floor ${
        floorOf(floors, to)!.level
      })`
    );
  assertEquals(upward, []);
});

test("no two source files import each other in a circle", () => {
  assertEquals(circles(graphOf(edges)), []);
});

test("protocol folders depend on each other in one direction only", () => {
  const between = edges
    .filter(({ from, to }) =>
      from.startsWith("protocols/") && to.startsWith("protocols/")
    )
    .map(({ from, to }) => ({ from: packageOf(from), to: packageOf(to) }));
  assertEquals(circles(graphOf(between)), []);
});

test("the root module loads no protocol beyond the basic framings", () => {
  const loaded = new Set<string>();
  const pending = ["mod.ts"];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const edge of edges) {
      if (edge.from === file && !edge.dynamic) pending.push(edge.to);
    }
  }
  const protocols = [...loaded].filter((file) =>
    file.startsWith("protocols/") && !file.startsWith("protocols/basic/")
  );
  assertEquals(protocols, []);
});

test("protocols open no socket outside the reactor", async () => {
  const socketCall =
    /\bDeno\.(connect|connectTls|listen|listenTls|listenDatagram|startTls)\b/;
  const offenders: string[] = [];
  for (const file of files.filter((file) => file.startsWith("protocols/"))) {
    const code = (await Deno.readTextFile(join(root, file)))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    if (socketCall.test(code)) offenders.push(file);
  }
  assertEquals(offenders, []);
});

test("every protocol folder is an entry point of its own in deno.json", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(join(root, "deno.json")),
  ) as { exports: Record<string, string> };
  const exported = new Set(Object.values(config.exports));
  const folders = new Set(
    files.filter((file) => /^protocols\/[^/]+\/mod\.ts$/.test(file)),
  );
  const missing = [...folders].filter((mod) => !exported.has(`./${mod}`));
  assertEquals(missing, []);
});
