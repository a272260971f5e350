/**
 * The one convention for interop tests whose real peer may be missing.
 *
 * A peer is found the way `.ci/run` installs it: a Debian package (from its
 * `APT_PACKAGES`), the command that package provides, and for Twisted that
 * `/usr/bin/python3` can import it. {@linkcode findPeer} returns what the test
 * registration needs:
 *
 * - the peer is there: `{ ignore: false, path }`;
 * - it is missing: the test is ignored, visibly (Deno counts it as ignored, and
 *   a warning names the Debian package to install) — never passed;
 * - it is missing under `CI=true`, where `.ci/run` installed every peer: the
 *   test runs and fails, because reading `path` throws
 *   {@linkcode MissingPeerError}.
 *
 * ```ts ignore
 * const knot = findPeer(PEERS.knot);
 * test("the client asks knotd", async (t) => {
 *   const server = new Deno.Command(knot.path, { args: [...] }).spawn();
 * }, { ignore: knot.ignore });
 * ```
 *
 * @module
 */

/** A real program that interop tests talk to. */
export interface Peer {
  /** The Debian package that provides it, as named in `.ci/run`. */
  readonly debian: string;
  /** The command: a name looked up on `PATH` (and the sbin folders), or an absolute path. */
  readonly command: string;
  /** A Python module the command (a Python) must be able to import. */
  readonly pythonModule?: string;
}

/** The peers of the interop tests, by what the tests call them. */
export const PEERS = {
  python: { debian: "python3", command: "/usr/bin/python3" },
  twisted: {
    debian: "python3-twisted",
    command: "/usr/bin/python3",
    pythonModule: "twisted",
  },
  curl: { debian: "curl", command: "curl" },
  nghttp: { debian: "nghttp2-client", command: "nghttp" },
  h2load: { debian: "nghttp2-client", command: "h2load" },
  nghttpd: { debian: "nghttp2-server", command: "nghttpd" },
  node: { debian: "nodejs", command: "node" },
  dig: { debian: "dnsutils", command: "dig" },
  kdig: { debian: "knot-dnsutils", command: "kdig" },
  knot: { debian: "knot", command: "knotd" },
  ngircd: { debian: "ngircd", command: "ngircd" },
  nc: { debian: "netcat-openbsd", command: "nc" },
  git: { debian: "git", command: "git" },
  npx: { debian: "npm", command: "npx" },
  openssl: { debian: "openssl", command: "openssl" },
  sshKeygen: { debian: "openssh-client", command: "ssh-keygen" },
  ssh: { debian: "openssh-client", command: "ssh" },
  sftp: { debian: "openssh-client", command: "sftp" },
  sshd: { debian: "openssh-server", command: "sshd" },
  tinyproxy: { debian: "tinyproxy", command: "tinyproxy" },
  dovecot: { debian: "dovecot-imapd", command: "dovecot" },
  pythonWebsockets: {
    debian: "python3-websockets",
    command: "/usr/bin/python3",
    pythonModule: "websockets",
  },
  haproxy: { debian: "haproxy", command: "haproxy" },
  chromium: { debian: "chromium", command: "chromium" },
  rdate: { debian: "rdate", command: "rdate" },
  finger: { debian: "finger", command: "finger" },
  memcached: { debian: "memcached", command: "memcached" },
  tmux: { debian: "tmux", command: "tmux" },
  telnet: { debian: "telnet", command: "telnet" },
  vsftpd: { debian: "vsftpd", command: "vsftpd" },
  danted: { debian: "dante-server", command: "danted" },
  swaks: { debian: "swaks", command: "swaks" },
  aiosmtpd: {
    debian: "python3-aiosmtpd",
    command: "/usr/bin/python3",
    pythonModule: "aiosmtpd",
  },
} as const satisfies Record<string, Peer>;

/** What a test registration needs to know about its peer. */
export interface FoundPeer {
  /** Pass to `Deno.test` or trial's `test`: true when the test must be ignored. */
  readonly ignore: boolean;
  /** The peer's executable; throws {@linkcode MissingPeerError} when it is missing. */
  readonly path: string;
}

/** The error an interop test fails with under `CI=true` when its peer is missing. */
export class MissingPeerError extends Error {
  /** Creates the error for `peer`. */
  constructor(peer: Peer) {
    super(
      `${
        describe(peer)
      } is not installed, and CI=true requires every interop peer: install it with apt-get install ${peer.debian} (or add it to APT_PACKAGES in .ci/run)`,
    );
    this.name = "MissingPeerError";
  }
}

const found = new Map<Peer, string | null>();
const warned = new Set<string>();

/**
 * Looks `peer` up (once per process) and returns the test options and path;
 * a missing peer is reported once on stderr, naming its Debian package.
 */
export function findPeer(peer: Peer): FoundPeer {
  if (!found.has(peer)) found.set(peer, locate(peer));
  const path = found.get(peer)!;
  if (path !== null) return { ignore: false, path };
  const onCI = Deno.env.get("CI") === "true";
  if (!warned.has(describe(peer))) warn(peer, onCI);
  if (!onCI) return { ignore: true, path: peer.command };
  return {
    ignore: false,
    get path(): string {
      throw new MissingPeerError(peer);
    },
  };
}

function warn(peer: Peer, onCI: boolean): void {
  warned.add(describe(peer));
  console.warn(
    `%c${describe(peer)} is not installed: its interop tests are ${
      onCI ? "FAILING (CI=true)" : "ignored"
    }; apt-get install ${peer.debian}`,
    "color: yellow",
  );
}

function describe(peer: Peer): string {
  return peer.pythonModule === undefined
    ? `${peer.debian} (${peer.command})`
    : `${peer.debian} (${peer.command} importing ${peer.pythonModule})`;
}

function locate(peer: Peer): string | null {
  const path = which(peer.command);
  if (path === null || peer.pythonModule === undefined) return path;
  try {
    const { success } = new Deno.Command(path, {
      args: ["-c", `import ${peer.pythonModule}`],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return success ? path : null;
  } catch {
    return null;
  }
}

function which(command: string): string | null {
  const candidates = command.startsWith("/") ? [command] : [
    ...(Deno.env.get("PATH") ?? "").split(":"),
    "/usr/sbin",
    "/sbin",
  ].filter((dir) => dir !== "").map((dir) => `${dir}/${command}`);
  for (const candidate of candidates) {
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}
