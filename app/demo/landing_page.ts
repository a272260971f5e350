/**
 * The demo's landing page: every service, where it listens, and the
 * commands to try it.
 *
 * @module
 */
import type { DemoListing } from "./demo_service.ts";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function section(service: DemoListing): string {
  const { hostname, port } = service.address;
  const tries = service.tryIt.map((tryIt) =>
    `<pre><code>${escapeHtml(tryIt.command)}</code></pre>` +
    `<p class="expect">prints: <code>${escapeHtml(tryIt.expect)}</code>${
      tryIt.note === undefined ? "" : ` — ${escapeHtml(tryIt.note)}`
    }</p>`
  ).join("\n");
  return `<section id="${escapeHtml(service.name)}">
<h2>${escapeHtml(service.name)} <small>${hostname}:${port} (${
    service.transports.join(", ")
  })</small></h2>
<p>${escapeHtml(service.description)}</p>
${tries}
</section>`;
}

/**
 * The landing page's HTML for `services`.
 *
 * @example Usage
 * ```ts
 * import { landingPage } from "./landing_page.ts";
 * const html = landingPage([]);
 * console.assert(html.startsWith("<!doctype html>"));
 * ```
 */
export function landingPage(services: readonly DemoListing[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Spindle demo</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
pre { background: #f4f4f4; padding: .5rem .75rem; overflow-x: auto; }
small { color: #666; font-weight: normal; }
.expect { margin-top: -.5rem; color: #444; }
</style>
</head>
<body>
<h1>Spindle demo</h1>
<p>Every service below runs in one <code>spindle demo</code> process on
loopback. Copy a command into a terminal to try it; the list as JSON is at
<a href="/services.json">/services.json</a>.</p>
${services.map(section).join("\n")}
</body>
</html>
`;
}
