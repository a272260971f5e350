// The memcache client against memcached (Debian), started per test, and
// its parser and checks on their own.
import {
  connectMemcache,
  InvalidKeyError,
  type MemcacheClient,
  MemcacheResponseCore,
  type MemcacheResponsePart,
  MemcacheServerError,
  validateKey,
  ValueTooLargeError,
} from "../../../protocols/memcache/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  test,
  type TestContext,
} from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { startMemcached } from "./_memcached.ts";

const memcached = findPeer(PEERS.memcached);
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

async function withClient(
  t: TestContext,
  fn: (client: MemcacheClient) => Promise<void>,
): Promise<void> {
  const server = await startMemcached(memcached.path);
  try {
    const client = await connectMemcache(`tcp:127.0.0.1:${server.port}`, {
      reactor: t.reactor,
      maxValueSize: 64 * 1024,
    });
    try {
      await fn(client);
    } finally {
      await client.close();
    }
  } finally {
    await server.stop();
  }
}

test("keys of 1 to 250 bytes without spaces or control characters pass", () => {
  validateKey("user:42");
  validateKey("k".repeat(250));
  for (
    const bad of [
      "",
      "two words",
      "tab\tkey",
      "new\nline",
      "k".repeat(251),
      "\x7f",
    ]
  ) {
    assertThrows(() => validateKey(bad), InvalidKeyError);
  }
});

test("the response core reads values split anywhere, and lines", () => {
  const bytes = new TextEncoder().encode(
    "VALUE a 5 3 77\r\nx\ry\r\nVALUE b 0 0\r\n\r\nEND\r\nSTORED\r\n",
  );
  for (let cut = 0; cut <= bytes.length; cut++) {
    const core = new MemcacheResponseCore();
    const out: MemcacheResponsePart[] = [];
    core.decode(bytes.subarray(0, cut), out);
    core.decode(bytes.subarray(cut), out);
    assertEquals(out.length, 4);
    const [a, b] = out as {
      key: string;
      value: Uint8Array;
      flags: number;
      cas?: string;
    }[];
    assertEquals([a!.key, text(a!.value), a!.flags, a!.cas], [
      "a",
      "x\ry",
      5,
      "77",
    ]);
    assertEquals([b!.key, b!.value.length], ["b", 0]);
    assertEquals(out.slice(2), ["END", "STORED"]);
  }
});

test("the response core refuses a value over maxValueSize", () => {
  const core = new MemcacheResponseCore({ maxValueSize: 10 });
  assertThrows(
    () => core.decode(new TextEncoder().encode("VALUE a 0 11\r\n"), []),
    ValueTooLargeError,
  );
});

test("memcached: set, get, getMulti, gets and cas", async (t) => {
  await withClient(t, async (client) => {
    assert(await client.set("a", "alpha", { flags: 7 }));
    assert(await client.set("b", new Uint8Array([0, 13, 10, 255])));
    const a = await client.get("a");
    assertEquals([text(a?.value), a?.flags], ["alpha", 7]);
    assertEquals(await client.get("missing"), null);
    const many = await client.getMulti(["a", "b", "missing"]);
    assertEquals([...many.keys()], ["a", "b"]);
    assertEquals(many.get("b")?.value, new Uint8Array([0, 13, 10, 255]));
    const item = await client.gets("a");
    assert(item?.cas !== undefined);
    assertEquals(await client.cas("a", "beta", { cas: item.cas }), "STORED");
    assertEquals(await client.cas("a", "gamma", { cas: item.cas }), "EXISTS");
    assertEquals(await client.cas("zz", "x", { cas: "1" }), "NOT_FOUND");
    assertEquals(text((await client.getsMulti(["a"])).get("a")?.value), "beta");
  });
}, { ignore: memcached.ignore });

test(
  "memcached: add, replace, append, prepend, delete and touch",
  async (t) => {
    await withClient(t, async (client) => {
      assert(await client.add("k", "mid"));
      assert(!(await client.add("k", "again")));
      assert(await client.append("k", "-end"));
      assert(await client.prepend("k", "start-"));
      assertEquals(text((await client.get("k"))?.value), "start-mid-end");
      assert(await client.replace("k", "new"));
      assert(!(await client.replace("nothing", "x")));
      assert(await client.touch("k", 100));
      assert(!(await client.touch("nothing", 100)));
      assert(await client.delete("k"));
      assert(!(await client.delete("k")));
    });
  },
  { ignore: memcached.ignore },
);

test("memcached: incr and decr, as 64-bit counters", async (t) => {
  await withClient(t, async (client) => {
    await client.set("n", "10");
    assertEquals(await client.incr("n", 5), 15n);
    assertEquals(await client.decr("n"), 14n);
    assertEquals(await client.decr("n", 100), 0n);
    assertEquals(await client.incr("none"), null);
    await client.set("big", "18446744073709551614");
    assertEquals(await client.incr("big"), 18446744073709551615n);
  });
}, { ignore: memcached.ignore });

test("memcached: stats, version and flush_all", async (t) => {
  await withClient(t, async (client) => {
    assert((await client.stats()).has("curr_connections"));
    assert((await client.version()).match(/^\d+\.\d+/) !== null);
    await client.set("x", "1");
    await client.flushAll();
    assertEquals(await client.get("x"), null);
  });
}, { ignore: memcached.ignore });

test("memcached: 1000 pipelined requests are answered in order", async (t) => {
  await withClient(t, async (client) => {
    const writes = Array.from(
      { length: 1000 },
      (_, i) => client.set(`k${i}`, `v${i}`),
    );
    assert((await Promise.all(writes)).every(Boolean));
    const reads = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => client.get(`k${i}`)),
    );
    assert(reads.every((item, i) => text(item?.value) === `v${i}`));
  });
}, { ignore: memcached.ignore });

test(
  "memcached: a value over the limit is refused before it is sent, and a server error fails only its request",
  async (t) => {
    await withClient(t, async (client) => {
      await assertRejects(
        () => client.set("big", new Uint8Array(64 * 1024 + 1)),
        ValueTooLargeError,
      );
      await client.set("text", "not a number");
      await assertRejects(() => client.incr("text"), MemcacheServerError);
      assertEquals(text((await client.get("text"))?.value), "not a number");
    });
  },
  { ignore: memcached.ignore },
);
