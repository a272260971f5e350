// A Telnet server for a small text UI: character mode with server-side echo,
// line editing (arrows, Backspace, Ctrl-A/E/U) and history (Up/Down), and
// the terminal's size and type from the client. Commands: help, size,
// history, quit; anything else comes back in capitals.
//
// Run it:    deno run -A examples/telnet_server.ts --port 2323
// Try it:    telnet 127.0.0.1 2323
import { telnetLineHandler } from "../protocols/telnet/mod.ts";
import { reactor } from "../reactor/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

const handler = telnetLineHandler((line, session) => {
  const command = line.trim();
  if (command === "help") return "commands: help, size, history, quit";
  if (command === "size") {
    const size = session.windowSize;
    return size === undefined
      ? "your client did not say"
      : `${size.columns}x${size.rows} (${session.terminalType ?? "unknown"})`;
  }
  if (command === "history") return session.history.join("\n");
  if (command === "quit") {
    session.write("Bye!\n");
    session.close();
    return;
  }
  return command.toUpperCase();
}, { greeting: "Welcome to Spindle's Telnet demo. Try: help\n", prompt: "> " });

const port = await reactor.listenTCP(Number(option("port", "2323")), handler, {
  interface: "127.0.0.1",
});
const { hostname, port: bound } = port.getHost() as Deno.NetAddr;
console.log(`listening on ${hostname}:${bound}`);

Deno.addSignalListener("SIGTERM", async () => {
  await port.stopListening();
  Deno.exit(0);
});
