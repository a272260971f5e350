// This host's name, for the server's greeting and the client's EHLO; without
// the permission to read it, "localhost".
export function defaultHostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}
