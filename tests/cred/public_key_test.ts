// SSH public keys: authorized_keys lines, signature checks for each key type
// (against Web Crypto signers and against OpenSSH's ssh-keygen), and the
// public-key checker's answers.
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "../../trial/mod.ts";
import {
  keyTypeOf,
  parseAuthorizedKeys,
  verifySSHSignature,
} from "../../cred/ssh_key.ts";
import { PublicKeyChecker } from "../../cred/public_key_checker.ts";
import { SSHPublicKey } from "../../cred/credentials.ts";
import {
  UnauthorizedLoginError,
  UserFileError,
  ValidPublicKeyError,
} from "../../cred/errors.ts";
import { findPeer, PEERS } from "../_peers.ts";
import { withTempDir } from "../_temp_dir.ts";

const encoder = new TextEncoder();

function sshString(bytes: Uint8Array | string): Uint8Array {
  const body = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// An unsigned big-endian integer as an SSH mpint: no leading zeros, but one
// zero byte when the top bit is set.
function mpint(unsigned: Uint8Array): Uint8Array {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  const digits = unsigned.subarray(start);
  return sshString(
    digits.length > 0 && digits[0]! & 0x80
      ? concat(new Uint8Array(1), digits)
      : digits,
  );
}

interface TestKey {
  type: string;
  blob: Uint8Array<ArrayBuffer>;
  sign(data: Uint8Array<ArrayBuffer>, algorithm?: string): Promise<Uint8Array>;
}

async function ed25519Key(): Promise<TestKey> {
  const pair = await crypto.subtle.generateKey("Ed25519", true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const raw = new Uint8Array(
    await crypto.subtle.exportKey("raw", pair.publicKey),
  );
  return {
    type: "ssh-ed25519",
    blob: concat(sshString("ssh-ed25519"), sshString(raw)),
    sign: async (data) =>
      concat(
        sshString("ssh-ed25519"),
        sshString(
          new Uint8Array(
            await crypto.subtle.sign("Ed25519", pair.privateKey, data),
          ),
        ),
      ),
  };
}

async function ecdsaKey(bits: 256 | 384 | 521): Promise<TestKey> {
  const type = `ecdsa-sha2-nistp${bits}`;
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: `P-${bits}` },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  const point = new Uint8Array(
    await crypto.subtle.exportKey("raw", pair.publicKey),
  );
  const size = Math.ceil(bits / 8);
  return {
    type,
    blob: concat(sshString(type), sshString(`nistp${bits}`), sshString(point)),
    sign: async (data) => {
      const rs = new Uint8Array(
        await crypto.subtle.sign(
          {
            name: "ECDSA",
            hash: { 256: "SHA-256", 384: "SHA-384", 521: "SHA-512" }[bits],
          },
          pair.privateKey,
          data,
        ),
      );
      return concat(
        sshString(type),
        sshString(
          concat(mpint(rs.subarray(0, size)), mpint(rs.subarray(size))),
        ),
      );
    },
  };
}

async function rsaKey(): Promise<TestKey> {
  const generate = (hash: string) =>
    crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash,
      },
      true,
      ["sign", "verify"],
    ) as Promise<CryptoKeyPair>;
  const pair = await generate("SHA-256");
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const e = Uint8Array.fromBase64(jwk.e!, { alphabet: "base64url" });
  const n = Uint8Array.fromBase64(jwk.n!, { alphabet: "base64url" });
  const privateFor = (hash: string) =>
    crypto.subtle.importKey(
      "jwk",
      { ...jwk, alg: undefined },
      {
        name: "RSASSA-PKCS1-v1_5",
        hash,
      },
      false,
      ["sign"],
    );
  return {
    type: "ssh-rsa",
    blob: concat(sshString("ssh-rsa"), mpint(e), mpint(n)),
    sign: async (data, algorithm = "rsa-sha2-256") => {
      const hash = algorithm === "rsa-sha2-512" ? "SHA-512" : "SHA-256";
      const signature = await crypto.subtle.sign(
        "RSASSA-PKCS1-v1_5",
        await privateFor(hash),
        data,
      );
      return concat(sshString(algorithm), sshString(new Uint8Array(signature)));
    },
  };
}

// RSA keys are slow to make: the tests share one.
let sharedRsa: Promise<TestKey> | undefined;
const sharedRsaKey = () => sharedRsa ??= rsaKey();

const data = encoder.encode("session id + userauth request");

