/**
 * The errors of endpoint descriptions: each names the description, and the
 * kind or parameter at fault.
 *
 * @module
 */

/**
 * The base of the errors about a malformed endpoint description.
 *
 * @example Usage
 * ```ts
 * import {
 *   DenoReactor,
 *   EndpointDescriptionError,
 *   serverFromString,
 * } from "@spindle/spindle/reactor";
 * try {
 *   serverFromString(new DenoReactor(), "port=80");
 * } catch (error) {
 *   console.assert(error instanceof EndpointDescriptionError);
 * }
 * ```
 */
export class EndpointDescriptionError extends Error {
  /** The description that was given. */
  readonly description: string;
  /** Creates the error for `description`. */
  constructor(description: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.description = description;
  }
}

/**
 * An endpoint description names a kind (the part before the first `:`, or
 * the part after a wrapper's own positional parameters) that is not
 * registered.
 *
 * @example Usage
 * ```ts
 * import {
 *   DenoReactor,
 *   serverFromString,
 *   UnknownEndpointKindError,
 * } from "@spindle/spindle/reactor";
 * try {
 *   serverFromString(new DenoReactor(), "sctp:80");
 * } catch (error) {
 *   console.assert(error instanceof UnknownEndpointKindError);
 * }
 * ```
 */
export class UnknownEndpointKindError extends EndpointDescriptionError {
  /** The kind that was asked for. */
  readonly kind: string;
  /** Creates the error for `kind`, listing the kinds that exist. */
  constructor(description: string, kind: string, known: string[]) {
    super(
      description,
      `Unknown endpoint kind ${JSON.stringify(kind)} in ${
        JSON.stringify(description)
      }: use one of ${known.join(", ")}`,
    );
    this.kind = kind;
  }
}

/**
 * An endpoint description has a parameter that is unknown, missing, repeated
 * or has a bad value.
 *
 * @example Usage
 * ```ts
 * import {
 *   DenoReactor,
 *   InvalidEndpointParameterError,
 *   serverFromString,
 * } from "@spindle/spindle/reactor";
 * try {
 *   serverFromString(new DenoReactor(), "tcp:port=http");
 * } catch (error) {
 *   if (!(error instanceof InvalidEndpointParameterError)) throw error;
 *   console.assert(error.kind === "tcp" && error.parameter === "port");
 * }
 * ```
 */
export class InvalidEndpointParameterError extends EndpointDescriptionError {
  /** The kind whose parameter it is. */
  readonly kind: string;
  /** The parameter at fault. */
  readonly parameter: string;
  /**
   * Creates the error: `problem` says what is wrong with `parameter` of the
   * `kind` endpoint in `description`, and what to do.
   */
  constructor(
    description: string,
    parameter: string,
    options: { kind: string; problem: string },
  ) {
    super(
      description,
      `Endpoint ${JSON.stringify(description)}: ${options.kind} parameter ${
        JSON.stringify(parameter)
      } ${options.problem}`,
    );
    this.kind = options.kind;
    this.parameter = parameter;
  }
}

/**
 * An endpoint description is of a kind the reactor cannot serve: it lacks
 * the capability (`listenTLS`, `listenUnix`, `listenUDP`, ...) the kind
 * needs, as a fake or partial reactor may.
 *
 * @example Usage
 * ```ts
 * import {
 *   Clock,
 *   DenoReactor,
 *   MissingReactorCapabilityError,
 *   serverFromString,
 * } from "@spindle/spindle/reactor";
 * const deno = new DenoReactor();
 * const tcpOnly = Object.assign(new Clock(), {
 *   listenTCP: deno.listenTCP.bind(deno),
 *   connectTCP: deno.connectTCP.bind(deno),
 * });
 * try {
 *   serverFromString(tcpOnly, "unix:/tmp/app.sock");
 * } catch (error) {
 *   console.assert(error instanceof MissingReactorCapabilityError);
 * }
 * ```
 */
export class MissingReactorCapabilityError extends EndpointDescriptionError {
  /** The kind that needs the capability. */
  readonly kind: string;
  /** The reactor method that is missing, such as `listenTLS`. */
  readonly capability: string;
  /** Creates the error: the `kind` endpoint needs `capability` (what it gives: `transport`). */
  constructor(
    description: string,
    capability: string,
    options: { kind: string; transport: string },
  ) {
    super(
      description,
      `Endpoint ${
        JSON.stringify(description)
      }: ${options.kind} endpoints need ${options.transport}, but this reactor has no ${capability} method; use a DenoReactor`,
    );
    this.kind = options.kind;
    this.capability = capability;
  }
}

/**
 * An endpoint description is of the wrong transport for its use: a datagram
 * endpoint (`udp:`) where connections are served, or a stream endpoint where
 * datagrams are.
 *
 * @example Usage
 * ```ts
 * import {
 *   DenoReactor,
 *   EndpointTransportError,
 *   serverFromString,
 * } from "@spindle/spindle/reactor";
 * try {
 *   serverFromString(new DenoReactor(), "udp:53", { transport: "stream" });
 * } catch (error) {
 *   console.assert(error instanceof EndpointTransportError);
 * }
 * ```
 */
export class EndpointTransportError extends EndpointDescriptionError {
  /** The transport that is needed here. */
  readonly expected: "stream" | "datagram";
  /** Creates the error: `description` is not an `expected` endpoint. */
  constructor(description: string, expected: "stream" | "datagram") {
    super(
      description,
      expected === "stream"
        ? `Endpoint ${
          JSON.stringify(description)
        } is a datagram endpoint, but connections are served here: use a stream kind such as tcp:, tls: or unix:`
        : `Endpoint ${
          JSON.stringify(description)
        } is a stream endpoint, but datagrams are served here: use a datagram kind such as udp:`,
    );
    this.expected = expected;
  }
}
