// The SOCKS server's destination rules.
import { AccessPolicy, parseAccessRule } from "../../../protocols/socks/mod.ts";
import {
  assert,
  assertEquals,
  assertThrows,
  test,
} from "../../../trial/mod.ts";

test("a rule is a CIDR, an address or a host name, each optionally with a port", () => {
  assertEquals(parseAccessRule("10.0.0.0/8"), {
    text: "10.0.0.0/8",
    range: "10.0.0.0/8",
    port: undefined,
  });
  assertEquals(parseAccessRule("127.0.0.1:8080").port, 8080);
  assertEquals(parseAccessRule("[::1]:443"), {
    text: "[::1]:443",
    range: "::1",
    port: 443,
  });
  assertEquals(parseAccessRule("fe80::/10").range, "fe80::/10");
  assertEquals(parseAccessRule("*.Example.org:22").host, "*.example.org");
  for (
    const bad of ["10.0.0.0/33", "host:port", "a b", "127.0.0.1:70000", ""]
  ) {
    assertThrows(() => parseAccessRule(bad), TypeError);
  }
});

test("loopback, private and link-local destinations are refused unless allowed", () => {
  const policy = new AccessPolicy();
  for (
    const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.1.1",
      "::1",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "0.0.0.0",
    ]
  ) {
    assert(!policy.allows({ address, port: 80 }), address);
  }
  assert(policy.allows({ address: "192.0.2.1", port: 80 }));
  assert(policy.allows({ address: "2001:db8::1", port: 80 }));
});

test("an allow rule lets a special destination through, by range, port or name", () => {
  const policy = new AccessPolicy({ allow: ["127.0.0.1:8080", "*.lan"] });
  assert(policy.allows({ address: "127.0.0.1", port: 8080 }));
  assert(!policy.allows({ address: "127.0.0.1", port: 22 }));
  assert(
    policy.allows({ name: "printer.lan", address: "192.168.1.9", port: 631 }),
  );
  assert(!policy.allows({ name: "lan", address: "192.168.1.9", port: 631 }));
});

test("deny wins over allow, and denies public destinations too", () => {
  const policy = new AccessPolicy({
    allow: ["127.0.0.0/8"],
    deny: ["127.0.0.1:22", "example.org"],
  });
  assert(!policy.allows({ address: "127.0.0.1", port: 22 }));
  assert(policy.allows({ address: "127.0.0.2", port: 22 }));
  assert(
    !policy.allows({ name: "example.org", address: "192.0.2.1", port: 80 }),
  );
});