for (
  const [name, make, algorithm] of [
    ["ssh-ed25519", ed25519Key, "ssh-ed25519"],
    ["ecdsa-sha2-nistp256", () => ecdsaKey(256), "ecdsa-sha2-nistp256"],
    ["ecdsa-sha2-nistp384", () => ecdsaKey(384), "ecdsa-sha2-nistp384"],
    ["ecdsa-sha2-nistp521", () => ecdsaKey(521), "ecdsa-sha2-nistp521"],
    ["rsa-sha2-256", sharedRsaKey, "rsa-sha2-256"],
    ["rsa-sha2-512", sharedRsaKey, "rsa-sha2-512"],
  ] as const
) {
  test(`a ${name} signature verifies over its data and no other`, async () => {
    const key = await make();
    const signature = await key.sign(data, algorithm);
    assert(await verifySSHSignature(key.blob, { data, signature, algorithm }));
    assert(
      !await verifySSHSignature(key.blob, {
        data: encoder.encode("other data"),
        signature,
      }),
    );
    const flipped = signature.slice();
    flipped[flipped.length - 1]! ^= 1;
    assert(!await verifySSHSignature(key.blob, { data, signature: flipped }));
  });
}

test("a signature by another key of the same type does not verify", async () => {
  const [a, b] = [await ed25519Key(), await ed25519Key()];
  assert(
    !await verifySSHSignature(a.blob, { data, signature: await b.sign(data) }),
  );
});

test("a signature of another algorithm than the client named does not verify", async () => {
  const key = await sharedRsaKey();
  const signature = await key.sign(data, "rsa-sha2-512");
  assert(
    !await verifySSHSignature(key.blob, {
      data,
      signature,
      algorithm: "rsa-sha2-256",
    }),
  );
});

test("SHA-1 ssh-rsa signatures are refused", async () => {
  const key = await sharedRsaKey();
  const sha256 = await key.sign(data, "rsa-sha2-256");
  // The same signature bytes under the ssh-rsa name: refused by name.
  const renamed = concat(sshString("ssh-rsa"), sha256.subarray(4 + 12));
  assert(!await verifySSHSignature(key.blob, { data, signature: renamed }));
});

test("malformed blobs and signatures answer false, never throw", async () => {
  const key = await ed25519Key();
  const signature = await key.sign(data);
  for (
    const [blob, sig] of [
      [new Uint8Array(3), signature],
      [key.blob.subarray(0, 20), signature],
      [concat(key.blob, new Uint8Array(1)), signature],
      [key.blob, signature.subarray(0, 30)],
      [key.blob, concat(signature, new Uint8Array(1))],
      [concat(sshString("ssh-dss"), sshString(new Uint8Array(8))), signature],
    ]
  ) {
    assert(!await verifySSHSignature(blob!, { data, signature: sig! }));
  }
});

test("authorized_keys lines are read with their comments, skipping blanks and # lines", async () => {
  const [a, b] = [await ed25519Key(), await ecdsaKey(256)];
  const keys = parseAuthorizedKeys(
    `# alice's keys\n\nssh-ed25519 ${a.blob.toBase64()} alice@laptop\n` +
      `ecdsa-sha2-nistp256 ${b.blob.toBase64()}\n`,
  );
  assertEquals(keys.map((k) => [k.type, k.comment]), [
    ["ssh-ed25519", "alice@laptop"],
    ["ecdsa-sha2-nistp256", ""],
  ]);
  assertEquals(keys[0]!.blob, a.blob);
  assertEquals(keyTypeOf(keys[1]!.blob), "ecdsa-sha2-nistp256");
});

for (
  const [what, line] of [
    ["options", 'from="10.0.0.0/8" ssh-ed25519 AAAA'],
    ["bad base64", "ssh-ed25519 !!!!"],
    [
      "a blob of another type",
      `ssh-rsa ${
        concat(sshString("ssh-ed25519"), sshString(new Uint8Array(32)))
          .toBase64()
      }`,
    ],
  ] as const
) {
  test(`an authorized_keys line with ${what} is refused, naming its line`, () => {
    const error = assertThrows(
      () => parseAuthorizedKeys(`# first\n${line}\n`, "keys"),
      UserFileError,
    );
    assertEquals(error.line, 2);
  });
}

test("the public-key checker answers a query for an authorized key with ValidPublicKeyError", async () => {
  const key = await ed25519Key();
  const checker = new PublicKeyChecker({
    alice: `ssh-ed25519 ${key.blob.toBase64()}`,
  });
  const error = await assertRejects(
    () =>
      checker.requestAvatarId(
        new SSHPublicKey("alice", { algorithm: key.type, blob: key.blob }),
      ),
    ValidPublicKeyError,
  );
  assertEquals(error.username, "alice");
});

test("the public-key checker lets in a user who signed with an authorized key", async () => {
  const key = await ecdsaKey(256);
  const checker = new PublicKeyChecker({
    alice: `ecdsa-sha2-nistp256 ${key.blob.toBase64()}`,
  });
  const credentials = new SSHPublicKey("alice", {
    algorithm: key.type,
    blob: key.blob,
    signedData: data,
    signature: await key.sign(data),
  });
  assertEquals(await checker.requestAvatarId(credentials), "alice");
});

