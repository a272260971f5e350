// An HTTP client with Spindle's Agent: requests return Deferreds of fetch
// Responses, connections are pooled per host and reused, redirects are
// followed, and bodies stream.
//
// Run it:   deno run -A examples/http_client.ts --url http://127.0.0.1:8080/
//           (start examples/http_hello.ts first, or point --url anywhere)
// Options:  --url URL (default http://127.0.0.1:8080/), --count N requests (default 3)
import { Agent } from "../protocols/http/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

const url = option("url", "http://127.0.0.1:8080/");
const count = Number(option("count", "3"));
const agent = new Agent({ responseTimeout: 10_000 });
try {
  for (let i = 1; i <= count; i++) {
    const response = await agent.request("GET", url, {
      headers: { "user-agent": "spindle-example" },
    });
    const body = await response.text();
    console.log(
      `${i}: ${response.status} ${response.statusText} (${body.length} bytes): ${
        body.trim().slice(0, 60)
      }`,
    );
  }
  // A POST with a body; a Deferred can also be used with callbacks.
  await agent.request("POST", url, { body: "ping" }).addCallback(
    async (response) => {
      console.log(
        `POST: ${response.status}, ${
          (await response.text()).trim().slice(0, 60)
        }`,
      );
    },
  );
  console.log(`pooled connections: ${agent.idleConnectionCount}`);
} finally {
  await agent.close();
}
