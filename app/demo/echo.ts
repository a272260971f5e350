/**
 * The demo's echo service (RFC 862), on port base + 7.
 *
 * @module
 */
import { echo as serveEcho } from "../../protocols/wire/echo.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import { type DemoService, endpointString } from "./demo_service.ts";

/**
 * Echo: sends every byte back.
 *
 * @example Usage
 * ```ts
 * import { echo } from "./echo.ts";
 * console.assert(echo.port === 7);
 * ```
 */
export const echo: DemoService = {
  name: "echo",
  description: "the echo protocol (RFC 862): sends every byte back",
  port: 7,
  tryIt: ({ hostname, port }) => [{
    // -N: half-close after stdin ends, so that nc exits once the echo is back.
    command: `echo hello | nc -N ${hostname} ${port}`,
    expect: "hello",
  }],
  makeService: ({ address }) =>
    new StreamServerEndpointService(endpointString(address), serveEcho, {
      name: "echo",
    }),
};
