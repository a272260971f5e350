// The portal: checkers chosen by credential class, the realm asked for the
// avatar, logout once.
import { assert, assertEquals, assertRejects, test } from "../../trial/mod.ts";
import { Portal, type Realm } from "../../cred/portal.ts";
import { InMemoryPasswordChecker } from "../../cred/memory_checker.ts";
import { AnonymousChecker } from "../../cred/anonymous_checker.ts";
import type { CredentialsChecker } from "../../cred/checker.ts";
import {
  Anonymous,
  SSHPublicKey,
  UsernamePassword,
} from "../../cred/credentials.ts";
import {
  UnauthorizedLoginError,
  UnhandledCredentialsError,
} from "../../cred/errors.ts";

interface Mailbox {
  owner: string;
  mind: unknown;
}

function recordingRealm() {
  const requests: { avatarId: string; interfaces: readonly string[] }[] = [];
  let logouts = 0;
  const realm: Realm<Mailbox> = {
    requestAvatar(avatarId, mind, interfaces) {
      requests.push({ avatarId, interfaces });
      return Promise.resolve({
        interface: interfaces[0]!,
        avatar: { owner: avatarId, mind },
        logout: () => void logouts++,
      });
    },
  };
  return { realm, requests, logouts: () => logouts };
}

test("login returns the realm's avatar for the id the checker proved", async () => {
  const { realm, requests } = recordingRealm();
  const portal = new Portal(realm, [
    new InMemoryPasswordChecker({ alice: "secret" }),
  ]);
  const mind = { connection: 1 };
  const result = await portal.login(
    new UsernamePassword("alice", "secret"),
    mind,
    "imap",
    "pop3",
  );
  assertEquals(result.avatarId, "alice");
  assertEquals(result.interface, "imap");
  assertEquals(result.avatar, { owner: "alice", mind });
  assertEquals(requests, [{ avatarId: "alice", interfaces: ["imap", "pop3"] }]);
});

test("logout runs the realm's logout once, however often it is called", async () => {
  const { realm, logouts } = recordingRealm();
  const portal = new Portal(realm, [new AnonymousChecker()]);
  const { logout } = await portal.login(new Anonymous(), null, "ftp");
  await logout();
  await logout();
  assertEquals(logouts(), 1);
});

test("a refused login never reaches the realm", async () => {
  const { realm, requests } = recordingRealm();
  const portal = new Portal(realm, [
    new InMemoryPasswordChecker({ alice: "secret" }),
  ]);
  await assertRejects(
    () => portal.login(new UsernamePassword("alice", "guess"), null, "imap"),
    UnauthorizedLoginError,
  );
  assertEquals(requests, []);
});

test("credentials no checker takes are refused with UnhandledCredentialsError naming what is accepted", async () => {
  const { realm } = recordingRealm();
  const portal = new Portal(realm, [new AnonymousChecker()]);
  const error = await assertRejects(
    () =>
      portal.login(
        new SSHPublicKey("alice", {
          algorithm: "ssh-ed25519",
          blob: new Uint8Array(0),
        }),
        null,
        "shell",
      ),
    UnhandledCredentialsError,
  );
  assertEquals(error.credentialsType, "SSHPublicKey");
  assert(error.message.includes("Anonymous"), error.message);
});

test("each credential class goes to its own checker", async () => {
  const { realm } = recordingRealm();
  const portal = new Portal(realm, [
    new AnonymousChecker(),
    new InMemoryPasswordChecker({ bob: "x" }),
  ]);
  assertEquals(
    (await portal.login(new Anonymous(), null, "ftp")).avatarId,
    "anonymous",
  );
  assertEquals(
    (await portal.login(new UsernamePassword("bob", "x"), null, "ftp"))
      .avatarId,
    "bob",
  );
  assertEquals(portal.credentialInterfaces(), [Anonymous, UsernamePassword]);
});

test("a checker registered later for a class replaces the earlier one", async () => {
  const { realm } = recordingRealm();
  const portal = new Portal(realm, [
    new InMemoryPasswordChecker({ bob: "old" }),
  ]);
  portal.registerChecker(new InMemoryPasswordChecker({ bob: "new" }));
  await assertRejects(
    () => portal.login(new UsernamePassword("bob", "old"), null, "x"),
    UnauthorizedLoginError,
  );
  assertEquals(
    (await portal.login(new UsernamePassword("bob", "new"), null, "x"))
      .avatarId,
    "bob",
  );
});

test("a subclass of a credential class goes to that class's checker", async () => {
  class TaggedPassword extends UsernamePassword {}
  const { realm } = recordingRealm();
  const portal = new Portal(realm, [
    new InMemoryPasswordChecker({ bob: "x" }),
  ]);
  const { avatarId } = await portal.login(
    new TaggedPassword("bob", "x"),
    null,
    "x",
  );
  assertEquals(avatarId, "bob");
});

test("an error of the realm reaches the caller", async () => {
  const checker: CredentialsChecker = new AnonymousChecker();
  const portal = new Portal<never>({
    requestAvatar: () => Promise.reject(new RangeError("no such interface")),
  }, [checker]);
  await assertRejects(
    () => portal.login(new Anonymous(), null, "telnet"),
    RangeError,
  );
});
