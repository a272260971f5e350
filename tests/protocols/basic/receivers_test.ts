import { assertEquals, assertInstanceOf, test } from "../../../trial/mod.ts";
import {
  FrameTooLongError,
  Int16StringReceiver,
  Int8StringReceiver,
  LineOnlyReceiver,
  LineReceiver,
  MalformedNetstringError,
  NetstringReceiver,
} from "../../../protocols/basic/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { Clock } from "../../../reactor/clock.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { runProtocol } from "../../../reactor/transport.ts";
import type { IProtocol } from "../../../reactor/protocol_interfaces.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Runs `protocol` as a server, sends `input`, returns what it wrote back. */
async function exchange(
  protocol: IProtocol,
  input: Uint8Array,
): Promise<Uint8Array> {
  const [client, server] = connectedPair();
  const done = runProtocol(protocol, server, { reactor: new Clock() });
  await client.write(input);
  await client.closeWrite();
  const reply = await new Response(client.readable).bytes();
  await client.close();
  await done;
  return reply;
}

class Recorder extends LineReceiver {
  events: string[] = [];
  rawLeft = 0;
  override lineReceived(line: string): void {
    this.events.push(`line:${line}`);
    const size = /^RAW (\d+)$/.exec(line);
    if (size) {
      this.rawLeft = Number(size[1]);
      this.setRawMode();
    }
  }
  override rawDataReceived(data: Uint8Array): void {
    const take = Math.min(this.rawLeft, data.length);
    this.events.push(`raw:${decode(data.subarray(0, take))}`);
    this.rawLeft -= take;
    if (this.rawLeft === 0) this.setLineMode(data.subarray(take));
  }
}

test("LineReceiver switches to raw mode and back within one chunk", () => {
  const receiver = new Recorder();
  receiver.dataReceived(encode("A\r\nRAW 10\r\n0123\r\n6789B\r\nC\r\n"));
  assertEquals(receiver.events, [
    "line:A",
    "line:RAW 10",
    "raw:0123\r\n6789",
    "line:B",
    "line:C",
  ]);
});

test("LineReceiver gives the same events for any split of the input", () => {
  const input = encode("A\r\nRAW 10\r\n0123\r\n6789B\r\nRAW 3\r\nxyzC\r\n");
  const whole = new Recorder();
  whole.dataReceived(input);
  for (let size = 1; size < 12; size++) {
    const receiver = new Recorder();
    for (let at = 0; at < input.length; at += size) {
      receiver.dataReceived(input.subarray(at, at + size));
    }
    // Raw data may arrive in more pieces; join consecutive raw events.
    const joined = receiver.events.reduce<string[]>((events, event) => {
      const last = events.at(-1);
      if (last?.startsWith("raw:") && event.startsWith("raw:")) {
        events[events.length - 1] = last + event.slice(4);
      } else events.push(event);
      return events;
    }, []);
    assertEquals(joined, whole.events);
  }
});

test("LineReceiver.clearLineBuffer() returns the undecoded bytes", () => {
  class Stopper extends LineReceiver {
    rest: Uint8Array = new Uint8Array(0);
    override lineReceived(): void {
      this.rest = this.clearLineBuffer();
    }
  }
  const receiver = new Stopper();
  receiver.dataReceived(encode("one\r\ntwo\r\nthr"));
  assertEquals(decode(receiver.rest), "two\r\nthr");
});

test("LineReceiver honours a delimiter set by a subclass", () => {
  class Lf extends Recorder {
    override delimiter = "\n";
  }
  const receiver = new Lf();
  receiver.dataReceived(encode("a\nb\r\n"));
  assertEquals(receiver.events, ["line:a", "line:b"]);
});

test("LineReceiver drops the connection when a line exceeds MAX_LENGTH", async () => {
  class Small extends LineReceiver {
    override MAX_LENGTH = 4;
    override lineReceived(line: string): void {
      this.sendLine(`got ${line}`);
    }
  }
  const reply = await exchange(
    new Small(),
    encode("ok\r\ntoo long\r\nlost\r\n"),
  );
  assertEquals(decode(reply), "got ok\r\n");
});

test("LineReceiver.lineLengthExceeded can keep the connection", () => {
  class Lenient extends Recorder {
    override MAX_LENGTH = 4;
    override lineLengthExceeded(): void {
      this.events.push("too long");
    }
  }
  const receiver = new Lenient();
  receiver.dataReceived(encode("toolong"));
  receiver.dataReceived(encode("ok\r\n"));
  assertEquals(receiver.events, ["too long", "line:ok"]);
});

test("LineReceiver echoes lines over a connection", async () => {
  class Echo extends LineReceiver {
    override lineReceived(line: string): void {
      this.sendLine(line);
    }
  }
  const reply = await exchange(new Echo(), encode("a\r\nbé\r\n"));
  assertEquals(decode(reply), "a\r\nbé\r\n");
});

test("LineOnlyReceiver receives every line of a chunk", () => {
  class Collect extends LineOnlyReceiver {
    lines: string[] = [];
    override lineReceived(line: string): void {
      this.lines.push(line);
    }
  }
  const receiver = new Collect();
  receiver.dataReceived(encode("a\r\nb\r"));
  receiver.dataReceived(encode("\nc\r\n"));
  assertEquals(receiver.lines, ["a", "b", "c"]);
});

test("Int16StringReceiver receives and sends length-prefixed strings", async () => {
  class Echo extends Int16StringReceiver {
    override stringReceived(data: Uint8Array): void {
      this.sendString(data);
    }
  }
  const input = new Uint8Array([0, 2, 104, 105, 0, 0, 0, 1]);
  const reply = await exchange(new Echo(), new Uint8Array([...input, 33]));
  assertEquals(reply, new Uint8Array([0, 2, 104, 105, 0, 0, 0, 1, 33]));
});

