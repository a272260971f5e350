import {
  AMP,
  type AmpBox,
  AmpList,
  BoxDecoderCore,
  DateTime,
  defineCommand,
  encodeBox,
  Float,
  Integer,
  ListOf,
  Unicode,
} from "../../../protocols/amp/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { ProtocolError } from "../../../reactor/errors.ts";
import { ConnectionDone } from "../../../reactor/protocol.ts";
import type { Transport } from "../../../reactor/protocol_interfaces.ts";
import { assert, test } from "../../../trial/mod.ts";
import { seededRandom, splitAnywhere } from "../../_random.ts";

const ITERATIONS = 100_000;

function randomBytes(random: () => number, max: number): Uint8Array {
  const bytes = new Uint8Array(Math.floor(random() * max));
  for (let i = 0; i < bytes.length; i++) bytes[i] = random() * 256;
  return bytes;
}

function validBoxes(random: () => number): Uint8Array {
  const parts: number[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let b = 0; b < count; b++) {
    const box: AmpBox = new Map();
    const keys = Math.floor(random() * 4);
    for (let k = 0; k < keys; k++) box.set(`k${k}`, randomBytes(random, 40));
    parts.push(...encodeBox(box));
  }
  return new Uint8Array(parts);
}

/** Flips, inserts, deletes or overwrites a few bytes, or truncates. */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = [...bytes];
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1));
    const kind = Math.floor(random() * 5);
    if (kind === 0) out[at] = random() * 256;
    else if (kind === 1) out.splice(at, 0, Math.floor(random() * 256));
    else if (kind === 2) out.splice(at, 1);
    else if (kind === 3) {
      out[at] = [0, 1, 0xff, 0x80][Math.floor(random() * 4)]!;
    } else out.length = at;
  }
  return new Uint8Array(out);
}

test("fuzz: 100,000 random and mutated inputs give boxes or a ProtocolError", () => {
  const random = seededRandom(0x5eed);
  let boxes = 0;
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const input = i % 3 === 0
      ? randomBytes(random, 64)
      : mutate(validBoxes(random), random);
    const core = new BoxDecoderCore({ maxBoxBytes: 4096, maxKeys: 16 });
    const out: AmpBox[] = [];
    try {
      // Half the runs decode one box per call, as frame() does.
      const max = i % 2 === 0 ? Infinity : 1;
      for (const chunk of splitAnywhere(input, random, { maxPiece: 24 })) {
        core.decode(chunk, out, max);
        for (let before = -1; before !== out.length;) {
          before = out.length;
          core.decode(new Uint8Array(0), out, max);
        }
      }
      core.end(out);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      errors++;
    }
    for (const box of out) assert(box instanceof Map);
    boxes += out.length;
  }
  assert(boxes > 0 && errors > 0, `boxes ${boxes}, errors ${errors}`);
  assert(performance.now() - started < 20_000, "the fuzz run must stay fast");
});

test("fuzz: 100,000 random values give an argument or a ProtocolError", () => {
  const random = seededRandom(0xa4d);
  const types = [
    Integer,
    Float,
    Unicode,
    DateTime,
    ListOf(Integer),
    AmpList({ a: Integer, b: Unicode }),
  ];
  const seeds = [
    "12",
    "-3.5e7",
    "2012-01-23T12:34:56.054321+05:30",
    "\u0000\u00011\u0000\u00012",
  ].map((s) => new TextEncoder().encode(s));
  for (let i = 0; i < ITERATIONS; i++) {
    const type = types[i % types.length]!;
    const input = i % 2 === 0
      ? randomBytes(random, 40)
      : mutate(seeds[Math.floor(random() * seeds.length)]!, random);
    try {
      type.fromBytes(input);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
    }
  }
});

test("fuzz: 10,000 random boxes to an AMP peer are answered or close the connection, never crash it", () => {
  using _quiet = captureLogs({ namespace: "spindle.amp" });
  const random = seededRandom(0xb0c5);
  const Sum = defineCommand({
    name: "Sum",
    arguments: { a: Integer, b: Integer },
    response: { total: Integer },
    errors: { OOPS: RangeError },
  });
  const keys = [
    "_ask",
    "_answer",
    "_error",
    "_command",
    "_error_code",
    "_error_description",
    "a",
    "b",
    "total",
  ];
  const values = [
    "1",
    "2",
    "3",
    "Sum",
    "UNKNOWN",
    "UNHANDLED",
    "OOPS",
    "-5",
    "x",
    "",
  ];
  const text = new TextEncoder();
  let closed = 0;
  for (let i = 0; i < 10_000; i++) {
    let closing = false;
    const transport = {
      write() {},
      loseConnection() {
        closing = true;
      },
    } as unknown as Transport;
    const peer = new AMP().respond(Sum, ({ a, b }) => {
      if (a < 0) throw new RangeError("negative");
      return { total: a + b };
    });
    peer.makeConnection(transport);
    const calls = [1, 2].map(() =>
      peer.callRemote(Sum, { a: 1, b: 2 }).addErrback(() => null)
    );
    const boxes: number[] = [];
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const box: AmpBox = new Map();
      for (let k = Math.floor(random() * 5); k > 0; k--) {
        const value = random() < 0.9
          ? text.encode(values[Math.floor(random() * values.length)]!)
          : randomBytes(random, 8);
        box.set(keys[Math.floor(random() * keys.length)]!, value);
      }
      boxes.push(...encodeBox(box));
    }
    peer.dataReceived(
      i % 4 === 0
        ? mutate(new Uint8Array(boxes), random)
        : new Uint8Array(boxes),
    );
    if (closing) closed++;
    peer.connectionLost(new ConnectionDone());
    for (const call of calls) assert(call.called);
  }
  assert(closed > 0 && closed < 10_000, `closed ${closed}`);
});
