/**
 * The demo's web site, on port base + 80: the landing page that lists every
 * service, the same list as JSON, and a plain-text hello.
 *
 * @module
 */
import { HTTPFactory } from "../../protocols/http/server.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import {
  type DemoListing,
  type DemoService,
  endpointString,
} from "./demo_service.ts";
import { landingPage } from "./landing_page.ts";

/** The site's answer to each request. */
function site(
  services: readonly DemoListing[],
): (request: Request) => Response {
  const page = landingPage(services);
  const json = JSON.stringify({ services }, null, 2) + "\n";
  return (request) => {
    const { pathname } = new URL(request.url);
    switch (pathname) {
      case "/":
        return new Response(page, {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      case "/services.json":
        return new Response(json, {
          headers: { "content-type": "application/json" },
        });
      case "/hello":
        return new Response("Hello from Spindle!\n", {
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      default:
        return new Response("Not found: try /\n", { status: 404 });
    }
  };
}

/**
 * The web site: the landing page at `/`.
 *
 * @example Usage
 * ```ts
 * import { web } from "./web.ts";
 * console.assert(web.port === 80);
 * ```
 */
export const web: DemoService = {
  name: "web",
  description:
    "HTTP/1.1: this page at /, the list of services at /services.json, a hello at /hello",
  port: 80,
  tryIt: ({ hostname, port }) => [{
    command: `curl -s http://${hostname}:${port}/hello`,
    expect: "Hello from Spindle!",
    note: `or open http://${hostname}:${port}/ in a browser`,
  }],
  makeService: ({ address, services }) =>
    new StreamServerEndpointService(
      endpointString(address),
      new HTTPFactory(site(services)),
      { name: "web" },
    ),
};
