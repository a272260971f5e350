// An AMP calculator: a Twisted-compatible AMP server with typed commands, and a
// client that calls it (including a command that fails with a declared error).
//
// Run the server:  deno run -A examples/amp_calculator.ts --port 7001
// Call it:         deno run -A examples/amp_calculator.ts --connect 7001
// A Twisted client (twisted.protocols.amp) with the same Sum/Divide commands
// talks to it too.
import { AMP, defineCommand, Float, Integer } from "../protocols/amp/mod.ts";
import {
  clientFromString,
  connectProtocol,
  Factory,
  reactor,
  serverFromString,
} from "../reactor/mod.ts";

class ZeroDivisionError extends Error {}

const Sum = defineCommand({
  name: "Sum",
  arguments: { a: Integer, b: Integer },
  response: { total: Integer },
});

const Divide = defineCommand({
  name: "Divide",
  arguments: { numerator: Integer, denominator: Integer },
  response: { result: Float },
  errors: { ZERO_DIVISION: ZeroDivisionError },
});

/** One per connection, built by the Factory (Twisted style). */
class Calculator extends AMP {
  constructor() {
    super();
    this.respond(Sum, ({ a, b }) => ({ total: a + b }));
    this.respond(Divide, ({ numerator, denominator }) => {
      if (denominator === 0) throw new ZeroDivisionError("division by zero");
      return { result: numerator / denominator };
    });
  }
}

function option(name: string): string | undefined {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] : undefined;
}

const connectTo = option("connect");
if (connectTo === undefined) {
  const endpoint = serverFromString(
    reactor,
    `tcp:${option("port") ?? "7001"}:interface=127.0.0.1`,
  );
  const port = await endpoint.listen(Factory.forProtocol(Calculator));
  const { hostname, port: bound } = port.getHost() as Deno.NetAddr;
  console.log(`listening on ${hostname}:${bound}`);
  const stop = () => {
    port.stopListening().addCallback(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
} else {
  const endpoint = clientFromString(
    reactor,
    `tcp:host=127.0.0.1:port=${connectTo}`,
  );
  const client = await connectProtocol(endpoint, new AMP());
  const { total } = await client.callRemote(Sum, { a: 13, b: 81 });
  console.log(`13 + 81 = ${total}`);
  const { result } = await client.callRemote(Divide, {
    numerator: 7,
    denominator: 2,
  });
  console.log(`7 / 2 = ${result}`);
  try {
    await client.callRemote(Divide, { numerator: 1, denominator: 0 });
  } catch (error) {
    if (!(error instanceof ZeroDivisionError)) throw error;
    console.log(`1 / 0 failed: ${error.message}`);
  }
  client.transport.loseConnection();
}
