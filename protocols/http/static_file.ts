/**
 * Static files: {@linkcode staticFiles} (a fetch-style handler) and
 * {@linkcode File} (the same as a Twisted-style resource). Both answer `GET`
 * and `HEAD` with `Range`, `ETag` / `If-None-Match`, `Last-Modified` /
 * `If-Modified-Since`, content types and an optional directory listing, and
 * never serve anything outside their root (`..`, encoded `%2e%2e` or `%2f`,
 * symbolic links that point out).
 *
 * @module
 */
import { type RenderContext, Resource } from "./resource.ts";

/** Options for {@linkcode staticFiles} and {@linkcode File}. */
export interface StaticFilesOptions {
  /** List a directory that has no index file. Default `false` (403). */
  directoryListing?: boolean;
  /** Files served for a directory, in order. Default `["index.html"]`. */
  indexNames?: string[];
  /** Extra or overriding content types by extension (`{ ".md": "text/markdown" }`). */
  contentTypes?: Record<string, string>;
  /** The content type of unknown extensions. Default `"application/octet-stream"`. */
  defaultType?: string;
  /** Serve names starting with a dot. Default `false` (404). */
  dotFiles?: boolean;
  /** A `Cache-Control` value to send with files, if any. */
  cacheControl?: string;
  /** The URL path prefix under which `staticFiles` serves the root (`"/static"`). Default `"/"`. */
  prefix?: string;
}

/** Content types of common extensions. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html;charset=UTF-8",
  ".htm": "text/html;charset=UTF-8",
  ".css": "text/css;charset=UTF-8",
  ".js": "text/javascript;charset=UTF-8",
  ".mjs": "text/javascript;charset=UTF-8",
  ".json": "application/json",
  ".map": "application/json",
  ".txt": "text/plain;charset=UTF-8",
  ".md": "text/markdown;charset=UTF-8",
  ".csv": "text/csv;charset=UTF-8",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".wav": "audio/wav",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".ts": "text/typescript;charset=UTF-8",
};

const READ_SIZE = 64 * 1024;

function text(
  status: number,
  message: string,
  headers: HeadersInit = {},
): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain;charset=UTF-8", ...headers },
  });
}

function notFound(): Response {
  return text(404, "Not Found");
}

function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Whether the file system refused a path as too long (a segment over 255
 * bytes, or the whole over PATH_MAX): no such file can exist, so it is 404.
 * Deno has no class for ENAMETOOLONG, only the code.
 */
function isNameTooLong(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ENAMETOOLONG";
}

/** A file body that reads `length` bytes from `start` and closes the file at the end. */
function fileStream(
  file: Deno.FsFile,
  start: number,
  length: number,
): ReadableStream<Uint8Array> {
  let left = length;
  let positioned = start === 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!positioned) {
          await file.seek(start, Deno.SeekMode.Start);
          positioned = true;
        }
        const buf = new Uint8Array(Math.min(READ_SIZE, left));
        const n = await file.read(buf);
        if (n === null || n === 0) {
          file.close();
          controller.error(
            new Error("the file became shorter while it was being served"),
          );
          return;
        }
        left -= n;
        controller.enqueue(n === buf.length ? buf : buf.subarray(0, n));
        if (left === 0) {
          file.close();
          controller.close();
        }
      } catch (error) {
        try {
          file.close();
        } catch { /* already closed */ }
        throw error;
      }
    },
    cancel() {
      try {
        file.close();
      } catch { /* already closed */ }
    },
  }, { highWaterMark: 0 });
}

/** Parses a single `bytes=` range; `null` to ignore it, `"unsatisfiable"` for 416. */
function parseRange(
  header: string,
  size: number,
): [number, number] | null | "unsatisfiable" {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multiple ranges and other units are allowed to be ignored (RFC 9110 §14.2).
  if (m === null || (m[1] === "" && m[2] === "")) return null;
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== "" && Number(m[2]) < start) return null;
  }
  if (start >= size) return "unsatisfiable";
  return [start, end];
}

