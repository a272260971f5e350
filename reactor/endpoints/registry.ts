/**
 * The registry of endpoint kinds (Twisted's `serverFromString` /
 * `clientFromString` plugins): one table for server kinds, one for client
 * kinds. A protocol adds its own kinds, plain or wrappers, without touching
 * the parser.
 *
 * A wrapper kind's description is its kind, its own positional parameters,
 * the description of the endpoint it wraps, then its own named parameters:
 * `haproxy:tcp:8080:interface=127.0.0.1:trusted=10.0.0.0/8` (the wrapped
 * `tcp` endpoint takes the parameters it knows; the first one it does not
 * know goes back to `haproxy`), `socks5:proxy.example:1080:tcp:example.org:80`.
 *
 * @module
 */
import type {
  EndpointReactor,
  Reactor,
  TLSReactor,
  UDPReactor,
  UnixReactor,
} from "../interfaces.ts";
import type {
  AnyServerEndpoint,
  ClientEndpoint,
  ClientFromStringOptions,
  EndpointDefaults,
  ServerFromStringOptions,
} from "./endpoint.ts";
import {
  EndpointDescriptionError,
  InvalidEndpointParameterError,
  MissingReactorCapabilityError,
  UnknownEndpointKindError,
} from "./errors.ts";
import {
  EndpointParameters,
  type EndpointSegment,
  splitEndpoint,
} from "./grammar.ts";

/**
 * How deep wrapper kinds may nest in one description; deeper is refused
 * (a description is configuration: more would be a mistake, or a loop).
 *
 * @example Usage
 * ```ts
 * import { MAX_ENDPOINT_NESTING } from "@spindle/spindle/reactor";
 * console.assert(MAX_ENDPOINT_NESTING === 8);
 * ```
 */
export const MAX_ENDPOINT_NESTING = 8;

/**
 * The reactor methods a kind may need beyond TCP, and the capability
 * interface each belongs to.
 *
 * @example Usage
 * ```ts
 * import { reactor, type ReactorCapabilities } from "@spindle/spindle/reactor";
 * const tls: ReactorCapabilities["listenTLS"] = reactor;
 * console.assert(typeof tls.listenTLS === "function");
 * ```
 */
export interface ReactorCapabilities {
  /** Listening on Unix sockets. */
  listenUnix: UnixReactor;
  /** Connecting to Unix sockets. */
  connectUnix: UnixReactor;
  /** Listening for TLS. */
  listenTLS: TLSReactor;
  /** Connecting over TLS. */
  connectTLS: TLSReactor;
  /** Binding UDP ports. */
  listenUDP: UDPReactor;
}

const capabilityNames: Record<keyof ReactorCapabilities, string> = {
  listenUnix: "Unix sockets",
  connectUnix: "Unix sockets",
  listenTLS: "TLS",
  connectTLS: "TLS",
  listenUDP: "UDP",
};

/** Which parameters a kind takes, by position and by name. */
export interface EndpointSyntax {
  /**
   * The parameters that may be given by position, in order (they may be
   * given by name too). A wrapper kind's come before the endpoint it wraps.
   */
  readonly positional?: readonly string[];
  /** The parameters given only by name. A wrapper kind's come after the endpoint it wraps. */
  readonly named?: readonly string[];
}

/** What every kind's `create` gets besides its parameters. */
export interface EndpointContext {
  /** The reactor the description is parsed for. */
  readonly reactor: EndpointReactor;
  /**
   * The reactor, checked to have `capability`; throws a
   * `MissingReactorCapabilityError` naming the kind when it has not.
   */
  reactorWith<M extends keyof ReactorCapabilities>(
    capability: M,
  ): Reactor & ReactorCapabilities[M];
}

/** What a server kind's `create` gets besides its parameters. */
export interface ServerEndpointContext extends EndpointContext {
  /** The options `serverFromString` was given (non-string ones such as `reusePort`). */
  readonly options: ServerFromStringOptions;
}

/** What a server wrapper kind's `create` gets besides its parameters. */
export interface ServerEndpointWrapperContext extends ServerEndpointContext {
  /** The endpoint described after the wrapper's positional parameters. */
  readonly inner: AnyServerEndpoint;
}

/** What a client kind's `create` gets besides its parameters. */
export interface ClientEndpointContext extends EndpointContext {
  /** The options `clientFromString` was given. */
  readonly options: ClientFromStringOptions;
}

