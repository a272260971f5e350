import * as amp from "../../../protocols/amp/mod.ts";
import {
  AmpList,
  BigInteger,
  DateTime,
  Decimal,
  defineCommand,
  Float,
  Integer,
  InvalidArgumentError,
  ListOf,
  MissingArgumentError,
  optional,
  readValues,
  Unicode,
  type Values,
  writeValues,
} from "../../../protocols/amp/mod.ts";
import {
  assert,
  assertEquals,
  assertThrows,
  test,
} from "../../../trial/mod.ts";

const text = new TextEncoder();
const show = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test("Integer writes decimal digits and reads them back, signs included", () => {
  assertEquals(show(Integer.toBytes(123)), "123");
  assertEquals(show(Integer.toBytes(-7)), "-7");
  assertEquals(Integer.fromBytes(text.encode("+42")), 42);
  assertEquals(Integer.fromBytes(text.encode("-0")), 0);
  assertEquals(Integer.fromBytes(text.encode("9007199254740991")), 2 ** 53 - 1);
});

test("Integer refuses non-integers and values beyond safe integers, both ways", () => {
  assertThrows(() => Integer.toBytes(1.5), InvalidArgumentError);
  assertThrows(() => Integer.toBytes(2 ** 53), InvalidArgumentError);
  for (const bad of ["", "1.0", "0x10", " 1", "1e3", "9007199254740993"]) {
    assertThrows(
      () => Integer.fromBytes(text.encode(bad)),
      InvalidArgumentError,
    );
  }
});

test("BigInteger carries integers of any size in the Integer wire form", () => {
  const big = -(10n ** 40n) + 1n;
  assertEquals(show(BigInteger.toBytes(big)), big.toString());
  assertEquals(BigInteger.fromBytes(BigInteger.toBytes(big)), big);
});

test("String passes bytes through unchanged", () => {
  const bytes = new Uint8Array([0, 1, 254, 255]);
  assertEquals(amp.String.fromBytes(amp.String.toBytes(bytes)), bytes);
});

test("Unicode is UTF-8 and refuses invalid UTF-8", () => {
  assertEquals(Unicode.toBytes("é☃"), text.encode("é☃"));
  assertEquals(Unicode.fromBytes(text.encode("é☃")), "é☃");
  assertThrows(
    () => Unicode.fromBytes(new Uint8Array([0xc3])),
    InvalidArgumentError,
  );
});

test("Boolean is exactly True or False", () => {
  assertEquals(show(amp.Boolean.toBytes(true)), "True");
  assertEquals(show(amp.Boolean.toBytes(false)), "False");
  assertEquals(amp.Boolean.fromBytes(text.encode("True")), true);
  assertEquals(amp.Boolean.fromBytes(text.encode("False")), false);
  assertThrows(
    () => amp.Boolean.fromBytes(text.encode("true")),
    InvalidArgumentError,
  );
});

test("Float writes Python's repr style and reads what float() reads", () => {
  assertEquals(show(Float.toBytes(1)), "1.0");
  assertEquals(show(Float.toBytes(-0)), "-0.0");
  assertEquals(show(Float.toBytes(0.1)), "0.1");
  assertEquals(show(Float.toBytes(1e100)), "1e+100");
  assertEquals(show(Float.toBytes(Infinity)), "inf");
  assertEquals(show(Float.toBytes(-Infinity)), "-inf");
  assertEquals(show(Float.toBytes(NaN)), "nan");
  assertEquals(Float.fromBytes(text.encode("1e-05")), 1e-5);
  assertEquals(Float.fromBytes(text.encode("-Infinity")), -Infinity);
  assert(Number.isNaN(Float.fromBytes(text.encode("nan"))));
  assertEquals(Float.fromBytes(text.encode(".5")), 0.5);
  assertThrows(() => Float.fromBytes(text.encode("1,5")), InvalidArgumentError);
});

test("DateTime writes 32 characters in UTC and applies a received offset", () => {
  const date = new Date(Date.UTC(2012, 0, 23, 12, 34, 56, 54));
  assertEquals(
    show(DateTime.toBytes(date)),
    "2012-01-23T12:34:56.054000+00:00",
  );
  assertEquals(
    DateTime.fromBytes(text.encode("2012-01-23T12:34:56.054321+05:30")),
    new Date(Date.UTC(2012, 0, 23, 7, 4, 56, 54)),
  );
  assertEquals(
    DateTime.fromBytes(text.encode("0001-01-01T00:00:00.000000-00:00"))
      .getUTCFullYear(),
    1,
  );
});

