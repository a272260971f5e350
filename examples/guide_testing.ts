// The protocol of docs/testing_with_trial.md, and a main that serves it. Its
// trial tests are in tests/docs/guide_testing_test.ts.
//
// Shout answers each line in capitals, closes on "bye", and closes a
// connection that stays silent for IDLE_TIMEOUT milliseconds. `done` says how
// the conversation ended.
//
// Run it:   deno run --allow-net examples/guide_testing.ts --port 8000
// Try it:   nc 127.0.0.1 8000
import { Deferred } from "../deferred/mod.ts";
import {
  type DelayedCall,
  Factory,
  reactor,
  serverFromString,
} from "../reactor/mod.ts";
import { LineReceiver } from "../protocols/basic/mod.ts";

/** How long a connection may stay silent, in milliseconds. */
export const IDLE_TIMEOUT = 30_000;

/** A line protocol with an idle timeout, written to be tested. */
export class Shout extends LineReceiver {
  override delimiter = "\n";
  /** Fires with "bye" or "idle" once the conversation is over. */
  readonly done = new Deferred<"bye" | "idle">();
  #idle: DelayedCall | null = null;

  override connectionMade(): void {
    this.#restartIdleTimer();
  }

  override lineReceived(line: string): void {
    if (line === "bye") return this.#end("bye");
    this.#restartIdleTimer();
    this.sendLine(line.toUpperCase());
  }

  override connectionLost(): void {
    if (this.#idle?.active()) this.#idle.cancel();
  }

  // transport.reactor is the real reactor in production and whatever clock
  // the test ran the protocol with, so the timeout can be tested instantly.
  #restartIdleTimer(): void {
    if (this.#idle?.active()) this.#idle.cancel();
    this.#idle = this.transport.reactor.callLater(
      IDLE_TIMEOUT,
      () => this.#end("idle"),
    );
  }

  #end(why: "bye" | "idle"): void {
    this.sendLine(why);
    this.transport.loseConnection();
    this.done.callback(why);
  }
}

if (import.meta.main) {
  const portIndex = Deno.args.indexOf("--port");
  const port = portIndex >= 0 ? Deno.args[portIndex + 1] : "8000";
  const listening = await serverFromString(
    reactor,
    `tcp:${port}:interface=127.0.0.1`,
  ).listen(Factory.forProtocol(Shout));
  const { hostname, port: bound } = listening.getHost() as Deno.NetAddr;
  console.log(`listening on ${hostname}:${bound}`);
  reactor.addSystemEventTrigger(
    "before",
    "shutdown",
    () => listening.stopListening(),
  );
  await reactor.run();
  await reactor.cleanUp();
}
