// Serves a folder over HTTP with Twisted-style resources: a `Site` whose root
// has the folder as a `File` child (ranges, ETags, conditional requests,
// directory listing, and no way out of the folder) and a small dynamic page.
//
// Run it:   deno run -A examples/http_static.ts --port 8080 --root ./examples
// Try it:   curl http://127.0.0.1:8080/files/       curl -r 0-99 http://127.0.0.1:8080/files/http_static.ts
//           curl http://127.0.0.1:8080/
// Options:  --port N (default 8080, 0 picks a free one), --root DIR (default the current folder)
import { reactor } from "../reactor/mod.ts";
import { File, Resource, serveHTTP, Site } from "../protocols/http/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

class Home extends Resource {
  renderGET(): Response {
    return new Response(
      '<!DOCTYPE html><title>Spindle</title><p>Files are <a href="/files/">here</a>.</p>\n',
      { headers: { "content-type": "text/html;charset=UTF-8" } },
    );
  }
}

const root = new Resource();
root.putChild("", new Home());
root.putChild(
  "files",
  new File(option("root", "."), { directoryListing: true }),
);

const server = await serveHTTP(new Site(root).fetch, {
  listen: `tcp:${option("port", "8080")}:interface=127.0.0.1`,
});
const address = server.addr as Deno.NetAddr;
console.log(`listening on ${address.hostname}:${address.port}`);

reactor.addSystemEventTrigger("before", "shutdown", () => server.shutdown());
await reactor.run();
await reactor.cleanUp();
