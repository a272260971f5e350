// An IRC bot: it joins a channel, answers `!time` with the time, writes every
// line said there to a log file, and comes back whenever its connection is
// lost, waiting longer after each failed try (IRCClientFactory).
//
// Run it:    deno run -A examples/irc_bot.ts --server 127.0.0.1:6667 --channel '#spindle' --log spindle.log
// Try it:    deno task spindle irc --listen tcp:6667:interface=127.0.0.1 in another
//            terminal, then join #spindle with any client (irssi -c 127.0.0.1 -n you)
//            and say !time. With --serve tcp:6667:interface=127.0.0.1 the bot runs
//            that server itself.
import { parseArgs } from "node:util";
import {
  IRCClient,
  IRCClientFactory,
  type IRCClientOptions,
  serveIRC,
} from "../protocols/irc/mod.ts";
import { clientFromString, Connector, reactor } from "../reactor/mod.ts";

const { values } = parseArgs({
  options: {
    server: { type: "string", default: "127.0.0.1:6667" },
    channel: { type: "string", default: "#spindle" },
    nick: { type: "string", default: "timebot" },
    log: { type: "string", default: "irc_bot.log" },
    serve: { type: "string" },
  },
});

class TimeBot extends IRCClient {
  #log: Deno.FsFile;

  constructor(options: IRCClientOptions, log: Deno.FsFile) {
    super(options);
    this.#log = log;
  }

  #write(line: string): void {
    const stamp = new Date().toISOString();
    this.#log.writeSync(new TextEncoder().encode(`${stamp} ${line}\n`));
  }

  override signedOn(): void {
    console.log(`signed on as ${this.nickname}`);
  }

  override joined(channel: string): void {
    console.log(`joined ${channel}`);
    this.#write(`* ${this.nickname} joined ${channel}`);
  }

  override privmsg(user: string, channel: string, message: string): void {
    const nick = user.split("!")[0];
    this.#write(`<${nick}> ${message}`);
    if (message.trim() === "!time") {
      // A query (sent to our nick) is answered to its sender.
      const to = channel.startsWith("#") ? channel : nick!;
      this.msg(to, `${nick}: it is ${new Date().toUTCString()}`);
    }
  }

  override action(user: string, _channel: string, data: string): void {
    this.#write(`* ${user.split("!")[0]} ${data}`);
  }

  override userJoined(user: string, channel: string): void {
    this.#write(`* ${user} joined ${channel}`);
  }

  override userLeft(user: string, channel: string): void {
    this.#write(`* ${user} left ${channel}`);
  }

  override userQuit(user: string, quitMessage: string): void {
    this.#write(`* ${user} quit (${quitMessage})`);
  }
}

if (values.serve !== undefined) {
  const running = await serveIRC({ listen: values.serve });
  const { hostname, port } = running.addr as Deno.NetAddr;
  console.log(`IRC server listening on ${hostname}:${port}`);
  values.server = `${hostname}:${port}`;
}

const log = await Deno.open(values.log!, { append: true, create: true });
const [host, port = "6667"] = values.server!.split(":");
const factory = new IRCClientFactory(
  () =>
    new TimeBot({ nickname: values.nick!, channels: [values.channel!] }, log),
  { initialDelay: 1000, maxDelay: 60_000 },
);
new Connector(
  clientFromString(reactor, `tcp:host=${host}:port=${port}`),
  factory,
).connect();
console.log(
  `connecting to ${host}:${port}, logging ${values.channel} to ${values.log}`,
);
