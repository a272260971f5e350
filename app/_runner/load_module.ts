// The one way the runner loads a module named on its command line (`run
// MODULE`, `--plugin MODULE`): a URL as given, anything else as a file path.
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { UsageError } from "../options.ts";

// A scheme has two letters at least, so that a Windows path (C:\app.ts) is a path.
const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/**
 * Imports `specifier` (a URL, or a path relative to the working directory).
 *
 * @throws {UsageError} When the module cannot be loaded, with the first line of the reason.
 */
export async function loadModule(
  specifier: string,
): Promise<Record<string, unknown>> {
  const url = URL_SCHEME.test(specifier)
    ? specifier
    : pathToFileURL(resolve(specifier)).href;
  try {
    return await import(url);
  } catch (error) {
    throw new UsageError(`cannot load ${specifier}: ${reason(error)}`);
  }
}

// The first line of Deno's message, and where it points: a syntax error says
// its file and line only on a later line ("    at file:///app.ts:3:14").
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [first] = error.message.split("\n");
  const at = /^\s*at (file:\/\/\S+?):(\d+):(\d+)\s*$/m.exec(error.message);
  if (at === null) return first!;
  return `${first} at ${fileURLToPath(at[1]!)}:${at[2]}:${at[3]}`;
}
