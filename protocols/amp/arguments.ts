/**
 * AMP argument types: how each typed value is written into a box value and
 * read back, byte-compatible with `twisted.protocols.amp`.
 *
 * `String` and `Boolean` keep Twisted's names; import the module as a
 * namespace (`import * as amp from ...`) to use them as `amp.String` without
 * shadowing the JavaScript globals.
 *
 * @module
 */
import { concatChunks } from "../../reactor/bytes.ts";
import { asciiToBytes, bytesToLatin1 } from "./_latin1.ts";
import { decodeBoxes, encodeBox } from "./codec.ts";
import { InvalidArgumentError, MissingArgumentError } from "./errors.ts";
import { MAX_VALUE_LENGTH } from "./limits.ts";

/**
 * One AMP argument type: converts a value of type `T` to and from the bytes of
 * one box value. `fromBytes` throws {@linkcode InvalidArgumentError} on bytes
 * that are not a valid encoding.
 *
 * @typeParam T The TypeScript type of the value.
 * @typeParam O Whether the argument may be left out.
 */
export interface Argument<T, O extends boolean = boolean> {
  /** Whether the argument may be left out of a box (its value is then `undefined`). */
  readonly optional: O;
  /** The name of the type, for error messages. */
  readonly typeName: string;
  /** Encodes `value` as a box value. */
  toBytes(value: T): Uint8Array;
  /** Decodes a box value. */
  fromBytes(bytes: Uint8Array): T;
}

/** Any argument type. */
// deno-lint-ignore no-explicit-any
export type AnyArgument = Argument<any, boolean>;

/** A set of named arguments: a command's arguments or response, or an `AmpList` row. */
export type Schema = Record<string, AnyArgument>;

/** The value type of an argument type. */
export type ValueOf<A> = A extends Argument<infer T, boolean> ? T : never;

/**
 * The object of values a schema describes: required keys for required
 * arguments, optional keys for optional ones.
 */
export type Values<S extends Schema> =
  & {
    [K in keyof S as S[K]["optional"] extends true ? never : K]: ValueOf<S[K]>;
  }
  & {
    [K in keyof S as S[K]["optional"] extends true ? K : never]?: ValueOf<
      S[K]
    >;
  };

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

function invalid(typeName: string, bytes: Uint8Array): InvalidArgumentError {
  const shown = bytes.length > 40
    ? bytesToLatin1(bytes.subarray(0, 40)) + "..."
    : bytesToLatin1(bytes);
  return new InvalidArgumentError(
    `AMP value ${JSON.stringify(shown)} is not a valid ${typeName}`,
  );
}

function define<T>(
  typeName: string,
  toBytes: (value: T) => Uint8Array,
  fromBytes: (bytes: Uint8Array) => T,
): Argument<T, false> {
  return Object.freeze({ optional: false, typeName, toBytes, fromBytes });
}

/**
 * Makes an argument type optional: the key may be absent and the value is then
 * `undefined` (Twisted's `optional=True`).
 *
 * @example Usage
 * ```ts
 * import { defineCommand, Integer, optional } from "@spindle/spindle/protocols/amp";
 * const Page = defineCommand({ name: "Page", arguments: { size: optional(Integer) }, response: {} });
 * console.assert(Page.arguments.size.optional);
 * ```
 */
export function optional<T>(argument: Argument<T>): Argument<T, true> {
  return Object.freeze({
    optional: true,
    typeName: argument.typeName,
    toBytes: (value: T) => argument.toBytes(value),
    fromBytes: (bytes: Uint8Array) => argument.fromBytes(bytes),
  });
}

const INTEGER = /^[+-]?[0-9]+$/;

/**
 * A safe integer as decimal digits (`123` → `"123"`). Values outside
 * `Number.MAX_SAFE_INTEGER` are refused both ways rather than rounded; use
 * {@linkcode BigInteger} for them.
 *
 * @example Usage
 * ```ts
 * import { Integer } from "@spindle/spindle/protocols/amp";
 * console.assert(Integer.fromBytes(Integer.toBytes(-42)) === -42);
 * ```
 */