test("the public-key checker refuses a key that is not the user's, even signed", async () => {
  const [alices, bobs] = [await ed25519Key(), await ed25519Key()];
  const checker = new PublicKeyChecker({
    alice: `ssh-ed25519 ${alices.blob.toBase64()}`,
    bob: `ssh-ed25519 ${bobs.blob.toBase64()}`,
  });
  const signature = await bobs.sign(data);
  for (const username of ["alice", "nobody"]) {
    const error = await assertRejects(
      () =>
        checker.requestAvatarId(
          new SSHPublicKey(username, {
            algorithm: "ssh-ed25519",
            blob: bobs.blob,
            signedData: data,
            signature,
          }),
        ),
      UnauthorizedLoginError,
    );
    assert(!(error instanceof ValidPublicKeyError));
  }
});

test("the public-key checker refuses a bad signature by an authorized key", async () => {
  const key = await ed25519Key();
  const checker = new PublicKeyChecker({
    alice: `ssh-ed25519 ${key.blob.toBase64()}`,
  });
  const signature = await key.sign(data);
  const error = await assertRejects(
    () =>
      checker.requestAvatarId(
        new SSHPublicKey("alice", {
          algorithm: "ssh-ed25519",
          blob: key.blob,
          signedData: encoder.encode("not what was signed"),
          signature,
        }),
      ),
    UnauthorizedLoginError,
  );
  assert(!(error instanceof ValidPublicKeyError));
});

const sshKeygen = findPeer(PEERS.sshKeygen);

// ssh-keygen -Y sign writes an SSHSIG (PROTOCOL.sshsig): the public key, and
// a plain SSH signature over a "SSHSIG" preamble and the message's hash.
async function sshsig(
  armored: string,
  message: Uint8Array<ArrayBuffer>,
): Promise<{ blob: Uint8Array; data: Uint8Array; signature: Uint8Array }> {
  const body = Uint8Array.fromBase64(
    armored.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""),
  );
  let at = 6 + 4; // "SSHSIG", version
  const next = () => {
    const length = new DataView(body.buffer, at, 4).getUint32(0);
    const value = body.slice(at + 4, at + 4 + length);
    at += 4 + length;
    return value;
  };
  const [blob, namespace, reserved, hashAlgorithm, signature] = [
    next(),
    next(),
    next(),
    next(),
    next(),
  ];
  const hashName = new TextDecoder().decode(hashAlgorithm);
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      hashName === "sha256" ? "SHA-256" : "SHA-512",
      message,
    ),
  );
  const data = concat(
    encoder.encode("SSHSIG"),
    sshString(namespace),
    sshString(reserved),
    sshString(hashAlgorithm),
    sshString(digest),
  );
  return { blob, data, signature };
}

for (
  const [type, bits] of [
    ["ed25519", ""],
    ["ecdsa", "256"],
    ["ecdsa", "521"],
    ["rsa", "2048"],
  ] as const
) {
  test(
    `an OpenSSH ${type}${
      bits === "" ? "" : `-${bits}`
    } key's authorized_keys line and signature are understood`,
    async () => {
      await withTempDir(async (dir) => {
        const keygen = (args: string[], stdin?: Uint8Array) => {
          const child = new Deno.Command(sshKeygen.path, {
            args,
            stdin: stdin === undefined ? "null" : "piped",
            stdout: "piped",
            stderr: "piped",
          }).spawn();
          if (stdin !== undefined) {
            const writer = child.stdin.getWriter();
            writer.write(stdin).then(() => writer.close());
          }
          return child.output();
        };
        const made = await keygen([
          "-q",
          "-t",
          type,
          ...(bits === "" ? [] : ["-b", bits]),
          "-N",
          "",
          "-f",
          `${dir}/key`,
        ]);
        assertEquals(made.code, 0, new TextDecoder().decode(made.stderr));
        const line = await Deno.readTextFile(`${dir}/key.pub`);
        const [authorized] = parseAuthorizedKeys(line);
        const message = encoder.encode("hello from ssh-keygen\n");
        await Deno.writeFile(`${dir}/message`, message);
        const signed = await keygen([
          "-Y",
          "sign",
          "-f",
          `${dir}/key`,
          "-n",
          "spindle-test",
          `${dir}/message`,
        ]);
        assertEquals(signed.code, 0, new TextDecoder().decode(signed.stderr));
        const { blob, data, signature } = await sshsig(
          await Deno.readTextFile(`${dir}/message.sig`),
          message,
        );
        assertEquals(blob, authorized!.blob);
        assert(await verifySSHSignature(authorized!.blob, { data, signature }));
        assert(
          !await verifySSHSignature(authorized!.blob, {
            data: concat(data, new Uint8Array(1)),
            signature,
          }),
        );
      });
    },
    { ignore: sshKeygen.ignore },
  );
}
