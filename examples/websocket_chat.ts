// A chat in the browser: a `Site` serves the page, and `/ws` upgrades to a
// WebSocket (`upgradeWebSocket`, the shape of `Deno.upgradeWebSocket`). Each
// message goes to everyone; joining and leaving are announced.
//
// Run it:   deno run -A examples/websocket_chat.ts --port 8080
// Try it:   open http://127.0.0.1:8080/ in two tabs, or
//           python3 -m websockets ws://127.0.0.1:8080/ws
// Options:  --port N (default 8080, 0 picks a free one); --cert FILE --key FILE
//           serve https: and wss: instead (a PEM certificate and key)
import { reactor } from "../reactor/mod.ts";
import { Resource, serveHTTP, Site } from "../protocols/http/mod.ts";
import {
  type SpindleWebSocket,
  upgradeWebSocket,
} from "../protocols/websocket/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

const PAGE = `<!DOCTYPE html>
<meta charset="utf-8">
<title>Spindle chat</title>
<style>body{font:16px system-ui;margin:2em}#log{list-style:none;padding:0}</style>
<h1>Spindle chat</h1>
<ul id="log"></ul>
<form id="form"><input id="text" autocomplete="off" autofocus> <button>Send</button></form>
<script>
const log = document.getElementById("log");
const scheme = location.protocol === "https:" ? "wss:" : "ws:";
const socket = new WebSocket(scheme + "//" + location.host + "/ws");
socket.onmessage = (event) => {
  const item = document.createElement("li");
  item.textContent = event.data;
  log.append(item);
};
socket.onclose = () => document.title = "closed";
document.getElementById("form").onsubmit = (event) => {
  event.preventDefault();
  const text = document.getElementById("text");
  if (text.value !== "") socket.send(text.value);
  text.value = "";
};
</script>
`;

class Page extends Resource {
  renderGET(): Response {
    return new Response(PAGE, {
      headers: { "content-type": "text/html;charset=UTF-8" },
    });
  }
}

const root = new Resource();
root.putChild("", new Page());
const site = new Site(root);

const members = new Set<SpindleWebSocket>();
let guests = 0;

function broadcast(text: string): void {
  for (const member of members) member.send(text);
}

const cert = option("cert", "");
const key = option("key", "");
const port = option("port", "8080");
const server = await serveHTTP((request, info) => {
  if (new URL(request.url).pathname !== "/ws") return site.fetch(request);
  const { socket, response } = upgradeWebSocket(request, info);
  const name = `guest-${++guests}`;
  socket.onopen = () => {
    members.add(socket);
    broadcast(`${name} joined`);
  };
  socket.onmessage = (event) => broadcast(`${name}: ${event.data}`);
  socket.onclose = () => {
    members.delete(socket);
    broadcast(`${name} left`);
  };
  return response;
}, {
  listen: cert === ""
    ? `tcp:${port}:interface=127.0.0.1`
    : `tls:${port}:interface=127.0.0.1:certKey=${cert}:privateKey=${key}`,
});
const address = server.addr as Deno.NetAddr;
console.log(`listening on ${address.hostname}:${address.port}`);

reactor.addSystemEventTrigger("before", "shutdown", () => server.shutdown());
await reactor.run();
await reactor.cleanUp();
