/**
 * The demo's HTTP/2 site over TLS (ALPN `h2`, then `http/1.1`), on port
 * base + 443, with a self-signed certificate made for the demo.
 *
 * @module
 */
import { HTTPFactory } from "../../protocols/http/server.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import type { DemoService } from "./demo_service.ts";

/** Makes a self-signed certificate for `hostname` in `dir` with openssl (from `.ci/run`'s packages). */
async function demoCertificate(
  dir: string,
  hostname: string,
): Promise<{ cert: string; key: string }> {
  const cert = `${dir}/http2-cert.pem`;
  const key = `${dir}/http2-key.pem`;
  const { code, stderr } = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${hostname}`,
      "-addext",
      `subjectAltName=IP:${hostname},DNS:localhost`,
      "-keyout",
      key,
      "-out",
      cert,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `openssl could not make the demo's certificate: ${
        new TextDecoder().decode(stderr)
      }`,
    );
  }
  return { cert, key };
}

/**
 * HTTP/2 over TLS: the same handler shape as HTTP/1.1, the version chosen by
 * ALPN.
 *
 * @example Usage
 * ```ts
 * import { http2 } from "./http2.ts";
 * console.assert(http2.port === 443);
 * ```
 */
export const http2: DemoService = {
  name: "http2",
  description:
    "HTTP/2 over TLS (ALPN h2, self-signed certificate); cleartext HTTP/2 (prior knowledge) works on the web port too",
  port: 443,
  tryIt: ({ hostname, port }) => [{
    command:
      `curl -sk --http2 -w ' (HTTP/%{http_version})\\n' https://${hostname}:${port}/`,
    expect: "Hello from Spindle (HTTP/2)",
    note: `nghttp -nv https://${hostname}:${port}/ shows the frames`,
  }],
  makeService: async ({ address, dataDir }) => {
    const { cert, key } = await demoCertificate(dataDir, address.hostname);
    return new StreamServerEndpointService(
      `tls:${address.port}:interface=${address.hostname}:certKey=${cert}:privateKey=${key}`,
      new HTTPFactory(() => new Response("Hello from Spindle"), {
        secure: true,
      }),
      { name: "http2", defaults: { alpn: "h2,http/1.1" } },
    );
  },
};
