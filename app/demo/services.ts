/**
 * The services of `spindle demo` (`deno task demo`): a web site listing the
 * others, DNS, echo, a line chat, and each protocol that joins.
 *
 * ## Joining the demo: one file and one line
 *
 * A protocol joins the demo once its server works, with an edit of its own:
 *
 * 1. Add `app/demo/<name>.ts` that exports a {@linkcode DemoService} named
 *    after the protocol (`export const smtp: DemoService = {...}`), built on
 *    the protocol's server or its plugin's service (`app/` may import
 *    `protocols/*` and `protocols/*\/plugin.ts`; nothing in a protocol
 *    imports the demo). Everything it needs is embedded in code: no file to
 *    prepare (generate keys and certificates, write folders under
 *    `context.dataDir`, which the demo deletes when it stops).
 * 2. Its `port` is an offset from the port base (20000): the protocol's usual
 *    port (SMTP 25 → 20025, IRC 6667 → 26667). It must not be taken by
 *    another line of the list (the test of this list checks).
 * 3. It listens on `context.address` only (loopback), with the names and
 *    passwords it needs made up for the demo and shown in its `description`
 *    or a try-it `note`.
 * 4. Its `tryIt` commands are copy-paste shell commands that end by
 *    themselves and print {@linkcode TryIt.expect}; the programs they use come
 *    from Debian packages in `.ci/run`'s `APT_PACKAGES`.
 *    `tests/readme_quickstart_test.ts` runs each of them against the demo
 *    started as the README says, so a listed command that fails fails CI.
 * 5. Add one import and one line at the end of `DEMO_SERVICES` below, and
 *    run `deno test -A --unstable-net tests/app/demo_test.ts
 *    tests/readme_quickstart_test.ts`.
 *
 * The landing page (the `web` service) lists every service with its address
 * and commands; the terminal shows the same when the demo starts.
 *
 * @module
 */
import type { DemoService, TryIt } from "./demo_service.ts";
import { chat } from "./chat.ts";
import { daytime, finger, qotd, socks } from "./classics.ts";
import { dns } from "./dns.ts";
import { echo } from "./echo.ts";
import { irc } from "./irc.ts";
import { imap, pop3, smtp } from "./mail.ts";
import { ssh } from "./ssh.ts";
import { web } from "./web.ts";
import { websocket } from "./websocket.ts";
import { http2 } from "./http2.ts";

export type { DemoService, TryIt };

/**
 * Every service of the demo, in the order they start and are listed (the web
 * site first: its page lists the others).
 *
 * @example Usage
 * ```ts
 * import { DEMO_SERVICES } from "./services.ts";
 * console.assert(DEMO_SERVICES.some((service) => service.name === "web"));
 * ```
 */
export const DEMO_SERVICES: readonly DemoService[] = [
  web,
  echo,
  dns,
  chat,
  irc,
  ssh,
  smtp,
  pop3,
  imap,
  websocket,
  http2,
  daytime,
  qotd,
  finger,
  socks,
];
