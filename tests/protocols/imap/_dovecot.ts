// Dovecot (dovecot-imapd) as a peer: started on a free port with a
// generated configuration, a maildir root (one maildir per user) and a
// passwd-file; used by the interop tests and bench/imap_bench.ts.
import { findPeer, PEERS } from "../../_peers.ts";

export const dovecotPeer = findPeer(PEERS.dovecot);

/** A running Dovecot. */
export interface Dovecot {
  port: number;
  /** Stops it and removes its configuration and state (not the mail). */
  stop(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts Dovecot serving `mailRoot/<user>` as each user's maildir, for
 * `users` (name → password), and waits (at most 10 s) until it listens.
 * As root, mail is accessed as `nobody`, so the root is handed to it.
 */
export async function startDovecot(
  mailRoot: string,
  users: Record<string, string>,
): Promise<Dovecot> {
  const dir = await Deno.makeTempDir({ prefix: "spindle-dovecot-" });
  await Deno.chmod(dir, 0o755);
  const port = freePort();
  const root = Deno.uid() === 0;
  if (root) {
    await new Deno.Command("chown", {
      args: ["-R", "nobody:nogroup", mailRoot],
    })
      .output();
  }
  await Deno.writeTextFile(
    `${dir}/passwd`,
    Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`).join(""),
  );
  const owner = root
    ? "uid=nobody gid=nogroup"
    : `uid=${Deno.uid()} gid=${Deno.gid()}`;
  await Deno.writeTextFile(
    `${dir}/dovecot.conf`,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:${mailRoot}/%u
${
      root
        ? "default_login_user = dovenull\ndefault_internal_user = dovecot"
        : `default_login_user = ${
          Deno.env.get("USER") ?? "nobody"
        }\ndefault_internal_user = ${Deno.env.get("USER") ?? "nobody"}`
    }
service imap-login {
  chroot =
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = ${owner} home=${mailRoot}/%u
}
`,
  );
  const child = new Deno.Command(dovecotPeer.path, {
    args: ["-F", "-c", `${dir}/dovecot.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.output();
        const log = await Deno.readTextFile(`${dir}/dovecot.log`).catch(() =>
          ""
        );
        throw new Error(`Dovecot did not listen within 10 s: ${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    port,
    async stop() {
      child.kill("SIGTERM");
      await child.output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