test("Int8StringReceiver calls lengthLimitExceeded with the announced length", () => {
  class Small extends Int8StringReceiver {
    override MAX_LENGTH = 10;
    exceeded = -1;
    override lengthLimitExceeded(length: number): void {
      this.exceeded = length;
    }
  }
  const receiver = new Small();
  receiver.dataReceived(new Uint8Array([200]));
  assertEquals(receiver.exceeded, 200);
});

test("NetstringReceiver answers the strings before a broken one, then drops the peer", async () => {
  // The transport warns as it closes the connection: expected here.
  using _logs = captureLogs({ namespace: "spindle.reactor.transport" });
  class Echo extends NetstringReceiver {
    override stringReceived(data: Uint8Array): void {
      this.sendString(data);
    }
  }
  const protocol = new Echo();
  const [client, server] = connectedPair();
  const done = runProtocol(protocol, server, { reactor: new Clock() });
  // The answer and the broken string arrive in one chunk: the answer still goes out.
  await client.write(encode("2:hi,x:oops,3:abc,"));
  assertEquals(
    decode(new Uint8Array(await new Response(client.readable).arrayBuffer())),
    "2:hi,",
  );
  await done;
  assertEquals(protocol.brokenPeer, true);
  await client.close();
});

test("LineOnlyReceiver calls lineLengthExceeded after the lines before it", () => {
  class Small extends LineOnlyReceiver {
    override MAX_LENGTH = 3;
    events: string[] = [];
    override lineReceived(line: string): void {
      this.events.push(line);
    }
    override lineLengthExceeded(): void {
      this.events.push("too long");
    }
  }
  const receiver = new Small();
  receiver.dataReceived(encode("abc\r\nabcd\r\n"));
  assertEquals(receiver.events, ["abc", "too long"]);
});

test("Int8StringReceiver.sendString refuses a string its prefix cannot express", async () => {
  class Sender extends Int8StringReceiver {
    failure: unknown = null;
    override connectionMade(): void {
      try {
        this.sendString(new Uint8Array(256));
      } catch (error) {
        this.failure = error;
      }
      this.transport.loseConnection();
    }
  }
  const protocol = new Sender();
  await exchange(protocol, new Uint8Array(0));
  assertInstanceOf(protocol.failure, FrameTooLongError);
});

test("NetstringReceiver gives the same strings for any split", () => {
  class Collect extends NetstringReceiver {
    got: string[] = [];
    override stringReceived(data: Uint8Array): void {
      this.got.push(decode(data));
    }
  }
  const input = encode("5:hello,0:,3:a:,,");
  for (let size = 1; size <= input.length; size++) {
    const receiver = new Collect();
    for (let at = 0; at < input.length; at += size) {
      receiver.dataReceived(input.subarray(at, at + size));
    }
    assertEquals(receiver.got, ["hello", "", "a:,"]);
  }
});

test("LineReceiver holds lines back while paused and delivers them on resume", () => {
  class Pausing extends Recorder {
    override lineReceived(line: string): void {
      super.lineReceived(line);
      if (line === "pause") this.pauseProducing();
    }
  }
  const receiver = new Pausing();
  receiver.dataReceived(encode("a\r\npause\r\nb\r\n"));
  receiver.dataReceived(encode("c\r\n"));
  assertEquals(receiver.events, ["line:a", "line:pause"]);
  receiver.resumeProducing();
  assertEquals(receiver.events, ["line:a", "line:pause", "line:b", "line:c"]);
});

/** Runs `protocol` as a server, sends `input`, and returns the reason its connection was lost with. */
async function lostReason(
  protocol: IProtocol,
  input: Uint8Array,
): Promise<Error> {
  const [client, server] = connectedPair();
  const done = runProtocol(protocol, server, { reactor: new Clock() });
  await client.write(input);
  const reason = await done;
  client.abort();
  return reason;
}

test("NetstringReceiver closed for a malformed netstring tells connectionLost the MalformedNetstringError", async () => {
  // The transport warns as it closes the connection: expected here.
  using _logs = captureLogs({ namespace: "spindle.reactor.transport" });
  class Watch extends NetstringReceiver {
    reason: Error | null = null;
    override connectionLost(reason: Error): void {
      this.reason = reason;
    }
  }
  const protocol = new Watch();
  const reason = await lostReason(protocol, encode("2:hi,x:oops,"));
  assertInstanceOf(reason, MalformedNetstringError);
  assertInstanceOf(protocol.reason, MalformedNetstringError);
  assertEquals(protocol.brokenPeer, true);
});

test("NetstringReceiver closed for an oversized netstring tells connectionLost the FrameTooLongError", async () => {
  // The transport warns as it closes the connection: expected here.
  using _logs = captureLogs({ namespace: "spindle.reactor.transport" });
  class Small extends NetstringReceiver {
    override MAX_LENGTH = 3;
  }
  const reason = await lostReason(new Small(), encode("12345:"));
  assertInstanceOf(reason, FrameTooLongError);
});

test("Int16StringReceiver closed for an oversized string tells connectionLost the FrameTooLongError", async () => {
  // The transport warns as it closes the connection: expected here.
  using _logs = captureLogs({ namespace: "spindle.reactor.transport" });
  class Small extends Int16StringReceiver {
    override MAX_LENGTH = 10;
    reason: Error | null = null;
    override connectionLost(reason: Error): void {
      this.reason = reason;
    }
  }
  const protocol = new Small();
  const reason = await lostReason(protocol, new Uint8Array([0, 200]));
  assertInstanceOf(reason, FrameTooLongError);
  assertInstanceOf(protocol.reason, FrameTooLongError);
  assertEquals((protocol.reason as FrameTooLongError).length, 200);
});
