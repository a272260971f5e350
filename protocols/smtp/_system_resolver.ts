// The resolver sendMail asks for MX records when it is given none: the name
// servers of /etc/resolv.conf (127.0.0.1 when it lists none, as glibc does),
// with /etc/hosts first.
import { createResolver, type Resolver } from "../dns/resolver.ts";

let system: Promise<Resolver> | undefined;

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
