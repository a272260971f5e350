/**
 * Twisted-style resource trees on the fetch-style server: a {@linkcode Site}
 * walks the URL path through {@linkcode Resource}s (`putChild`, `getChild`,
 * `isLeaf`) and renders the one it lands on with `render` or a
 * `renderGET`/`renderPOST`-style method.
 *
 * @module
 */
import type { ServeHandler, ServeHandlerInfo } from "./handler.ts";

/** Where a request is in the resource tree while it is being resolved and rendered. */
export interface RenderContext {
  /** The parsed request URL. */
  readonly url: URL;
  /** The path segments consumed so far (decoded), Twisted's `prepath`. */
  readonly prepath: string[];
  /** The path segments still to consume (decoded), Twisted's `postpath`. */
  readonly postpath: string[];
  /** What the server knows about the exchange, when served by one. */
  readonly info?: ServeHandlerInfo;
}

/** What a render method returns. */
export type RenderResult = Response | Promise<Response>;

/** A method that renders one HTTP method, such as `renderGET`. */
export type RenderMethod = (
  request: Request,
  context: RenderContext,
) => RenderResult;

/**
 * A node of the resource tree. Subclass it and define `renderGET`,
 * `renderPOST`... (or override `render`), and `getChild` for dynamic children.
 *
 * @example Usage
 * ```ts
 * import { Resource, Site } from "@spindle/spindle/protocols/http";
 * class Hello extends Resource {
 *   override isLeaf = true;
 *   renderGET(): Response {
 *     return new Response("hello");
 *   }
 * }
 * const root = new Resource();
 * root.putChild("hello", new Hello());
 * const site = new Site(root);
 * const response = await site.fetch(new Request("http://localhost/hello"));
 * console.assert(await response.text() === "hello");
 * ```
 */
export class Resource {
  /** A leaf renders every path below it itself (its `postpath` is left unconsumed). */
  isLeaf = false;
  #children = new Map<string, Resource>();

  /** Adds a static child under the path segment `path` (`""` is the trailing-slash child). */
  putChild(path: string, child: Resource): void {
    this.#children.set(path, child);
  }

  /** The static children, by path segment. */
  get children(): ReadonlyMap<string, Resource> {
    return this.#children;
  }

  /**
   * Returns the child for a segment that has no static child. The default is
   * a 404 resource; override it for dynamic children.
   */
  getChild(
    _path: string,
    _request: Request,
    _context: RenderContext,
  ): Resource {
    return new ErrorPage(404, "Not Found", "No such resource.");
  }

  /** The static child for `path` if there is one, else `getChild`. */
  getChildWithDefault(
    path: string,
    request: Request,
    context: RenderContext,
  ): Resource {
    return this.#children.get(path) ?? this.getChild(path, request, context);
  }

  /**
   * Renders the request: calls `render<METHOD>` (`renderGET`, `renderPOST`,
   * ...; `HEAD` falls back to `renderGET`), or answers 405 with `Allow`.
   */
  render(request: Request, context: RenderContext): RenderResult {
    const method = this.#renderMethod(request.method) ??
      (request.method === "HEAD" ? this.#renderMethod("GET") : undefined);
    if (method !== undefined) return method.call(this, request, context);
    const allowed = this.allowedMethods();
    return new Response(`Method ${request.method} is not allowed here.\n`, {
      status: 405,
      headers: { allow: allowed.join(", ") },
    });
  }

  /** The methods this resource has `render<METHOD>` methods for. */
  allowedMethods(): string[] {
    const methods = new Set<string>();
    for (
      let o: object | null = Object.getPrototypeOf(this);
      o !== null && o !== Resource.prototype;
      o = Object.getPrototypeOf(o)
    ) {
      for (const name of Object.getOwnPropertyNames(o)) {
        const m = /^render([A-Z]+)$/.exec(name);
        if (
          m !== null &&
          typeof (this as unknown as Record<string, unknown>)[name] ===
            "function"
        ) {
          methods.add(m[1]!);
        }
      }
    }
    for (const name of Object.keys(this)) {
      const m = /^render([A-Z]+)$/.exec(name);
      if (m !== null) methods.add(m[1]!);
    }
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  }

  #renderMethod(method: string): RenderMethod | undefined {
    if (!/^[A-Z]+$/.test(method)) return undefined;
    const fn = (this as unknown as Record<string, unknown>)[`render${method}`];
    return typeof fn === "function" ? fn as RenderMethod : undefined;
  }
}

/**
 * A resource that always answers with one status and message (Twisted's
 * `ErrorPage`, `NoResource`, `ForbiddenResource`).
 *
 * @example Usage
 * ```ts
 * import { ErrorPage, Site } from "@spindle/spindle/protocols/http";
 * const site = new Site(new ErrorPage(503, "Service Unavailable", "Back soon."));
 * console.assert((await site.fetch(new Request("http://localhost/"))).status === 503);
 * ```
 */
export class ErrorPage extends Resource {
  /** The status code. */
  readonly status: number;
  /** The short title. */
  readonly title: string;
  /** The longer explanation. */
  readonly detail: string;

  /** Creates the page. */
  constructor(status: number, title: string, detail: string) {
    super();
    this.status = status;
    this.title = title;
    this.detail = detail;
  }

  /** Error pages answer every path below them too. */
  override getChild(): Resource {
    return this;
  }

  /** Renders the page for any method. */
  override render(): Response {
    return new Response(`${this.status} ${this.title}\n${this.detail}\n`, {
      status: this.status,
      headers: { "content-type": "text/plain;charset=UTF-8" },
    });
  }
}

/**
 * Serves a resource tree: resolves the URL path segment by segment
 * (`getChildWithDefault`) until it reaches a leaf or runs out of segments,
 * then renders. Use `site.fetch` as a `Deno.serve`-style handler.
 *
 * As in Twisted, `/` is the segment `""` of the root: give the root a `""`
 * child (or make it a leaf) to serve it.
 *
 * @example Usage
 * ```ts ignore
 * import { Resource, serveHTTP, Site } from "@spindle/spindle/protocols/http";
 * const site = new Site(new Resource());
 * await serveHTTP(site.fetch, { listen: "tcp:8080" });
 * ```
 */
export class Site {
  /** The root of the tree. */
  readonly root: Resource;

  /** Creates a site serving `root`. */
  constructor(root: Resource) {
    this.root = root;
  }

  /** The handler: resolves and renders `request`. */
  readonly fetch: ServeHandler & ((request: Request) => Promise<Response>) =
    async (
      request: Request,
      info?: ServeHandlerInfo,
    ): Promise<Response> => {
      const url = new URL(request.url);
      let postpath: string[];
      try {
        postpath = url.pathname.split("/").slice(1).map(decodeURIComponent);
      } catch {
        return new Response(
          "Bad Request: the path is not valid percent-encoded UTF-8\n",
          {
            status: 400,
          },
        );
      }
      const context: RenderContext = { url, prepath: [], postpath, info };
      const resource = this.getResourceFor(request, context);
      return await resource.render(request, context);
    };

  /** Walks the tree for `request`, consuming `context.postpath`. */
  getResourceFor(request: Request, context: RenderContext): Resource {
    let resource = this.root;
    while (context.postpath.length > 0 && !resource.isLeaf) {
      const segment = context.postpath.shift()!;
      context.prepath.push(segment);
      resource = resource.getChildWithDefault(segment, request, context);
    }
    return resource;
  }
}
