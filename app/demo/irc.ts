/**
 * The demo's IRC server, on port base + 6667 (IRC's usual port): channels,
 * CAP and the rest of `spindle irc`, with no accounts.
 *
 * @module
 */
import { IRCService } from "../../protocols/irc/plugin.ts";
import { type DemoService, endpointString } from "./demo_service.ts";

/**
 * IRC: a server for any IRC client.
 *
 * @example Usage
 * ```ts
 * import { irc } from "./irc.ts";
 * console.assert(irc.port === 6667);
 * ```
 */
export const irc: DemoService = {
  name: "irc",
  description:
    "an IRC server (channels, modes, CAP with server-time and message-tags)",
  port: 6667,
  tryIt: ({ hostname, port }) => [{
    // A whole session that ends by itself: the server closes after QUIT.
    command:
      `printf 'NICK visitor\\r\\nUSER visitor 0 * :Visitor\\r\\nJOIN #demo\\r\\nQUIT :bye\\r\\n' | nc -N ${hostname} ${port}`,
    expect: "Welcome to the Spindle IRC Network",
    note:
      `or chat in #demo with any IRC client: irssi -c ${hostname} -p ${port} -n yourname`,
  }],
  makeService: ({ address }) =>
    new IRCService({
      listen: endpointString(address),
      name: "irc.demo.test",
      motd: "Welcome to Spindle's demo. Try /join #demo",
    }),
};
