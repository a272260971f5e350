// A line protocol logging in through a portal and a limiter, over real TCP,
// as the cred module's documentation shows: refused logins are answered,
// and the connection is closed after its last allowed failure.
import { assertEquals, test } from "../../trial/mod.ts";
import type { TestContext } from "../../trial/mod.ts";
import { Factory } from "../../reactor/factory.ts";
import type { Address } from "../../reactor/interfaces.ts";
import { LineReceiver } from "../../protocols/basic/line_receiver.ts";
import { checkerFromString } from "../../cred/checker_string.ts";
import { LoginLimiter } from "../../cred/login_limiter.ts";
import { Portal } from "../../cred/portal.ts";
import { UsernamePassword } from "../../cred/credentials.ts";
import {
  TooManyAttemptsError,
  UnauthorizedLoginError,
} from "../../cred/errors.ts";

const hostOf = (address: Address) =>
  "hostname" in address ? address.hostname : "local";

async function serveGreeter(t: TestContext): Promise<number> {
  const portal = new Portal<string>(
    {
      requestAvatar: (id) => ({ interface: "greeter", avatar: `hello, ${id}` }),
    },
    [checkerFromString("memory:alice=secret")],
  );
  const limiter = new LoginLimiter({
    clock: t.reactor,
    failureDelay: 5,
    maxFailuresPerConnection: 2,
  });
  class Greeter extends LineReceiver {
    override lineReceived(line: string): void {
      const [, name = "", password = ""] = line.split(" ");
      limiter.attempt(
        { connection: this, source: hostOf(this.transport.getPeer()) },
        () =>
          portal.login(new UsernamePassword(name, password), this, "greeter"),
      ).then(({ avatar }) => this.sendLine(`OK ${avatar}`), (error) => {
        if (!(error instanceof UnauthorizedLoginError)) throw error;
        this.sendLine("ERR login refused");
        if (error instanceof TooManyAttemptsError) {
          this.transport.loseConnection();
        }
      });
    }
  }
  const port = await t.reactor.listenTCP(0, Factory.forProtocol(Greeter), {
    interface: "127.0.0.1",
  });
  t.addCleanup(() => port.stopListening());
  return (port.getHost() as Deno.NetAddr).port;
}

// Sends each line after the answer to the one before, and returns every
// line received until the server closes (or the client ends after the last).
async function converse(
  port: number,
  lines: string[],
  untilClosed: boolean,
): Promise<string[]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const received: string[] = [];
  let buffered = "";
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(1024);
  try {
    for (const line of lines) {
      await conn.write(new TextEncoder().encode(`${line}\r\n`));
      while (!buffered.includes("\r\n")) {
        const n = await conn.read(buffer);
        if (n === null) return received;
        buffered += decoder.decode(buffer.subarray(0, n));
      }
      const end = buffered.indexOf("\r\n");
      received.push(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
    }
    if (untilClosed) {
      while (await conn.read(buffer) !== null) {
        // Nothing more is expected: the server is closing.
      }
      received.push("<closed>");
    }
    return received;
  } finally {
    conn.close();
  }
}

test("a line protocol answers a login through the portal", async (t) => {
  const port = await serveGreeter(t);
  assertEquals(
    await converse(port, ["LOGIN alice secret"], false),
    ["OK hello, alice"],
  );
});

test("a line protocol closes the connection after its last allowed failure", async (t) => {
  const port = await serveGreeter(t);
  assertEquals(
    await converse(port, ["LOGIN alice guess", "LOGIN bob x"], true),
    ["ERR login refused", "ERR login refused", "<closed>"],
  );
  // A new connection may try again.
  assertEquals(
    await converse(port, ["LOGIN alice secret"], false),
    ["OK hello, alice"],
  );
});
