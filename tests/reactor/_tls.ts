// Test certificates made with openssl at test time: a small CA and leaf
// certificates signed by it (rustls rejects a self-signed certificate that is
// its own CA, CaUsedAsEndEntity). openssl is a peer like the interop ones:
// under CI=true a missing one fails with MissingPeerError, naming its package.
import { findPeer, PEERS } from "../_peers.ts";

/** A CA and leaf certificates, PEM-encoded. */
export interface TestPki {
  /** The CA certificate, to trust. */
  caCert: string;
  /** Leaf certificate and key per name given to makeTestPki. */
  leaves: Record<string, { cert: string; key: string }>;
  /** The directory holding the files (CA as ca.pem, leaves as <name>.pem / <name>.key). */
  dir: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(
    findPeer(PEERS.openssl).path,
    {
      args,
      cwd,
      stdout: "null",
      stderr: "piped",
    },
  ).output();
  if (code !== 0) {
    throw new Error(
      `openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`,
    );
  }
}

let cached: Promise<TestPki> | undefined;

/**
 * Makes (once per process) a CA and one leaf per name; each leaf is valid for
 * its name, and "localhost" also for 127.0.0.1 and ::1.
 */
export function makeTestPki(
  names: string[] = ["localhost", "a.example", "b.example"],
): Promise<TestPki> {
  cached ??= create(names);
  return cached;
}

async function create(names: string[]): Promise<TestPki> {
  const dir = await Deno.makeTempDir({ prefix: "spindle-pki-" });
  globalThis.addEventListener("unload", () => {
    Deno.removeSync(dir, { recursive: true });
  });
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=Spindle Test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ], dir);
  const leaves: TestPki["leaves"] = {};
  for (const name of names) {
    const san = name === "localhost"
      ? "DNS:localhost,IP:127.0.0.1,IP:::1"
      : `DNS:${name}`;
    await Deno.writeTextFile(
      `${dir}/${name}.ext`,
      `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
    );
    await openssl([
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    ], dir);
    await openssl([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    ], dir);
    leaves[name] = {
      cert: await Deno.readTextFile(`${dir}/${name}.pem`),
      key: await Deno.readTextFile(`${dir}/${name}.key`),
    };
  }
  return { caCert: await Deno.readTextFile(`${dir}/ca.pem`), leaves, dir };
}
