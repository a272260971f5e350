// A line-based chat server: everyone connected sees what the others type.
// Shows frame() with a LineCodec (stream style: a connection as a stream of
// lines) and a broadcast to many connections. Commands: /nick NAME, /quit.
//
// Run it:      deno run -A examples/chat_server.ts --port 7002
// Chat:        nc 127.0.0.1 7002    (or telnet 127.0.0.1 7002), in two terminals
import { frame, LineCodec } from "../protocols/basic/mod.ts";
import { reactor } from "../reactor/mod.ts";
import type { Connection } from "../reactor/mod.ts";

interface Member {
  nick: string;
  send(line: string): void;
}

const members = new Set<Member>();
let guests = 0;

function broadcast(from: Member | null, line: string): void {
  for (const member of members) {
    if (member !== from) member.send(line);
  }
}

function nickInUse(nick: string): boolean {
  for (const member of members) if (member.nick === nick) return true;
  return false;
}

// "\n" accepts the "\r\n" that telnet sends; 512 bytes is plenty for a chat line.
const codec = new LineCodec({ delimiter: "\n", maxLength: 512 });

async function chat(conn: Connection): Promise<void> {
  const lines = frame(conn, codec);
  const writer = lines.writable.getWriter();
  const member: Member = {
    nick: `guest${++guests}`,
    // A member that went away must not stop the broadcast to the others.
    send: (line) => void writer.write(line).catch(() => {}),
  };
  member.send(`Welcome, ${member.nick}! Commands: /nick NAME, /quit`);
  broadcast(member, `* ${member.nick} joined`);
  members.add(member);
  try {
    for await (const line of lines.readable) {
      if (line.startsWith("/nick ")) {
        const nick = line.slice(6).trim();
        if (!/^[\w-]{1,20}$/.test(nick)) {
          member.send("* a nick is 1 to 20 letters, digits, _ or -");
        } else if (nickInUse(nick)) {
          member.send(`* ${nick} is taken`);
        } else {
          broadcast(null, `* ${member.nick} is now known as ${nick}`);
          member.nick = nick;
        }
      } else if (line === "/quit") {
        member.send("Bye!");
        break;
      } else if (line.length > 0) {
        broadcast(member, `<${member.nick}> ${line}`);
      }
    }
  } catch {
    // A line too long or not UTF-8: this member is dropped, the others stay.
  } finally {
    members.delete(member);
    broadcast(null, `* ${member.nick} left`);
    await writer.close().catch(() => {});
    await conn.close();
  }
}

const portIndex = Deno.args.indexOf("--port");
const port = portIndex >= 0 ? Number(Deno.args[portIndex + 1]) : 7002;
const listening = await reactor.listenTCP(port, chat, {
  interface: "127.0.0.1",
});
const address = listening.getHost() as Deno.NetAddr;
console.log(`listening on ${address.hostname}:${address.port}`);

const stop = () => {
  listening.stopListening().addCallback(() => Deno.exit(0));
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
