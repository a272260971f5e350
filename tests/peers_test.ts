import {
  assertEquals,
  assertStrictEquals,
  assertThrows,
} from "../trial/assertions.ts";
import { findPeer, MissingPeerError, type Peer } from "./_peers.ts";

const absent: Peer = {
  debian: "spindle-absent-package",
  command: "spindle-absent-command",
};

/**
 * Runs `fn` with the CI variable set to `value` (or unset), then restores it;
 * the warning about a missing peer is kept off the test output.
 */
function withCI<T>(value: string | undefined, fn: () => T): T {
  const saved = Deno.env.get("CI");
  const warn = console.warn;
  console.warn = () => {};
  if (value === undefined) Deno.env.delete("CI");
  else Deno.env.set("CI", value);
  try {
    return fn();
  } finally {
    console.warn = warn;
    if (saved === undefined) Deno.env.delete("CI");
    else Deno.env.set("CI", saved);
  }
}

Deno.test("a peer that is installed is found with its path, and its tests run", () => {
  const deno = findPeer({ debian: "deno", command: Deno.execPath() });
  assertEquals(deno, { ignore: false, path: Deno.execPath() });
});

Deno.test("a command is looked up on PATH", () => {
  const sh = findPeer({ debian: "dash", command: "sh" });
  assertEquals(sh.ignore, false);
  assertStrictEquals(sh.path.endsWith("/sh"), true);
});

Deno.test("a missing peer's tests are ignored outside CI", () => {
  const peer = withCI(undefined, () => findPeer(absent));
  assertEquals(peer.ignore, true);
});

Deno.test("under CI=true a missing peer's tests run and fail with MissingPeerError naming the Debian package", () => {
  const peer = withCI("true", () => findPeer(absent));
  assertEquals(peer.ignore, false);
  assertThrows(
    () => peer.path,
    MissingPeerError,
    "apt-get install spindle-absent-package",
  );
});

Deno.test("a Python that cannot import the peer's module counts as missing", () => {
  const peer = withCI(undefined, () =>
    findPeer({
      debian: "spindle-absent-package",
      command: "/usr/bin/python3",
      pythonModule: "spindle_absent_module",
    }));
  assertEquals(peer.ignore, true);
});
