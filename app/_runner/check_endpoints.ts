// Mistakes in an endpoint string that its grammar cannot see but that would
// only fail the start, with an error that names nothing (NotFound, "failed to
// lookup address information"): a unix socket in a folder that does not
// exist, an interface that does not resolve. Checked before anything starts
// (and before --daemon detaches), so that they reach the terminal as usage
// errors naming the path or host.
import { lookup } from "node:dns/promises";
import { dirname, resolve } from "node:path";
import { isIP } from "node:net";
import { splitEndpoint } from "../../reactor/endpoints/grammar.ts";
import { UsageError } from "../options.ts";
import type { OptionValues } from "../options.ts";
import type { Plugin } from "../plugin.ts";

const INTERFACE_KINDS = new Set(["tcp", "tls", "ssl", "udp"]);

/** Checks the endpoint options of `plugin` among `values`. */
export async function checkEndpoints(
  plugin: Plugin,
  values: OptionValues,
): Promise<void> {
  for (const name of plugin.endpointOptions ?? []) {
    const value = values[name];
    const descriptions = Array.isArray(value) ? value : [value];
    for (const description of descriptions) {
      if (typeof description === "string") {
        await checkEndpoint(name, description);
      }
    }
  }
}

async function checkEndpoint(option: string, description: string) {
  const segments = splitEndpoint(description);
  // A wrapper kind (haproxy:tcp:...) comes first: find the transport's kind.
  const at = segments.findIndex((s) =>
    s.key === undefined && (s.value === "unix" || INTERFACE_KINDS.has(s.value))
  );
  if (at < 0) return;
  const kind = segments[at]!.value;
  const rest = segments.slice(at + 1);
  if (kind === "unix") {
    const path = rest.find((s) => s.key === undefined || s.key === "path")
      ?.value;
    if (path !== undefined) checkSocketFolder(option, path);
    return;
  }
  const host = rest.find((s) => s.key === "interface")?.value;
  if (host !== undefined && host !== "" && isIP(host) === 0) {
    try {
      await lookup(host);
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      throw new UsageError(
        `--${option} ${description}: the interface ${host} does not resolve (${code}): give an IP address, or a name that resolves`,
      );
    }
  }
}

function checkSocketFolder(option: string, path: string): void {
  const folder = dirname(resolve(path));
  let isFolder: boolean;
  try {
    isFolder = Deno.statSync(folder).isDirectory;
  } catch {
    throw new UsageError(
      `--${option} unix:${path}: the folder ${folder} does not exist: create it, or put the socket elsewhere`,
    );
  }
  if (!isFolder) {
    throw new UsageError(
      `--${option} unix:${path}: ${folder} is not a folder: put the socket in one`,
    );
  }
}
