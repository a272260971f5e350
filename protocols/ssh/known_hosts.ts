/**
 * OpenSSH `known_hosts` files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): host
 * patterns with `*`, `?` and `!`, `[host]:port` for ports other than 22,
 * hashed entries (`|1|salt|HMAC-SHA1`), and `@revoked` keys.
 *
 * @module
 */
import { SSHReader } from "./wire.ts";
import { SSH_PORT } from "./constants.ts";
import type { HostKeyVerifier } from "./transport.ts";

interface Entry {
  marker: string;
  patterns: string;
  type: string;
  blob: Uint8Array;
}

/**
 * What a `known_hosts` file says of a host's key.
 *
 * @example Usage
 * ```ts
 * import type { HostKeyStatus } from "@spindle/spindle/protocols/ssh";
 * const statuses: HostKeyStatus[] = ["known", "changed", "revoked", "unknown"];
 * console.assert(statuses.length === 4);
 * ```
 */
export type HostKeyStatus = "known" | "changed" | "revoked" | "unknown";

function hostName(host: string, port: number): string {
  return port === SSH_PORT ? host : `[${host}]:${port}`;
}

function glob(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(
    /\*/g,
    ".*",
  )
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i").test(text);
}

async function hashedMatch(pattern: string, name: string): Promise<boolean> {
  const [, magic, salt = "", hash = ""] = pattern.split("|");
  if (magic !== "1") return false;
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      Uint8Array.fromBase64(salt),
      { name: "HMAC", hash: "SHA-1" },
      false,
      ["sign"],
    );
    const mac = new Uint8Array(
      await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(name)),
    );
    return mac.toBase64() === hash;
  } catch {
    return false;
  }
}

async function matches(patterns: string, name: string): Promise<boolean> {
  if (patterns.startsWith("|")) return await hashedMatch(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(",")) {
    if (pattern.startsWith("!")) {
      if (glob(pattern.slice(1), name)) return false;
    } else if (glob(pattern, name)) matched = true;
  }
  return matched;
}

/**
 * A `known_hosts` file, parsed.
 *
 * @example Usage
 * ```ts
 * import { KnownHosts, SSHPrivateKey } from "@spindle/spindle/protocols/ssh";
 * const key = await SSHPrivateKey.generate();
 * const line = await KnownHosts.formatLine("127.0.0.1", 2222, key.publicBlob, { hash: true });
 * const known = KnownHosts.parse(line);
 * console.assert((await known.check("127.0.0.1", 2222, key.publicBlob)) === "known");
 * ```
 */
export class KnownHosts {
  readonly #entries: Entry[];

  private constructor(entries: Entry[]) {
    this.#entries = entries;
  }

  /** Parses `known_hosts` text; lines it cannot read are skipped, as OpenSSH does. */
  static parse(text: string): KnownHosts {
    const entries: Entry[] = [];
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      const fields = line.split(/\s+/);
      const marker = fields[0]!.startsWith("@") ? fields.shift()! : "";
      const [patterns = "", type = "", encoded = ""] = fields;
      try {
        const blob = Uint8Array.fromBase64(encoded);
        if (new SSHReader(blob).text() !== type) continue;
        entries.push({ marker, patterns, type, blob });
      } catch {
        continue;
      }
    }
    return new KnownHosts(entries);
  }

  /** Reads the file at `path`; a missing file knows no host. */
  static async load(path: string | URL): Promise<KnownHosts> {
    try {
      return KnownHosts.parse(await Deno.readTextFile(path));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return new KnownHosts([]);
      throw error;
    }
  }

  /**
   * A line for `host` and `port` with the key `blob`; with `hash`, the host
   * is hashed as `ssh-keygen -H` does.
   */
  static async formatLine(
    host: string,
    port: number,
    blob: Uint8Array,
    options: { hash?: boolean } = {},
  ): Promise<string> {
    const type = new SSHReader(blob).text();
    let name = hostName(host, port);
    if (options.hash) {
      const salt = crypto.getRandomValues(new Uint8Array(20));
      const key = await crypto.subtle.importKey(
        "raw",
        salt,
        { name: "HMAC", hash: "SHA-1" },
        false,
        ["sign"],
      );
      const mac = new Uint8Array(
        await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(name)),
      );
      name = `|1|${salt.toBase64()}|${mac.toBase64()}`;
    }
    return `${name} ${type} ${blob.toBase64()}\n`;
  }

  /**
   * What the file says of `blob` as the key of `host` at `port`: `known`,
   * `changed` (the host is listed with other keys of this type), `revoked`,
   * or `unknown`.
   */
  async check(
    host: string,
    port: number,
    blob: Uint8Array,
  ): Promise<HostKeyStatus> {
    const name = hostName(host, port);
    const hex = blob.toHex();
    const type = new SSHReader(blob).text();
    let status: HostKeyStatus = "unknown";
    for (const entry of this.#entries) {
      if (entry.marker === "@revoked") {
        if (entry.blob.toHex() === hex) return "revoked";
        continue;
      }
      if (entry.marker !== "" || !(await matches(entry.patterns, name))) {
        continue;
      }
      if (entry.blob.toHex() === hex) status = "known";
      else if (entry.type === type && status === "unknown") status = "changed";
    }
    return status;
  }

  /** A verifier for a client that trusts only keys this file lists for `host`. */
  verifier(host: string, port: number): HostKeyVerifier {
    return async (blob) => (await this.check(host, port, blob)) === "known";
  }
}
