/**
 * The system's resolver: the name servers of `/etc/resolv.conf`, with
 * `/etc/hosts` first, for clients that look names up as the C library would
 * (SMTP's MX lookups, SOCKS destinations).
 *
 * @module
 */
import { createResolver, type Resolver } from "./resolver.ts";

let system: Promise<Resolver> | undefined;

/**
 * The one resolver of this process over the system's configuration: the
 * name servers `/etc/resolv.conf` lists (127.0.0.1 when it lists none, as
 * glibc does), `/etc/hosts` first. Made on the first call, then shared.
 *
 * @example Usage
 * ```ts
 * import { systemResolver } from "@spindle/spindle/protocols/dns";
 * const resolver = await systemResolver();
 * console.assert(resolver === await systemResolver());
 * ```
 */
export function systemResolver(): Promise<Resolver> {
  system ??= (async () => {
    let text = "";
    try {
      text = await Deno.readTextFile("/etc/resolv.conf");
    } catch {
      // No resolv.conf: the local resolver, as the C library falls back to.
    }
    const servers = [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) =>
      m[1]!.includes(":") ? `[${m[1]}]:53` : `${m[1]}:53`
    );
    return createResolver({
      servers: servers.length > 0 ? servers : ["127.0.0.1:53"],
      hosts: "/etc/hosts",
    });
  })();
  return system;
}