/** What a client wrapper kind's `create` gets besides its parameters. */
export interface ClientEndpointWrapperContext extends ClientEndpointContext {
  /** The endpoint described after the wrapper's positional parameters. */
  readonly inner: ClientEndpoint;
}

/** A kind of server endpoint, such as `tcp`. */
export interface ServerEndpointKind extends EndpointSyntax {
  /** Not a wrapper. */
  readonly wraps?: false;
  /** Makes the endpoint; bad parameters throw through `parameters`' getters. */
  create(
    parameters: EndpointParameters,
    context: ServerEndpointContext,
  ): AnyServerEndpoint;
}

/** A kind of server endpoint that wraps another, such as `haproxy`. */
export interface ServerEndpointWrapperKind extends EndpointSyntax {
  /** A wrapper: its description goes on with the one of the endpoint it wraps. */
  readonly wraps: true;
  /** Makes the endpoint around `context.inner`. */
  create(
    parameters: EndpointParameters,
    context: ServerEndpointWrapperContext,
  ): AnyServerEndpoint;
}

/** A kind of client endpoint, such as `tcp`. */
export interface ClientEndpointKind extends EndpointSyntax {
  /** Not a wrapper. */
  readonly wraps?: false;
  /** Makes the endpoint; bad parameters throw through `parameters`' getters. */
  create(
    parameters: EndpointParameters,
    context: ClientEndpointContext,
  ): ClientEndpoint;
}

/** A kind of client endpoint that wraps another, such as `socks5`. */
export interface ClientEndpointWrapperKind extends EndpointSyntax {
  /** A wrapper: its description goes on with the one of the endpoint it wraps. */
  readonly wraps: true;
  /** Makes the endpoint around `context.inner`. */
  create(
    parameters: EndpointParameters,
    context: ClientEndpointWrapperContext,
  ): ClientEndpoint;
}

const serverKinds = new Map<
  string,
  ServerEndpointKind | ServerEndpointWrapperKind
>();
const clientKinds = new Map<
  string,
  ClientEndpointKind | ClientEndpointWrapperKind
>();

function register<K>(
  table: Map<string, K>,
  side: string,
  name: string,
  kind: K,
): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(name)) {
    throw new TypeError(
      `Endpoint kind name ${
        JSON.stringify(name)
      } is not valid: use lower-case letters, digits, +, . or -, starting with a letter`,
    );
  }
  const existing = table.get(name);
  if (existing !== undefined && existing !== kind) {
    throw new TypeError(
      `A ${side} endpoint kind named ${
        JSON.stringify(name)
      } is already registered: choose another name`,
    );
  }
  table.set(name, kind);
}

/**
 * Adds a server endpoint kind under `name` (one kind may have several
 * names, as `tls` and `ssl`). Registering another kind under a taken name
 * throws a `TypeError`.
 *
 * @example Usage
 * ```ts
 * import {
 *   DenoReactor,
 *   registerServerEndpointKind,
 *   serverFromString,
 *   TCPServerEndpoint,
 * } from "@spindle/spindle/reactor";
 * // `loopback:8080` listens on 127.0.0.1 only.
 * registerServerEndpointKind("loopback", {
 *   positional: ["port"],
 *   create: (parameters, { reactor, options }) =>
 *     new TCPServerEndpoint(reactor, {
 *       port: parameters.port("port"),
 *       interface: "127.0.0.1",
 *       reusePort: options.reusePort,
 *     }),
 * });
 * const endpoint = serverFromString(new DenoReactor(), "loopback:8080");
 * console.assert(endpoint.toString() === "tcp:8080:interface=127.0.0.1");
 * ```
 */
export function registerServerEndpointKind(
  name: string,
  kind: ServerEndpointKind | ServerEndpointWrapperKind,
): void {
  register(serverKinds, "server", name, kind);
}

/**
 * Adds a client endpoint kind under `name`. Registering another kind under a
 * taken name throws a `TypeError`.
 *
 * @example Usage
 * ```ts
 * import {
 *   clientFromString,
 *   DenoReactor,
 *   registerClientEndpointKind,
 *   TCPClientEndpoint,
 * } from "@spindle/spindle/reactor";
 * // `local:8080` connects to 127.0.0.1.
 * registerClientEndpointKind("local", {
 *   positional: ["port"],
 *   create: (parameters, { reactor }) =>
 *     new TCPClientEndpoint(reactor, {
 *       host: "127.0.0.1",
 *       port: parameters.port("port"),
 *     }),
 * });
 * const endpoint = clientFromString(new DenoReactor(), "local:8080");
 * console.assert(endpoint.toString() === "tcp:host=127.0.0.1:port=8080");
 * ```
 */
