/**
 * Builds the `Request` objects the server hands to handlers, cheaply.
 *
 * `new Request(url, init)` parses the URL and validates and copies every
 * header: several microseconds, more than the rest of a hello-world exchange
 * (measured with `--cpu-prof`). `Deno.serve` avoids that by filling a branded
 * `Request` with a lazy inner request; this module does the same through the
 * slots Deno's `Request` already has, so the URL string and the header list
 * are only turned into objects when the handler asks for them.
 *
 * Those slots are internals. At load time the fast path builds a request and
 * checks everything a handler can observe against the standard constructor;
 * if anything differs (another Deno version), every request takes the
 * standard path.
 *
 * @module
 */

/**
 * Aborts a request's `signal` when its client goes away. Callbacks are only
 * registered if the handler looks at `request.signal`.
 */
export class RequestAbort {
  #callbacks: (() => void)[] | null = null;
  #aborted = false;

  /** Whether {@linkcode RequestAbort.abort} was called. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Runs `callback` on abort (at once if it already happened). */
  onAbort(callback: () => void): void {
    if (this.#aborted) callback();
    else (this.#callbacks ??= []).push(callback);
  }

  /** Aborts the request's signal (once). */
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const callbacks = this.#callbacks;
    this.#callbacks = null;
    if (callbacks !== null) { for (const callback of callbacks) callback(); }
  }
}

/** Makes a request for the server: method, absolute URL, header pairs, optional body, abort. */
export type RequestMaker = (
  method: string,
  url: string,
  headers: [string, string][],
  body: ReadableStream<Uint8Array> | null,
  abort: RequestAbort,
) => Request;

/** The standard path: the public constructor. */
export const standardRequest: RequestMaker = (
  method,
  url,
  headers,
  body,
  abort,
) => {
  const controller = new AbortController();
  abort.onAbort(() => controller.abort());
  const init: RequestInit & { duplex?: "half" } = {
    method,
    headers,
    signal: controller.signal,
  };
  if (body !== null) {
    init.body = body;
    init.duplex = "half";
  }
  return new Request(url, init);
};

/** The shape of Deno's inner request, with a lazily produced URL string. */
class InnerRequest {
  methodInner: string;
  headerListInner: [string, string][];
  body: unknown;
  redirectMode = "follow";
  redirectCount = 0;
  urlList: (() => string)[];
  urlListProcessed: string[] = [];
  clientRid = null;
  blobUrlEntry = null;
  #abort: RequestAbort;

  constructor(
    method: string,
    url: string,
    headers: [string, string][],
    body: unknown,
    abort: RequestAbort,
  ) {
    this.methodInner = method;
    this.headerListInner = headers;
    this.body = body;
    this.urlList = [() => url];
    this.#abort = abort;
  }

  /** Deno asks this the first time `request.signal` is read. */
  onCancel(callback: () => void): void {
    this.#abort.onAbort(callback);
  }

  get method(): string {
    return this.methodInner;
  }
  set method(value: string) {
    this.methodInner = value;
  }
  get headerList(): [string, string][] {
    return this.headerListInner;
  }
  set headerList(value: [string, string][]) {
    this.headerListInner = value;
  }
  url(): string {
    return this.urlListProcessed[0] ??= this.urlList[0]!();
  }
  currentUrl(): string {
    const last = this.urlList.length - 1;
    return this.urlListProcessed[last] ??= this.urlList[last]!();
  }
}

function makeFast(): RequestMaker | null {
  const probe = new Request("http://localhost/", {
    method: "POST",
    body: new ReadableStream(),
    duplex: "half",
  } as RequestInit);
  const slots = new Map<string, symbol>();
  for (const s of Object.getOwnPropertySymbols(probe)) {
    if (s.description !== undefined) slots.set(s.description, s);
  }
  const brand = slots.get("[[webidl.brand]]");
  const inner = slots.get("request");
  const guard = slots.get("headers guard");
  if (brand === undefined || inner === undefined || guard === undefined) {
    return null;
  }
  const innerBodyClass =
    (probe as unknown as Record<symbol, { body?: { constructor?: unknown } }>)[
      inner
    ]
      ?.body?.constructor as
        | (new (stream: ReadableStream<Uint8Array>) => unknown)
        | undefined;
  if (typeof innerBodyClass !== "function") return null;
  const BrandedRequest = Request as unknown as new (brand: symbol) => Request;
  return (method, url, headers, body, abort) => {
    const request = new BrandedRequest(brand) as unknown as Record<
      symbol,
      unknown
    >;
    request[inner] = new InnerRequest(
      method,
      url,
      headers,
      body === null ? null : new innerBodyClass(body),
      abort,
    );
    request[guard] = "request";
    return request as unknown as Request;
  };
}

/** Checks that a fast request behaves as a standard one in everything a handler sees. */
async function verify(make: RequestMaker): Promise<boolean> {
  const headers: [string, string][] = [["Host", "example.org"], ["X-A", "1"], [
    "x-a",
    "2",
  ], [
    "Set-Cookie",
    "a=b",
  ]];
  const url = "http://example.org/p/a?q=1";
  const abort = new RequestAbort();
  const fast = make("GET", url, headers.map(([n, v]) => [n, v]), null, abort);
  const slow = standardRequest("GET", url, headers, null, new RequestAbort());
  const same = (a: unknown, b: unknown) =>
    JSON.stringify(a) === JSON.stringify(b);
  if (!(fast instanceof Request)) return false;
  if (fast.method !== slow.method || fast.url !== slow.url) return false;
  if (!same([...fast.headers], [...slow.headers])) return false;
  if (fast.headers.get("x-a") !== slow.headers.get("x-a")) return false;
  if (fast.body !== null || fast.bodyUsed || fast.signal.aborted) return false;
  if (await fast.text() !== "") return false;
  const clone = fast.clone();
  if (clone.url !== url || clone.headers.get("host") !== "example.org") {
    return false;
  }
  const derived = new Request(fast, { method: "PUT", body: "x" });
  if (derived.url !== url || await derived.text() !== "x") return false;
  abort.abort();
  if (!fast.signal.aborted) return false;
  const withBody = make(
    "POST",
    url,
    [["Host", "example.org"]],
    new Blob(["body"]).stream(),
    new RequestAbort(),
  );
  if (withBody.bodyUsed || !(withBody.body instanceof ReadableStream)) {
    return false;
  }
  if (
    await withBody.clone().text() !== "body" || await withBody.text() !== "body"
  ) return false;
  if (!withBody.bodyUsed) return false;
  Deno.inspect(fast);
  return true;
}

async function choose(): Promise<RequestMaker> {
  try {
    const fast = makeFast();
    if (fast !== null && await verify(fast)) return fast;
  } catch {
    // Internals differ on this runtime: use the standard constructor.
  }
  return standardRequest;
}

/**
 * The request maker in use: the fast one when it passed its check on this
 * runtime, else the standard constructor.
 */
export const makeRequest: RequestMaker = await choose();
