// Keys and known_hosts, checked against ssh-keygen (Debian openssh-client).
import { test } from "../../../trial/mod.ts";
import { assertEquals, assertRejects } from "../../../trial/assertions.ts";
import {
  fingerprint,
  KeyFormatError,
  KnownHosts,
  parsePublicKey,
  SSHPrivateKey,
} from "../../../protocols/ssh/mod.ts";
import { verifySSHSignature } from "../../../cred/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { run } from "./_helpers.ts";

const keygen = findPeer(PEERS.sshKeygen);

test("keys: a generated key survives writing and reading", async () => {
  const key = await SSHPrivateKey.generate("me@here");
  const again = await SSHPrivateKey.parse(key.toOpenSSH());
  assertEquals(again.publicKeyLine(), key.publicKeyLine());
  assertEquals(again.comment, "me@here");
});

test("keys: signatures verify with the public blob", async () => {
  const key = await SSHPrivateKey.generate();
  const data = new TextEncoder().encode("exchange hash");
  const signature = await key.sign(data);
  assertEquals(
    await verifySSHSignature(key.publicBlob, { data, signature }),
    true,
  );
});

test("keys: an encrypted or foreign key file is refused with a clear error", async () => {
  await assertRejects(
    () =>
      SSHPrivateKey.parse(
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
      ),
    KeyFormatError,
  );
});

test(
  "keys: ssh-keygen reads our private key and prints our fingerprint",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const key = await SSHPrivateKey.generate("spindle");
      await Deno.writeTextFile(`${dir}/key`, key.toOpenSSH(), { mode: 0o600 });
      const derived = await run(keygen.path, ["-y", "-f", `${dir}/key`]);
      assertEquals(derived.code, 0, derived.stderr);
      assertEquals(
        parsePublicKey(new TextDecoder().decode(derived.stdout)).blob.toHex(),
        key.publicBlob.toHex(),
      );
      await Deno.writeTextFile(`${dir}/key.pub`, key.publicKeyLine());
      const listed = await run(keygen.path, ["-l", "-f", `${dir}/key.pub`]);
      assertEquals(
        new TextDecoder().decode(listed.stdout).split(" ")[1],
        await key.fingerprint(),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { ignore: keygen.ignore },
);

for (
  const [type, bits] of [["ed25519", "256"], ["ecdsa", "256"], ["rsa", "2048"]]
) {
  test(
    `keys: we read ssh-keygen's ${type} key and sign as it would`,
    async () => {
      const dir = await Deno.makeTempDir();
      try {
        const made = await run(keygen.path, [
          "-q",
          "-t",
          type!,
          "-b",
          bits!,
          "-N",
          "",
          "-C",
          "c",
          "-f",
          `${dir}/key`,
        ]);
        assertEquals(made.code, 0, made.stderr);
        const key = await SSHPrivateKey.load(`${dir}/key`);
        const line = parsePublicKey(await Deno.readTextFile(`${dir}/key.pub`));
        assertEquals(key.publicBlob.toHex(), line.blob.toHex());
        const data = new TextEncoder().encode("data");
        for (const algorithm of key.algorithms) {
          const signature = await key.sign(data, algorithm);
          assertEquals(
            await verifySSHSignature(line.blob, { data, signature, algorithm }),
            true,
            algorithm,
          );
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
    { ignore: keygen.ignore },
  );
}

test("keys: fingerprints are SHA256 in unpadded base64", async () => {
  const print = await fingerprint(new Uint8Array(0));
  assertEquals(print, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
});

test("known_hosts: a host key is known, changed, revoked or unknown", async () => {
  const key = await SSHPrivateKey.generate();
  const other = await SSHPrivateKey.generate();
  const known = KnownHosts.parse([
    `[127.0.0.1]:2222 ${key.publicKeyLine()}`,
    `example.org,!bad.example.org ${key.publicKeyLine()}`,
    `*.example.net ${other.publicKeyLine()}`,
    `@revoked * ${other.publicKeyLine()}`,
  ].join("\n"));
  assertEquals(await known.check("127.0.0.1", 2222, key.publicBlob), "known");
  assertEquals(await known.check("127.0.0.1", 22, key.publicBlob), "unknown");
  assertEquals(
    await known.check("127.0.0.1", 2222, other.publicBlob),
    "revoked",
  );
  assertEquals(await known.check("example.org", 22, key.publicBlob), "known");
  assertEquals(
    await known.check("bad.example.org", 22, key.publicBlob),
    "unknown",
  );
  const changed = KnownHosts.parse(`host ${other.publicKeyLine()}`);
  assertEquals(await changed.check("host", 22, key.publicBlob), "changed");
});

test("known_hosts: hashed entries match their host only", async () => {
  const key = await SSHPrivateKey.generate();
  const line = await KnownHosts.formatLine("10.0.0.1", 2200, key.publicBlob, {
    hash: true,
  });
  const known = KnownHosts.parse(line);
  assertEquals(line.startsWith("|1|"), true);
  assertEquals(await known.check("10.0.0.1", 2200, key.publicBlob), "known");
  assertEquals(await known.check("10.0.0.2", 2200, key.publicBlob), "unknown");
});

test(
  "keys: a key ssh-keygen encrypted with a passphrase is read with it, refused without",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const made = await run(keygen.path, [
        "-q",
        "-t",
        "ed25519",
        "-N",
        "open sesame",
        "-a",
        "4",
        "-f",
        `${dir}/key`,
      ]);
      assertEquals(made.code, 0, made.stderr);
      const text = await Deno.readTextFile(`${dir}/key`);
      const key = await SSHPrivateKey.parse(text, {
        passphrase: "open sesame",
      });
      const line = parsePublicKey(await Deno.readTextFile(`${dir}/key.pub`));
      assertEquals(key.publicBlob.toHex(), line.blob.toHex());
      await assertRejects(() => SSHPrivateKey.parse(text), KeyFormatError);
      await assertRejects(
        () => SSHPrivateKey.parse(text, { passphrase: "wrong" }),
        KeyFormatError,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { ignore: keygen.ignore },
);

test(
  "keys: ssh-keygen reads a key we encrypted, with the passphrase",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const key = await SSHPrivateKey.generate("locked");
      await Deno.writeTextFile(
        `${dir}/key`,
        await key.toEncryptedOpenSSH("open sesame", 4),
        { mode: 0o600 },
      );
      const derived = await run(keygen.path, [
        "-y",
        "-P",
        "open sesame",
        "-f",
        `${dir}/key`,
      ]);
      assertEquals(derived.code, 0, derived.stderr);
      assertEquals(
        parsePublicKey(new TextDecoder().decode(derived.stdout)).blob.toHex(),
        key.publicBlob.toHex(),
      );
      const refused = await run(keygen.path, [
        "-y",
        "-P",
        "wrong",
        "-f",
        `${dir}/key`,
      ]);
      assertEquals(refused.code !== 0, true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { ignore: keygen.ignore },
);