export function registerClientEndpointKind(
  name: string,
  kind: ClientEndpointKind | ClientEndpointWrapperKind,
): void {
  register(clientKinds, "client", name, kind);
}

interface AnyKind<E> extends EndpointSyntax {
  readonly wraps?: boolean;
  create(
    parameters: EndpointParameters,
    context: EndpointContext & { options: object; inner?: E },
  ): E;
}

interface ParseState<E> {
  readonly description: string;
  readonly segments: EndpointSegment[];
  readonly kinds: ReadonlyMap<string, AnyKind<E>>;
  readonly reactor: EndpointReactor;
  readonly options: ServerFromStringOptions | ClientFromStringOptions;
}

/**
 * Parses `description` against the server table. `serverFromString` is this
 * with the built-in kinds registered; use that.
 */
export function parseServerEndpoint(
  reactor: EndpointReactor,
  description: string,
  options: ServerFromStringOptions,
): AnyServerEndpoint {
  return parse(
    serverKinds as ReadonlyMap<string, AnyKind<AnyServerEndpoint>>,
    { reactor, description, options },
  );
}

/**
 * Parses `description` against the client table. `clientFromString` is this
 * with the built-in kinds registered; use that.
 */
export function parseClientEndpoint(
  reactor: EndpointReactor,
  description: string,
  options: ClientFromStringOptions,
): ClientEndpoint {
  return parse(
    clientKinds as ReadonlyMap<string, AnyKind<ClientEndpoint>>,
    { reactor, description, options },
  );
}

function parse<E>(
  kinds: ReadonlyMap<string, AnyKind<E>>,
  request: {
    reactor: EndpointReactor;
    description: string;
    options: ServerFromStringOptions | ClientFromStringOptions;
  },
): E {
  const state: ParseState<E> = {
    ...request,
    kinds,
    segments: splitEndpoint(request.description),
  };
  return parseAt(state, 0, undefined).endpoint;
}

/**
 * Parses the endpoint whose kind is at `segments[start]`: its own
 * parameters, and for a wrapper the endpoint it wraps, then the wrapper's
 * named parameters. Inside a wrapper (`outer` given), it stops at the first
 * parameter it does not take and leaves the rest to the wrapper; at the top,
 * such a parameter is an error.
 */
function parseAt<E>(
  state: ParseState<E>,
  start: number,
  outer: { kind: string; depth: number } | undefined,
): { endpoint: E; next: number } {
  const { description, segments, reactor } = state;
  const head = segments[start];
  if (head === undefined || head.key !== undefined || head.value === "") {
    throw new EndpointDescriptionError(
      description,
      outer === undefined
        ? `Endpoint ${
          JSON.stringify(description)
        } does not start with a kind: write it as KIND:PARAMETERS, such as tcp:8080`
        : `Endpoint ${
          JSON.stringify(description)
        }: ${outer.kind} wraps another endpoint; write that endpoint's kind and parameters after ${outer.kind}'s own positional ones, such as ${outer.kind}:tcp:8080`,
    );
  }
  const depth = (outer?.depth ?? 0) + 1;
  if (depth > MAX_ENDPOINT_NESTING) {
    throw new EndpointDescriptionError(
      description,
      `Endpoint ${
        JSON.stringify(description)
      } nests more than ${MAX_ENDPOINT_NESTING} endpoints: wrap fewer`,
    );
  }
  const name = head.value;
  const kind = state.kinds.get(name);
  if (kind === undefined) {
    throw new UnknownEndpointKindError(
      description,
      name,
      [...state.kinds.keys()].sort(),
    );
  }
  const reader = new KindReader(description, {
    name,
    kind,
    nested: outer !== undefined,
  });
  let next = reader.readOwn(segments, start + 1);
  let inner: E | undefined;
  if (kind.wraps) {
    const parsed = parseAt(state, next, { kind: name, depth });
    inner = parsed.endpoint;
    next = reader.readAfterInner(segments, {
      from: parsed.next,
      innerKind: segments[next]!.value,
    });
  }
  const endpoint = kind.create(reader.parameters(state.options.defaults), {
    reactor,
    options: state.options,
    inner,
    reactorWith<M extends keyof ReactorCapabilities>(capability: M) {
      if (typeof reactor[capability] !== "function") {
        throw new MissingReactorCapabilityError(description, capability, {
          kind: name,
          transport: capabilityNames[capability],
        });
      }
      return reactor as Reactor & ReactorCapabilities[M];
    },
  });
  return { endpoint, next };
}