export const Integer: Argument<number, false> = define(
  "Integer",
  (value) => {
    if (!Number.isSafeInteger(value)) {
      throw new InvalidArgumentError(
        `${value} cannot be sent as an AMP Integer: only safe integers can (use BigInteger for larger ones)`,
      );
    }
    return asciiToBytes(String(value));
  },
  (bytes) => {
    const text = bytesToLatin1(bytes);
    if (!INTEGER.test(text)) throw invalid("Integer", bytes);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw invalid("safe Integer", bytes);
    return value === 0 ? 0 : value;
  },
);

/**
 * An integer of any size as decimal digits, the same wire form as
 * {@linkcode Integer}, as a `bigint`.
 *
 * @example Usage
 * ```ts
 * import { BigInteger } from "@spindle/spindle/protocols/amp";
 * console.assert(BigInteger.fromBytes(BigInteger.toBytes(2n ** 70n)) === 2n ** 70n);
 * ```
 */
export const BigInteger: Argument<bigint, false> = define(
  "Integer",
  (value) => asciiToBytes(value.toString()),
  (bytes) => {
    const text = bytesToLatin1(bytes);
    if (!INTEGER.test(text)) throw invalid("Integer", bytes);
    return BigInt(text);
  },
);

/**
 * Raw bytes, passed through unchanged (Twisted's `String`, which is `bytes`).
 *
 * @example Usage
 * ```ts
 * import * as amp from "@spindle/spindle/protocols/amp";
 * console.assert(amp.String.toBytes(new Uint8Array([0, 255]))[1] === 255);
 * ```
 */
const StringArgument: Argument<Uint8Array, false> = define(
  "String",
  (value) => value,
  (bytes) => bytes,
);
export { StringArgument as String };

/**
 * Text as UTF-8. Invalid UTF-8 received is an error, not replaced.
 *
 * @example Usage
 * ```ts
 * import { Unicode } from "@spindle/spindle/protocols/amp";
 * console.assert(Unicode.fromBytes(Unicode.toBytes("héllo")) === "héllo");
 * ```
 */
export const Unicode: Argument<string, false> = define(
  "Unicode",
  (value) => encoder.encode(value),
  (bytes) => {
    try {
      return utf8.decode(bytes);
    } catch {
      throw invalid("UTF-8 Unicode", bytes);
    }
  },
);

const TRUE = encoder.encode("True");
const FALSE = encoder.encode("False");

/**
 * `true` / `false` as `True` / `False`.
 *
 * @example Usage
 * ```ts
 * import * as amp from "@spindle/spindle/protocols/amp";
 * console.assert(new TextDecoder().decode(amp.Boolean.toBytes(true)) === "True");
 * ```
 */
const BooleanArgument: Argument<boolean, false> = define(
  "Boolean",
  (value) => value ? TRUE.slice() : FALSE.slice(),
  (bytes) => {
    const text = bytesToLatin1(bytes);
    if (text === "True") return true;
    if (text === "False") return false;
    throw invalid("Boolean", bytes);
  },
);
export { BooleanArgument as Boolean };

const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const SPECIAL_FLOATS = new Map<string, number>([
  ["inf", Infinity],
  ["+inf", Infinity],
  ["-inf", -Infinity],
  ["infinity", Infinity],
  ["+infinity", Infinity],
  ["-infinity", -Infinity],
  ["nan", NaN],
  ["+nan", NaN],
  ["-nan", NaN],
]);

/**
 * A double in Python's `repr` style (`1.0`, `1e+100`, `inf`, `nan`); reads
 * anything Python's `float()` reads except underscores and padding.
 *
 * @example Usage
 * ```ts
 * import { Float } from "@spindle/spindle/protocols/amp";
 * console.assert(new TextDecoder().decode(Float.toBytes(2)) === "2.0");
 * console.assert(Float.fromBytes(new TextEncoder().encode("-inf")) === -Infinity);
 * ```
 */
export const Float: Argument<number, false> = define(
  "Float",
  (value) => {
    if (Number.isNaN(value)) return asciiToBytes("nan");
    if (value === Infinity) return asciiToBytes("inf");
    if (value === -Infinity) return asciiToBytes("-inf");
    const text = Object.is(value, -0) ? "-0" : String(value);
    return asciiToBytes(/[.e]/.test(text) ? text : text + ".0");
  },
  (bytes) => {
    const text = bytesToLatin1(bytes);
    if (FLOAT.test(text)) return Number(text);
    const special = SPECIAL_FLOATS.get(text.toLowerCase());
    if (special === undefined) throw invalid("Float", bytes);
    return special;
  },
);

