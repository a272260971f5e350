/**
 * Trailer fields, which fetch's `Request` and `Response` have no place for:
 * sent after a chunked response body (`withTrailers`), received after a
 * chunked request or response body (`requestTrailers`, `responseTrailers`).
 *
 * @module
 */

/** A function that gives the trailer fields once the body was sent. */
export type TrailerSource = () => HeadersInit | Promise<HeadersInit>;

// A fetch Request or Response has no slot for trailers, and these objects are
// made (or returned) by user code: the fields are attached by identity, and
// go away with the message.
const outgoing = new WeakMap<Response, TrailerSource>();
const incoming = new WeakMap<Request | Response, Promise<Headers>>();

/**
 * Sends `trailers()` as trailer fields after `response`'s body, which is then
 * sent chunked (a fetch `Response` has no trailers of its own). Returns `response`.
 *
 * @example Usage
 * ```ts
 * import { withTrailers } from "@spindle/spindle/protocols/http";
 * const response = withTrailers(
 *   new Response(new Blob(["data"]).stream()),
 *   () => ({ "x-checksum": "abc" }),
 * );
 * console.assert(response.status === 200);
 * ```
 */
export function withTrailers(
  response: Response,
  trailers: TrailerSource,
): Response {
  outgoing.set(response, trailers);
  return response;
}

/**
 * The trailer fields of a request received by a Spindle server: resolves once
 * its body was read to the end (empty `Headers` for a body that was not chunked).
 *
 * @example Usage
 * ```ts
 * import { requestTrailers } from "@spindle/spindle/protocols/http";
 * const trailers = await requestTrailers(new Request("http://localhost/"));
 * console.assert([...trailers].length === 0);
 * ```
 */
export function requestTrailers(request: Request): Promise<Headers> {
  return incoming.get(request) ?? Promise.resolve(new Headers());
}

/**
 * The trailer fields of a response received by an `Agent`: resolves once
 * its body was read to the end (empty `Headers` for a body that was not
 * chunked, or one that was not read to the end).
 *
 * @example Usage
 * ```ts
 * import { responseTrailers } from "@spindle/spindle/protocols/http";
 * const trailers = await responseTrailers(new Response("no trailers"));
 * console.assert([...trailers].length === 0);
 * ```
 */
export function responseTrailers(response: Response): Promise<Headers> {
  return incoming.get(response) ?? Promise.resolve(new Headers());
}

/** The trailers `withTrailers` promised for `response`, if any (for the server's writer). */
export function trailersToSend(response: Response): TrailerSource | undefined {
  return outgoing.get(response);
}

/** Records the trailers a received message's body will end with (for the server and the agent). */
export function receivedTrailers(
  message: Request | Response,
  trailers: Promise<Headers>,
): void {
  incoming.set(message, trailers);
}