/** Collects the raw parameters of one kind in a description. */
class KindReader {
  readonly #description: string;
  readonly #name: string;
  readonly #positional: readonly string[];
  readonly #named: readonly string[];
  readonly #wraps: boolean;
  readonly #nested: boolean;
  readonly #values = new Map<string, string>();

  constructor(
    description: string,
    options: { name: string; kind: AnyKind<unknown>; nested: boolean },
  ) {
    this.#description = description;
    this.#name = options.name;
    this.#positional = options.kind.positional ?? [];
    this.#named = options.kind.named ?? [];
    this.#wraps = options.kind.wraps === true;
    this.#nested = options.nested;
  }

  /**
   * Reads the kind's positional parameters (given by position or by name)
   * from `segments[from]` on, and a plain kind's named ones; returns where
   * they end: for a wrapper, where the endpoint it wraps begins.
   */
  readOwn(segments: readonly EndpointSegment[], from: number): number {
    let i = from;
    for (; i < segments.length; i++) {
      const { key, value } = segments[i]!;
      if (key === undefined) {
        const slot = this.#positional.find((p) => !this.#values.has(p));
        if (slot === undefined) {
          if (this.#wraps || this.#nested) break;
          this.#tooMany(value);
        }
        this.#set(slot, value);
      } else if (this.#nested && this.#values.has(key)) {
        break; // Inside a wrapper, a repeated name is the wrapper's own.
      } else if (this.#positional.includes(key)) {
        this.#set(key, value);
      } else if (this.#named.includes(key)) {
        if (this.#wraps) {
          this.#fail(
            key,
            `comes after the endpoint ${this.#name} wraps, such as ${this.#name}:tcp:8080:${key}=...`,
          );
        }
        this.#set(key, value);
      } else if (this.#nested && !this.#wraps) {
        break;
      } else {
        this.#fail(
          key,
          `is not known for ${this.#name} endpoints: use ${
            [...this.#positional, ...this.#named].join(", ") || "none"
          }`,
        );
      }
    }
    return i;
  }

  /**
   * Reads a wrapper's named parameters after the endpoint it wraps (of kind
   * `innerKind`), from `segments[from]` on; returns where they end.
   */
  readAfterInner(
    segments: readonly EndpointSegment[],
    at: { from: number; innerKind: string },
  ): number {
    let i = at.from;
    for (; i < segments.length; i++) {
      const { key, value } = segments[i]!;
      const own = key !== undefined && this.#named.includes(key) &&
        !(this.#nested && this.#values.has(key));
      if (own) {
        this.#set(key, value);
      } else if (this.#nested) {
        break;
      } else if (key === undefined) {
        this.#tooMany(value);
      } else {
        this.#fail(
          key,
          `is known neither to the ${at.innerKind} endpoint it wraps nor to ${this.#name} endpoints (which take ${
            this.#named.join(", ") || "none"
          } after it)`,
        );
      }
    }
    return i;
  }

  /** The parameters read, with `defaults` for those of this kind not given. */
  parameters(defaults: EndpointDefaults = {}): EndpointParameters {
    const values = new Map(this.#values);
    for (const [key, value] of Object.entries(defaults)) {
      const takes = this.#positional.includes(key) ||
        this.#named.includes(key);
      if (takes && !values.has(key)) values.set(key, value);
    }
    return new EndpointParameters(this.#description, {
      kind: this.#name,
      values,
    });
  }

  #fail(parameter: string, problem: string): never {
    throw new InvalidEndpointParameterError(this.#description, parameter, {
      kind: this.#name,
      problem,
    });
  }

  #set(key: string, value: string): void {
    if (this.#values.has(key)) this.#fail(key, "is given twice: keep one");
    this.#values.set(key, value);
  }

  #tooMany(value: string): never {
    return this.#fail(
      value,
      `is one positional value too many: ${this.#name} takes ${
        this.#positional.length === 0
          ? "none"
          : `at most ${this.#positional.join(", ")}`
      } by position; name the others (name=value)`,
    );
  }
}
