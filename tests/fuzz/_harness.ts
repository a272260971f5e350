// The fuzz property, held for one codec over many mutated inputs: any input
// ends in values or a typed error (never another exception), a core never
// buffers more than its limit, and every value that the codec can encode
// decodes back to itself.
import { isDeepStrictEqual } from "node:util";
import { concatChunks } from "../../reactor/bytes.ts";
import { splitAnywhere } from "../_random.ts";
import { mutate, type Random } from "./_mutate.ts";

/**
 * One parser under fuzz.
 *
 * @typeParam V The values the parser produces.
 */
export interface FuzzTarget<V = unknown> {
  /** The name used by `--codec` and for the corpus folder. */
  readonly name: string;
  /** Parses an input delivered in these pieces; throws on bad input. */
  parse(pieces: Uint8Array[]): V[];
  /** Whether `error` is the typed failure the codec promises for bad input. */
  isTypedError(error: unknown): boolean;
  /** The wire form of a value, for the round-trip property (when the codec encodes). */
  encode?(value: V): Uint8Array;
  /** Seeds used when the corpus folder is empty (and in addition to it). */
  readonly seeds?: readonly Uint8Array[];
}

/** What went wrong with one input. */
export interface Finding {
  /** `crash` (an untyped exception) or `round-trip` (a value that did not survive its encoding). */
  kind: "crash" | "round-trip";
  /** The input, as the parser got it (all pieces joined). */
  input: Uint8Array;
  /** What happened. */
  detail: string;
}

/** The outcome of fuzzing one target. */
export interface FuzzStats {
  /** How many inputs were tried. */
  inputs: number;
  /** The distinct typed errors seen (class and message with numbers blanked), with counts. */
  errors: Map<string, number>;
  /** Crashes and broken round trips, each with its input. */
  findings: Finding[];
}

/** Options of {@linkcode fuzz}. */
export interface FuzzOptions {
  /** How many mutated inputs to try. */
  iterations: number;
  /** The random source (seeded, so a run repeats exactly). */
  random: Random;
  /** The seed corpus: real traffic captured from peers. */
  corpus: readonly Uint8Array[];
  /** Called every `progressEvery` inputs with the count so far. */
  onProgress?: (inputs: number) => void;
  /** 1000 by default. */
  progressEvery?: number;
}

/** Runs `target` over `options.iterations` mutated inputs. */
export function fuzz<V>(
  target: FuzzTarget<V>,
  options: FuzzOptions,
): FuzzStats {
  const corpus = [...options.corpus, ...target.seeds ?? []];
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  const stats: FuzzStats = { inputs: 0, errors: new Map(), findings: [] };
  const every = options.progressEvery ?? 1000;
  for (let i = 0; i < options.iterations; i++) {
    const seed = corpus[Math.floor(options.random() * corpus.length)]!;
    // One input in eight is a seed unchanged, so the valid path keeps being
    // exercised (and round-tripped) whatever the mutations do.
    const input = options.random() < 0.125
      ? seed
      : mutate(options.random, seed, corpus);
    // Whole, or in pieces of up to a half, a quarter or an eighth of the
    // input: the incremental paths of a core are fuzzed too.
    const maxPiece = Math.max(
      1,
      input.length >> Math.floor(options.random() * 4),
    );
    check(target, splitAnywhere(input, options.random, { maxPiece }), stats);
    stats.inputs++;
    if (stats.inputs % every === 0) options.onProgress?.(stats.inputs);
  }
  return stats;
}

/** Holds the property for one input, adding to `stats`. */
export function check<V>(
  target: FuzzTarget<V>,
  pieces: Uint8Array[],
  stats: FuzzStats,
): void {
  let values: V[];
  try {
    values = target.parse(pieces);
  } catch (error) {
    if (target.isTypedError(error)) {
      const key = errorKey(error);
      stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
    } else {
      stats.findings.push({
        kind: "crash",
        input: concatChunks(pieces),
        detail: error instanceof Error
          ? `${error.stack ?? error.message}`
          : String(error),
      });
    }
    return;
  }
  if (target.encode === undefined) return;
  for (const value of values) {
    const detail = roundTripFailure(target, value);
    if (detail !== null) {
      stats.findings.push({
        kind: "round-trip",
        input: concatChunks(pieces),
        detail,
      });
      return;
    }
  }
}

function roundTripFailure<V>(target: FuzzTarget<V>, value: V): string | null {
  let again: V[];
  try {
    again = target.parse([target.encode!(value)]);
  } catch (error) {
    // A value the encoder refuses (over a limit) is not a broken round trip.
    if (target.isTypedError(error)) return null;
    return `re-decoding the encoded value threw ${String(error)}`;
  }
  if (again.length === 1 && isDeepStrictEqual(again[0], value)) return null;
  return `decoded ${inspect(value)}, re-encoded and decoded ${inspect(again)}`;
}

function errorKey(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  // Quoted input and numbers vary from input to input; the kind of error does not.
  const shape = message
    .replace(/"(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`/g, "Q")
    .replace(/0x[0-9a-f]+|\d+/gi, "N");
  return `${name}: ${shape.slice(0, 120)}`;
}

function inspect(value: unknown): string {
  return Deno.inspect(value, {
    depth: 4,
    iterableLimit: 8,
    strAbbreviateSize: 80,
  });
}

/** Reads every file of `tests/fuzz/corpus/<name>/` (none when the folder is missing). */
export async function loadCorpus(name: string): Promise<Uint8Array[]> {
  const dir = new URL(`./corpus/${name}/`, import.meta.url);
  const seeds: Uint8Array[] = [];
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile) names.push(entry.name);
    }
    for (const file of names.sort()) {
      seeds.push(await Deno.readFile(new URL(file, dir)));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return seeds;
}
