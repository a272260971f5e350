// Starts the Python SMTP servers of python_mail_servers.py (aiosmtpd or
// Twisted's ESMTP), each delivering to a maildir, for tests and the bench.
export interface PythonMailServer {
  port: number;
  maildir: string;
  process: Deno.ChildProcess;
  [Symbol.asyncDispose](): Promise<void>;
}

const SCRIPT = new URL("./python_mail_servers.py", import.meta.url).pathname;

/** Starts `kind` with `python` (its path) on a fresh maildir; waits (up to 20 s) for its port. */
export async function startPythonMailServer(
  python: string,
  kind: "aiosmtpd" | "twisted",
  tls?: { cert: string; key: string },
): Promise<PythonMailServer> {
  const maildir = await Deno.makeTempDir({ prefix: `spindle-${kind}-` });
  const args = [SCRIPT, kind, maildir];
  if (tls !== undefined) {
    await Deno.writeTextFile(`${maildir}.cert`, tls.cert);
    await Deno.writeTextFile(`${maildir}.key`, tls.key);
    args.push(`${maildir}.cert`, `${maildir}.key`);
  }
  const process = new Deno.Command(python, {
    args,
    stdin: "piped",
    stdout: "piped",
    // Its tracebacks for sessions a test breaks on purpose are noise.
    stderr: "null",
  }).spawn();
  const output = process.stdout.pipeThrough(new TextDecoderStream());
  const reader = output.getReader();
  let text = "";
  const deadline = setTimeout(() => process.kill(), 20_000);
  try {
    while (!/PORT \d+\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the ${kind} server exited before it listened`);
      text += value;
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
  const port = Number(/PORT (\d+)/.exec(text)![1]);
  return {
    port,
    maildir,
    process,
    async [Symbol.asyncDispose]() {
      await process.stdin.close();
      await output.cancel();
      await process.status;
      await Deno.remove(maildir, { recursive: true });
      if (tls !== undefined) {
        await Deno.remove(`${maildir}.cert`);
        await Deno.remove(`${maildir}.key`);
      }
    },
  };
}

/** The messages in the maildir's new/, oldest name first. */
export function maildirMessages(maildir: string): Uint8Array[] {
  const names = [...Deno.readDirSync(`${maildir}/new`)].map((e) => e.name)
    .sort();
  return names.map((name) => Deno.readFileSync(`${maildir}/new/${name}`));
}