test("DateTime refuses malformed or impossible dates, and years outside 1-9999", () => {
  for (
    const bad of [
      "2012-01-23 12:34:56.054321+05:30",
      "2012-02-30T00:00:00.000000+00:00",
      "2012-01-23T24:00:00.000000+00:00",
      "0000-01-01T00:00:00.000000+00:00",
      "2012-01-23T12:34:56+00:00",
    ]
  ) {
    assertThrows(
      () => DateTime.fromBytes(text.encode(bad)),
      InvalidArgumentError,
    );
  }
  assertThrows(
    () => DateTime.toBytes(new Date(Date.UTC(10000, 0))),
    InvalidArgumentError,
  );
  assertThrows(() => DateTime.toBytes(new Date(NaN)), InvalidArgumentError);
});

test("ListOf writes each element with a 2-byte length prefix", () => {
  const list = ListOf(Integer);
  assertEquals(
    list.toBytes([3, 77]),
    new Uint8Array([0, 1, 0x33, 0, 2, 0x37, 0x37]),
  );
  assertEquals(list.fromBytes(list.toBytes([3, 77])), [3, 77]);
  assertEquals(list.fromBytes(new Uint8Array()), []);
  assertThrows(
    () => list.fromBytes(new Uint8Array([0, 5, 0x31])),
    InvalidArgumentError,
  );
  assertThrows(() => list.fromBytes(new Uint8Array([0])), InvalidArgumentError);
});

test("AmpList writes each row as a whole box", () => {
  const rows = AmpList({ a: Integer, b: Unicode });
  const value = [{ a: 7, b: "hello" }, { a: 9, b: "goodbye" }];
  assertEquals(rows.fromBytes(rows.toBytes(value)), value);
  assertEquals(
    rows.toBytes([{ a: 1, b: "x" }]),
    new Uint8Array([0, 1, 0x61, 0, 1, 0x31, 0, 1, 0x62, 0, 1, 0x78, 0, 0]),
  );
  assertThrows(
    () => rows.fromBytes(new Uint8Array([0, 1])),
    InvalidArgumentError,
  );
  assertThrows(
    () => rows.fromBytes(new Uint8Array([0, 1, 0x61, 0, 1, 0x31, 0, 0])),
    MissingArgumentError,
  );
});

test("optional arguments may be left out and read back as absent", () => {
  const schema = { need: Integer, maybe: optional(Unicode) };
  const box = writeValues(schema, { need: 1 }, new Map());
  assertEquals([...box.keys()], ["need"]);
  assertEquals(readValues(schema, box), { need: 1 });
  assertThrows(() => readValues(schema, new Map()), MissingArgumentError);
});

test("readValues names the argument that does not decode and ignores unknown keys", () => {
  const error = assertThrows(
    () =>
      readValues(
        { n: Integer },
        new Map([["n", text.encode("x")], ["extra", text.encode("?")]]),
      ),
    InvalidArgumentError,
  );
  assert(error.message.includes('"n"'));
});

test("command schemas type the values at compile time", () => {
  const Sum = defineCommand({
    name: "Sum",
    arguments: { a: Integer, b: Integer, note: optional(Unicode) },
    response: { total: Integer },
  });
  const ok: Values<typeof Sum.arguments> = { a: 1, b: 2 };
  // @ts-expect-error a must be a number
  const wrongType: Values<typeof Sum.arguments> = { a: "1", b: 2 };
  // @ts-expect-error b is required
  const missing: Values<typeof Sum.arguments> = { a: 1 };
  // @ts-expect-error no such argument
  const extra: Values<typeof Sum.arguments> = { a: 1, b: 2, c: 3 };
  assertEquals([ok, wrongType, missing, extra].length, 4);
});

test("Decimal keeps the exact text of a decimal number and refuses anything else", () => {
  for (const value of ["1.10", "-0", "1.5E+2", "Infinity", "-NaN", "sNaN"]) {
    assertEquals(Decimal.fromBytes(Decimal.toBytes(value)), value);
  }
  assertThrows(() => Decimal.toBytes("1,5"), InvalidArgumentError);
  assertThrows(
    () => Decimal.fromBytes(text.encode("0x1")),
    InvalidArgumentError,
  );
});