const DECIMAL =
  /^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|inf|infinity|s?nan[0-9]*)$/i;

/**
 * A decimal number kept as its exact text (`"1.5E+2"`, `"-0.10"`,
 * `"Infinity"`, `"NaN"`), the wire form of Twisted's `Decimal`: JavaScript has
 * no decimal type, so no precision is lost by converting to a float.
 *
 * @example Usage
 * ```ts
 * import { Decimal } from "@spindle/spindle/protocols/amp";
 * console.assert(Decimal.fromBytes(Decimal.toBytes("1.10")) === "1.10");
 * ```
 */
export const Decimal: Argument<string, false> = define(
  "Decimal",
  (value) => {
    if (!DECIMAL.test(value)) {
      throw new InvalidArgumentError(
        `${
          JSON.stringify(value)
        } cannot be sent as an AMP Decimal: it is not a decimal number`,
      );
    }
    return asciiToBytes(value);
  },
  (bytes) => {
    const text = bytesToLatin1(bytes);
    if (!DECIMAL.test(text)) throw invalid("Decimal", bytes);
    return text;
  },
);

const DATE_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{6})([+-])([0-9]{2}):([0-9]{2})$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * An instant as `YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM` (always 32 characters).
 * Dates are sent in UTC; a received offset is applied, and microseconds are
 * truncated to the milliseconds a `Date` holds. Years 1–9999 only, as in
 * Python's `datetime`.
 *
 * @example Usage
 * ```ts
 * import { DateTime } from "@spindle/spindle/protocols/amp";
 * const bytes = new TextEncoder().encode("2012-01-23T12:34:56.054321-01:30");
 * console.assert(DateTime.fromBytes(bytes).toISOString() === "2012-01-23T14:04:56.054Z");
 * ```
 */
export const DateTime: Argument<Date, false> = define(
  "DateTime",
  (value) => {
    const year = value.getUTCFullYear();
    if (!(year >= 1 && year <= 9999)) {
      throw new InvalidArgumentError(
        `${value} cannot be sent as an AMP DateTime: only years 1 to 9999 can`,
      );
    }
    return asciiToBytes(
      `${pad(year, 4)}-${pad(value.getUTCMonth() + 1, 2)}-${
        pad(value.getUTCDate(), 2)
      }T${pad(value.getUTCHours(), 2)}:${pad(value.getUTCMinutes(), 2)}:${
        pad(value.getUTCSeconds(), 2)
      }.${pad(value.getUTCMilliseconds() * 1000, 6)}+00:00`,
    );
  },
  (bytes) => {
    const match = DATE_TIME.exec(bytesToLatin1(bytes));
    if (match === null) throw invalid("DateTime", bytes);
    const [year, month, day, hour, minute, second, micro, , offH, offM] = match
      .slice(1).map(Number) as number[];
    const sign = match[8] === "-" ? -1 : 1;
    if (
      year! < 1 || month! < 1 || month! > 12 || day! < 1 ||
      day! > daysInMonth(year!, month!) || hour! > 23 || minute! > 59 ||
      second! > 59 || offH! > 23 || offM! > 59
    ) {
      throw invalid("DateTime", bytes);
    }
    const date = new Date(0);
    date.setUTCFullYear(year!, month! - 1, day!);
    date.setUTCHours(hour!, minute!, second!, Math.floor(micro! / 1000));
    return new Date(date.getTime() - sign * (offH! * 60 + offM!) * 60_000);
  },
);

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/**
 * A list of values of one simple type, each as a 2-byte length-prefixed string
 * (Twisted's `ListOf`). The whole list must fit in one 65535-byte value.
 *
 * @example Usage
 * ```ts
 * import { Integer, ListOf } from "@spindle/spindle/protocols/amp";
 * const Numbers = ListOf(Integer);
 * console.assert(Numbers.fromBytes(Numbers.toBytes([3, 7, 9])).join() === "3,7,9");
 * ```
 */
