// A finger client (RFC 1288): asks a finger server about a user (or, with
// no user, who is there) and prints the answer.
//
// Run it:    deno run -A examples/finger_client.ts alice@127.0.0.1:7979
// Try it:    deno task spindle finger --listen tcp:7979:interface=127.0.0.1 --users-dir ./plans
import { finger } from "../protocols/finger/mod.ts";

const target = Deno.args[0] ?? "@127.0.0.1:7979";
const at = target.lastIndexOf("@");
const user = at === -1 ? target : target.slice(0, at);
const [host = "127.0.0.1", port = "79"] = at === -1
  ? []
  : target.slice(at + 1).split(":");
console.log(await finger(host, user, { port: Number(port), verbose: true }));
