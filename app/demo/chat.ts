/**
 * The demo's line chat, on port base + 7002 (the port of
 * `examples/chat_server.ts`): everyone connected sees the lines the others
 * send; `/nick NAME` and `/quit`.
 *
 * @module
 */
import { frame } from "../../protocols/basic/frame.ts";
import { LineCodec } from "../../protocols/basic/line.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import { type DemoService, endpointString } from "./demo_service.ts";

interface Member {
  nick: string;
  send(line: string): void;
}

// "\n" also ends the "\r\n" lines of telnet; a chat line needs no more than 512 bytes.
const codec = new LineCodec({ delimiter: "\n", maxLength: 512 });
const NICK = /^[\w-]{1,20}$/;

/** A chat room: the handler of each connection, sharing one set of members. */
function chatRoom(): (conn: Connection) => Promise<void> {
  const members = new Set<Member>();
  let guests = 0;
  const broadcast = (from: Member | null, line: string) => {
    for (const member of members) if (member !== from) member.send(line);
  };
  const taken = (nick: string) => [...members].some((m) => m.nick === nick);

  return async (conn) => {
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
          if (!NICK.test(nick)) {
            member.send("* a nick is 1 to 20 letters, digits, _ or -");
          } else if (taken(nick)) {
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
  };
}

/**
 * The line chat: try it with `nc` in two terminals.
 *
 * @example Usage
 * ```ts
 * import { chat } from "./chat.ts";
 * console.assert(chat.port === 7002);
 * ```
 */
export const chat: DemoService = {
  name: "chat",
  description:
    "a line chat: what one client sends, the others see; /nick NAME, /quit",
  port: 7002,
  tryIt: ({ hostname, port }) => [{
    command: `printf '/nick alice\\n/quit\\n' | nc ${hostname} ${port}`,
    expect: "is now known as alice",
    note: `chat for real: nc ${hostname} ${port}, in two terminals`,
  }],
  makeService: ({ address }) =>
    new StreamServerEndpointService(endpointString(address), chatRoom(), {
      name: "chat",
    }),
};
