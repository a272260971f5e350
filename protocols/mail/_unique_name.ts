// Unique maildir file names, as the maildir specification (cr.yp.to/proto/
// maildir.html) and Dovecot write them: TIME.M<usec>P<pid>Q<n>R<random>.HOST.
// The pid tells processes apart (--workers), the counter deliveries within
// one process, and the random part a pid reused after a restart.

let counter = 0;
// Refilled for each name, not allocated: a name is made per delivery.
const RANDOM = new Uint32Array(1);
let host: string | undefined;

function hostName(): string {
  if (host === undefined) {
    let name = "localhost";
    try {
      name = Deno.hostname();
    } catch {
      // No permission to read it: any constant works, the rest is unique.
    }
    // The specification's escapes, so a name is one path part with no ':'
    // (which starts the flags) in it.
    host = name.replaceAll("/", "\\057").replaceAll(":", "\\072");
  }
  return host;
}

/** A file name no other delivery, in any process on this host, will pick. */
export function uniqueName(): string {
  const now = Date.now();
  const seconds = Math.floor(now / 1000);
  const micros = (now % 1000) * 1000;
  const random = crypto.getRandomValues(RANDOM)[0]!.toString(16);
  counter++;
  return `${seconds}.M${micros}P${Deno.pid}Q${counter}R${random}.${hostName()}`;
}
