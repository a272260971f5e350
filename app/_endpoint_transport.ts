/**
 * The check that lets the endpoint services take whatever `serverFromString`
 * returns for a description only known at run time.
 *
 * @module
 */
import {
  type AnyServerEndpoint,
  EndpointTransportError,
} from "../reactor/endpoints/mod.ts";

/**
 * Returns `endpoint` when it serves `expected` (stream or datagram); throws
 * `EndpointTransportError` for a parsed endpoint of the other transport.
 */
export function requireTransport<E extends object>(
  endpoint: E | AnyServerEndpoint,
  expected: "stream" | "datagram",
): E {
  if ("transport" in endpoint && endpoint.transport !== expected) {
    throw new EndpointTransportError(String(endpoint), expected);
  }
  return endpoint as E;
}