export function ListOf<T>(element: Argument<T, false>): Argument<T[], false> {
  const typeName = `ListOf(${element.typeName})`;
  return define(
    typeName,
    (values) => {
      const parts = values.map((value) => element.toBytes(value));
      let length = 0;
      for (const part of parts) {
        if (part.length > MAX_VALUE_LENGTH) {
          throw new InvalidArgumentError(
            `${typeName} element of ${part.length} bytes is longer than ${MAX_VALUE_LENGTH} bytes`,
          );
        }
        length += 2 + part.length;
      }
      const out = new Uint8Array(length);
      let offset = 0;
      for (const part of parts) {
        out[offset] = part.length >> 8;
        out[offset + 1] = part.length & 0xff;
        out.set(part, offset + 2);
        offset += 2 + part.length;
      }
      return out;
    },
    (bytes) => {
      const values: T[] = [];
      let offset = 0;
      while (offset < bytes.length) {
        if (bytes.length - offset < 2) throw invalid(typeName, bytes);
        const length = (bytes[offset]! << 8) | bytes[offset + 1]!;
        offset += 2;
        if (bytes.length - offset < length) throw invalid(typeName, bytes);
        values.push(element.fromBytes(bytes.subarray(offset, offset + length)));
        offset += length;
      }
      return values;
    },
  );
}

/**
 * Writes the values of `schema` into `box`. Throws
 * {@linkcode MissingArgumentError} when a required value is absent.
 *
 * @example Usage
 * ```ts
 * import { Integer, writeValues } from "@spindle/spindle/protocols/amp";
 * const box = writeValues({ a: Integer }, { a: 5 }, new Map());
 * console.assert(box.get("a")![0] === 0x35);
 * ```
 */
export function writeValues<S extends Schema>(
  schema: S,
  values: Values<S>,
  box: Map<string, Uint8Array>,
): Map<string, Uint8Array> {
  // A responder that returned nothing gets MissingArgumentError, not a TypeError.
  const source = (values ?? {}) as Record<string, unknown>;
  for (const name in schema) {
    const argument = schema[name]!;
    const value = source[name];
    if (value === undefined || value === null) {
      if (argument.optional) continue;
      throw new MissingArgumentError(name);
    }
    box.set(name, argument.toBytes(value));
  }
  return box;
}

/**
 * Reads the values of `schema` from `box`; keys not in the schema are ignored.
 * Throws {@linkcode MissingArgumentError} or {@linkcode InvalidArgumentError}.
 *
 * @example Usage
 * ```ts
 * import { Integer, readValues } from "@spindle/spindle/protocols/amp";
 * const values = readValues({ a: Integer }, new Map([["a", new Uint8Array([0x35])]]));
 * console.assert(values.a === 5);
 * ```
 */
export function readValues<S extends Schema>(
  schema: S,
  box: Map<string, Uint8Array>,
): Values<S> {
  const values: Record<string, unknown> = {};
  for (const name in schema) {
    const argument = schema[name]!;
    const bytes = box.get(name);
    if (bytes === undefined) {
      if (argument.optional) continue;
      throw new MissingArgumentError(name);
    }
    try {
      values[name] = argument.fromBytes(bytes);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw new InvalidArgumentError(
        `AMP argument ${JSON.stringify(name)}: ${error.message}`,
        { cause: error },
      );
    }
  }
  return values as Values<S>;
}

/**
 * A list of records, each sent as a whole box (Twisted's `AmpList`). The whole
 * list must fit in one 65535-byte value.
 *
 * @example Usage
 * ```ts
 * import { AmpList, Integer, Unicode } from "@spindle/spindle/protocols/amp";
 * const People = AmpList({ age: Integer, name: Unicode });
 * const rows = People.fromBytes(People.toBytes([{ age: 7, name: "Ann" }]));
 * console.assert(rows[0]!.name === "Ann");
 * ```
 */
export function AmpList<S extends Schema>(
  schema: S,
): Argument<Values<S>[], false> {
  const typeName = "AmpList";
  return define(
    typeName,
    (rows) => {
      return concatChunks(
        rows.map((row) => encodeBox(writeValues(schema, row, new Map()))),
      );
    },
    (bytes) => {
      let boxes;
      try {
        boxes = decodeBoxes(bytes);
      } catch (error) {
        throw new InvalidArgumentError(
          `AMP value is not a valid AmpList: ${(error as Error).message}`,
          { cause: error },
        );
      }
      return boxes.map((box) => readValues(schema, box));
    },
  );
}