/** Weak comparison of an entity tag against an `If-None-Match` list. */
function etagMatches(list: string, etag: string): boolean {
  if (list.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return list.split(",").some((tag) =>
    tag.trim().replace(/^W\//, "") === opaque
  );
}

/** The file-serving engine shared by {@linkcode staticFiles} and {@linkcode File}. */
class FileServer {
  #root: string;
  #realRoot: Promise<string> | null = null;
  #options: StaticFilesOptions;
  #types: Record<string, string>;

  constructor(root: string, options: StaticFilesOptions) {
    this.#root = root;
    this.#options = options;
    this.#types = { ...CONTENT_TYPES, ...options.contentTypes };
  }

  /** Serves the path `segments` (decoded) below the root. */
  async serve(
    request: Request,
    segments: string[],
    url: URL,
  ): Promise<Response> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return text(405, "Method Not Allowed", { allow: "GET, HEAD" });
    }
    const names: string[] = [];
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      if (s === "" && i === segments.length - 1) break;
      if (
        s === "" || s === "." || s === ".." || /[/\\\0]/.test(s) ||
        (s.startsWith(".") && !this.#options.dotFiles)
      ) {
        return notFound();
      }
      names.push(s);
    }
    const root = await (this.#realRoot ??= Deno.realPath(this.#root));
    let path: string;
    let info: Deno.FileInfo;
    try {
      path = await Deno.realPath([root, ...names].join("/"));
      // A symbolic link may point anywhere: the resolved path must stay inside.
      if (
        path !== root &&
        !path.startsWith(root.endsWith("/") ? root : `${root}/`)
      ) {
        return notFound();
      }
      info = await Deno.stat(path);
    } catch (error) {
      if (
        error instanceof Deno.errors.NotFound ||
        error instanceof Deno.errors.NotADirectory ||
        isNameTooLong(error)
      ) {
        return notFound();
      }
      if (error instanceof Deno.errors.PermissionDenied) {
        return text(403, "Forbidden");
      }
      throw error;
    }
    if (info.isDirectory) {
      if (!url.pathname.endsWith("/")) {
        return new Response(null, {
          status: 301,
          headers: { location: `${url.pathname}/${url.search}` },
        });
      }
      for (const index of this.#options.indexNames ?? ["index.html"]) {
        try {
          const indexPath = `${path}/${index}`;
          const indexInfo = await Deno.stat(indexPath);
          if (indexInfo.isFile) {
            return this.#file(request, indexPath, indexInfo);
          }
        } catch { /* try the next one */ }
      }
      if (this.#options.directoryListing) return this.#listing(path, url);
      return text(403, "Forbidden: directory listing is off");
    }
    if (!info.isFile) return notFound();
    return this.#file(request, path, info);
  }

  async #file(
    request: Request,
    path: string,
    info: Deno.FileInfo,
  ): Promise<Response> {
    const size = info.size;
    const mtime = info.mtime?.getTime() ?? 0;
    const etag = `"${size.toString(16)}-${Math.floor(mtime).toString(16)}"`;
    const lastModified = new Date(Math.floor(mtime / 1000) * 1000)
      .toUTCString();
    const dot = path.lastIndexOf(".");
    const type =
      (dot > path.lastIndexOf("/")
        ? this.#types[path.slice(dot).toLowerCase()]
        : undefined) ??
        this.#options.defaultType ?? "application/octet-stream";
    const headers: Record<string, string> = {
      "content-type": type,
      etag,
      "last-modified": lastModified,
      "accept-ranges": "bytes",
    };
    if (this.#options.cacheControl !== undefined) {
      headers["cache-control"] = this.#options.cacheControl;
    }

    const ifNoneMatch = request.headers.get("if-none-match");
    const ifModifiedSince = request.headers.get("if-modified-since");
    if (
      ifNoneMatch !== null
        ? etagMatches(ifNoneMatch, etag)
        : ifModifiedSince !== null &&
          Math.floor(mtime / 1000) * 1000 <= Date.parse(ifModifiedSince)
    ) {
      const { "content-type": _, ...rest } = headers;
      return new Response(null, { status: 304, headers: rest });
    }

    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = request.headers.get("range");
    const ifRange = request.headers.get("if-range");
    const rangeApplies = range !== null &&
      (ifRange === null || ifRange === etag || ifRange === lastModified);
    if (rangeApplies) {
      const parsed = parseRange(range, size);
      if (parsed === "unsatisfiable") {
        return text(416, "Range Not Satisfiable", {
          "content-range": `bytes */${size}`,
        });
      }
      if (parsed !== null) {
        [start, end] = parsed;
        status = 206;
        headers["content-range"] = `bytes ${start}-${end}/${size}`;
      }
    }
    const length = Math.max(0, end - start + 1);
    headers["content-length"] = String(length);
    if (request.method === "HEAD" || length === 0) {
      return new Response(null, { status, headers });
    }
    const file = await Deno.open(path, { read: true });
    return new Response(fileStream(file, start, length), { status, headers });
  }

  async #listing(path: string, url: URL): Promise<Response> {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(path)) {
      if (entry.name.startsWith(".") && !this.#options.dotFiles) continue;
      entries.push(entry);
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const title = escapeHTML(decodeURIComponent(url.pathname));
    const rows = entries.map((e) => {
      const name = e.name + (e.isDirectory ? "/" : "");
      const href = encodeURIComponent(e.name) + (e.isDirectory ? "/" : "");
      return `<li><a href="${escapeHTML(href)}">${escapeHTML(name)}</a></li>`;
    });
    const html =
      `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Index of ${title}</title></head>` +
      `<body><h1>Index of ${title}</h1><ul>${
        url.pathname === "/" ? "" : '<li><a href="../">../</a></li>'
      }` +
      `${rows.join("")}</ul></body></html>\n`;
    return new Response(html, {
      headers: { "content-type": "text/html;charset=UTF-8" },
    });
  }
}

function decodeSegments(pathname: string): string[] | null {
  try {
    return pathname.split("/").map(decodeURIComponent);
  } catch {
    return null;
  }
}

/**
 * A fetch-style handler serving the files under `root`: usable with
 * `serveHTTP`, `Deno.serve` or anything that takes `(request) => Response`.
 *
 * @example Usage
 * ```ts
 * import { staticFiles } from "@spindle/spindle/protocols/http";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/hello.txt`, "hello");
 * const handler = staticFiles(dir);
 * const response = await handler(new Request("http://localhost/hello.txt"));
 * console.assert(await response.text() === "hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function staticFiles(
  root: string,
  options: StaticFilesOptions = {},
): (request: Request) => Promise<Response> {
  const server = new FileServer(root, options);
  const prefix = (options.prefix ?? "/").replace(/\/*$/, "");
  return (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    let pathname = url.pathname;
    if (prefix !== "") {
      if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) {
        return Promise.resolve(notFound());
      }
      pathname = pathname.slice(prefix.length) || "/";
      if (pathname === "/" && !url.pathname.endsWith("/")) {
        return Promise.resolve(
          new Response(null, {
            status: 301,
            headers: { location: `${url.pathname}/${url.search}` },
          }),
        );
      }
    }
    const segments = decodeSegments(pathname);
    if (segments === null) {
      return Promise.resolve(
        text(400, "Bad Request: the path is not valid percent-encoding"),
      );
    }
    return server.serve(request, segments.slice(1), url);
  };
}

/**
 * Twisted's `static.File`: a leaf resource serving the file or directory
 * tree at `path`, for use in a {@linkcode Site}.
 *
 * (The name shadows the global `File` in modules that import it; import it
 * under another name, `import { File as StaticFile }`, if that is in the way.)
 *
 * @example Usage
 * ```ts
 * import { File, Resource, Site } from "@spindle/spindle/protocols/http";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "A");
 * const root = new Resource();
 * root.putChild("static", new File(dir));
 * const response = await new Site(root).fetch(new Request("http://localhost/static/a.txt"));
 * console.assert(await response.text() === "A");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class File extends Resource {
  /** `File` serves everything below it. */
  override isLeaf = true;
  /** The file or directory served. */
  readonly path: string;
  #server: FileServer;

  /** Serves `path` (a file or a directory). */
  constructor(path: string, options: StaticFilesOptions = {}) {
    super();
    this.path = path;
    this.#server = new FileServer(path, options);
  }

  /** Serves the file named by the request's remaining path. */
  override render(request: Request, context: RenderContext): Promise<Response> {
    return this.#server.serve(request, [...context.postpath], context.url);
  }
}
