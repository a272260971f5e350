/**
 * Which proxy a request goes through: the `proxy` option of an `Agent`, or
 * `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` (and their lowercase forms) read
 * as Deno's `fetch` reads them.
 *
 * @module
 */

/** The proxies of an agent: one for `http:` URLs, one for `https:` URLs, and the hosts that bypass them. */
export interface ProxyOptions {
  /** The proxy for `http:` URLs (`http://[user:pass@]host:port`), or `null` for none. */
  http?: string | null;
  /** The proxy for `https:` URLs (reached with `CONNECT`), or `null` for none. */
  https?: string | null;
  /**
   * Hosts reached directly, as `NO_PROXY` lists them: `*` for all, a name
   * (which matches its subdomains too; a leading `.` or `*.` is allowed), an
   * IP address, either with `:port` to match one port only.
   */
  noProxy?: string | string[];
}

/** A proxy to send a request through. */
export interface Proxy {
  /** Where to connect. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  /** `host:port`, for messages and pool keys. */
  readonly authority: string;
  /** The `Proxy-Authorization` value from the URL's credentials, or `null`. */
  readonly authorization: string | null;
}

/** The proxy settings of an agent, resolved once. */
export class ProxyTable {
  #http: Proxy | null;
  #https: Proxy | null;
  #noProxy: string[];

  /** Resolves `option` (`false`: no proxy; `undefined`: the environment). */
  constructor(option: string | ProxyOptions | false | undefined) {
    const options: ProxyOptions = option === false
      ? {}
      : typeof option === "string"
      ? { http: option, https: option }
      : option ?? fromEnvironment();
    this.#http = parseProxy(options.http ?? null);
    this.#https = parseProxy(options.https ?? null);
    const noProxy = options.noProxy ?? [];
    this.#noProxy = (typeof noProxy === "string" ? noProxy.split(",") : noProxy)
      .map((entry) => entry.trim().toLowerCase()).filter((entry) => entry);
  }

  /** The proxy for `url`, or `null` to connect directly. */
  for(url: URL): Proxy | null {
    const proxy = url.protocol === "https:" ? this.#https : this.#http;
    if (proxy === null || this.#bypasses(url)) return null;
    return proxy;
  }

  #bypasses(url: URL): boolean {
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    for (const entry of this.#noProxy) {
      if (entry === "*") return true;
      const match = /^(.*?)(?::(\d+))?$/.exec(
        entry.replace(/^\[(.*)\]/, "$1"),
      )!;
      const name = match[1]!.replace(/^\*?\./, "");
      if (match[2] !== undefined && match[2] !== port) continue;
      if (host === name || host.endsWith(`.${name}`)) return true;
    }
    return false;
  }
}

/** The variable `name`, uppercase first, then lowercase; unset without `--allow-env`. */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || Deno.env.get(name.toLowerCase()) ||
      undefined;
  } catch {
    return undefined;
  }
}

function fromEnvironment(): ProxyOptions {
  return {
    // In a CGI program a request's `Proxy:` header arrives as HTTP_PROXY, so
    // it is not trusted there (as Deno and curl do).
    http: env("REQUEST_METHOD") === undefined ? env("HTTP_PROXY") : undefined,
    https: env("HTTPS_PROXY"),
    noProxy: env("NO_PROXY"),
  };
}

function parseProxy(text: string | null): Proxy | null {
  if (text === null || text === "") return null;
  const url = new URL(
    /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`,
  );
  if (url.protocol !== "http:") {
    throw new TypeError(
      `unsupported proxy ${
        JSON.stringify(text)
      }: the Agent speaks to http:// proxies (give http://host:port)`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port || 80);
  const authorization = url.username === "" ? null : `Basic ${
    btoa(
      `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
    )
  }`;
  return { host, port, authority: `${url.host}`, authorization };
}
