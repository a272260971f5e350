/**
 * Smoke test for examples/irc_bot.ts: the bot (with the server it runs
 * itself) answers !time in its channel and logs what is said there.
 */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

async function readUntil(
  conn: Deno.Conn,
  wanted: RegExp,
  seen: { text: string },
): Promise<void> {
  const buffer = new Uint8Array(4096);
  const deadline = Date.now() + 10_000;
  while (!wanted.test(seen.text)) {
    if (Date.now() > deadline) {
      throw new Error(`no ${wanted} from the bot's server; got:\n${seen.text}`);
    }
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`the server closed; got:\n${seen.text}`);
    seen.text += new TextDecoder().decode(buffer.subarray(0, n));
  }
}

export async function smoke(kit: SmokeKit): Promise<void> {
  const log = await Deno.makeTempFile({ suffix: ".log" });
  try {
    const bot = await kit.start("irc_bot", [
      "--serve",
      "tcp:0:interface=127.0.0.1",
      "--log",
      log,
    ]);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: bot.port });
    try {
      const seen = { text: "" };
      const say = (line: string) =>
        conn.write(new TextEncoder().encode(`${line}\r\n`));
      await say("NICK tester");
      await say("USER tester 0 * :Tester");
      await say("JOIN #spindle");
      // The bot is there once NAMES lists it.
      for (let i = 0; !/353 [^\n]*timebot/.test(seen.text); i++) {
        if (i > 0) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          await say("NAMES #spindle");
        }
        await readUntil(conn, /366 /, seen);
        if (!/353 [^\n]*timebot/.test(seen.text)) seen.text = "";
      }
      await say("PRIVMSG #spindle :!time");
      await readUntil(conn, /PRIVMSG #spindle :tester: it is /, seen);
      await say("QUIT");
    } finally {
      conn.close();
    }
    await bot.stop();
    const text = await Deno.readTextFile(log);
    if (!text.includes("<tester> !time")) {
      throw new Error(`the channel log lacks "<tester> !time":\n${text}`);
    }
  } finally {
    await Deno.remove(log);
  }
}

Deno.test("examples/irc_bot.ts: it answers !time in its channel and logs it", () =>
  runSmoke(smoke));
