/** Site and Resource: tree walking and method dispatch. */
import { assertEquals, test } from "../../../trial/mod.ts";
import {
  ErrorPage,
  type RenderContext,
  Resource,
  Site,
} from "../../../protocols/http/mod.ts";

class Echo extends Resource {
  override isLeaf = true;
  renderGET(_request: Request, context: RenderContext): Response {
    return new Response(
      `${context.prepath.join("/")}|${context.postpath.join("/")}`,
    );
  }
  renderPOST(request: Request): Promise<Response> {
    return request.text().then((body) => new Response(`posted ${body}`));
  }
}

class Hello extends Resource {
  renderGET(): Response {
    return new Response("hello");
  }
}

class Users extends Resource {
  override getChild(name: string): Resource {
    const user = new Resource();
    Object.assign(user, { renderGET: () => new Response(`user ${name}`) });
    return user;
  }
}

function site(): Site {
  const root = new Resource();
  root.putChild("", new Hello());
  root.putChild("hello", new Hello());
  root.putChild("echo", new Echo());
  root.putChild("users", new Users());
  return new Site(root);
}

async function get(
  path: string,
  init?: RequestInit,
): Promise<[number, string]> {
  const response = await site().fetch(
    new Request(`http://localhost${path}`, init),
  );
  return [response.status, await response.text()];
}

test("Site: the root's empty-segment child serves /", async () => {
  assertEquals(await get("/"), [200, "hello"]);
});

test("Site: putChild children are found by path segment", async () => {
  assertEquals(await get("/hello"), [200, "hello"]);
});

test("Site: an unknown path is a 404", async () => {
  assertEquals((await get("/nope"))[0], 404);
  assertEquals((await get("/hello/deeper"))[0], 404);
});

test("Site: a leaf gets the rest of the path as postpath", async () => {
  assertEquals(await get("/echo/a/b%20c"), [200, "echo|a/b c"]);
});

test("Site: getChild makes dynamic children", async () => {
  assertEquals(await get("/users/alice"), [200, "user alice"]);
});

test("Resource: render dispatches on the method", async () => {
  assertEquals(await get("/echo/x", { method: "POST", body: "data" }), [
    200,
    "posted data",
  ]);
});

test("Resource: HEAD falls back to renderGET", async () => {
  assertEquals((await get("/hello", { method: "HEAD" }))[0], 200);
});

test("Resource: an unsupported method is a 405 with Allow", async () => {
  const response = await site().fetch(
    new Request("http://localhost/echo", { method: "DELETE" }),
  );
  assertEquals(response.status, 405);
  assertEquals(response.headers.get("allow"), "GET, HEAD, POST");
  await response.body?.cancel();
});

test("Site: a path that is not valid percent-encoding is a 400", async () => {
  assertEquals((await get("/%ff"))[0], 400);
});

test("ErrorPage answers every path below it", async () => {
  const response = await new Site(new ErrorPage(503, "Busy", "later"))
    .fetch(new Request("http://localhost/a/b"));
  assertEquals(response.status, 503);
  await response.body?.cancel();
});
