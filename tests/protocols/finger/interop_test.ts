// Debian's finger client against `spindle finger` in-process. finger has
// no port option, so the server takes port 79 on 127.0.0.1: that needs root
// (as .ci/run runs) or CAP_NET_BIND_SERVICE. Without either, the tests are
// ignored visibly; as root they run, so under CI=true they fail if they fail.
// (tests/protocols/finger/finger_test.ts tests the server on a free port.)
import { plugin } from "../../../protocols/finger/plugin.ts";
import type { Service } from "../../../app/service.ts";
import { assertMatch, test } from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { run } from "../dns/_interop.ts";

const finger = findPeer(PEERS.finger);

function mayBindPort79(): boolean {
  if (Deno.uid() === 0) return true;
  try {
    Deno.listen({ hostname: "127.0.0.1", port: 79 }).close();
    return true;
  } catch {
    console.warn(
      "%cport 79 needs root or CAP_NET_BIND_SERVICE: the Debian finger interop tests are ignored",
      "color: yellow",
    );
    return false;
  }
}

const ignore = finger.ignore || !mayBindPort79();

async function withPlans(fn: () => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  let service: Service | undefined;
  try {
    await Deno.writeTextFile(`${dir}/alice`, "Tea at four.\n");
    await Deno.writeTextFile(`${dir}/bob`, "Gone fishing.\n");
    const options = await plugin.validate({
      options: { listen: "tcp:79:interface=127.0.0.1", "users-dir": dir },
      args: [],
    });
    service = await plugin.makeService(options, { reusePort: false });
    await service.startService();
    await fn();
  } finally {
    await service?.stopService();
    await Deno.remove(dir, { recursive: true });
  }
}

test("finger user@127.0.0.1 shows the user's plan", async () => {
  await withPlans(async () => {
    const out = await run(finger.path, ["alice@127.0.0.1"]);
    assertMatch(out, /^Login: alice\nPlan:\nTea at four\.\n$/);
  });
}, { ignore });

test("finger -l sends /W and finger @127.0.0.1 lists the users", async () => {
  await withPlans(async () => {
    assertMatch(
      await run(finger.path, ["-l", "bob@127.0.0.1"]),
      /Gone fishing\./,
    );
    assertMatch(await run(finger.path, ["@127.0.0.1"]), /Login\nalice\nbob\n/);
  });
}, { ignore });

test(
  "finger of an unknown user gets the server's no-such-user line",
  async () => {
    await withPlans(async () => {
      assertMatch(
        await run(finger.path, ["nobody@127.0.0.1"]),
        /finger: nobody: no such user/,
      );
    });
  },
  { ignore },
);
