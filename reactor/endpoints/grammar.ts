/**
 * The endpoint string grammar: `kind:value:name=value:...`, where a
 * backslash makes the next character literal (`\:`, `\=`, `\\`), and the
 * typed reading of one kind's parameters.
 *
 * @module
 */
import {
  EndpointDescriptionError,
  InvalidEndpointParameterError,
} from "./errors.ts";

/** One `:`-separated part of a description: `value` or `key=value`. */
export interface EndpointSegment {
  /** The name before the first unescaped `=`, if there is one. */
  readonly key: string | undefined;
  /** The value, unescaped. */
  readonly value: string;
}

/**
 * Splits `description` at unescaped `:`, and each segment at its first
 * unescaped `=`.
 *
 * @example Usage
 * ```ts
 * import { splitEndpoint } from "@spindle/spindle/reactor";
 * const segments = splitEndpoint("tcp:80:interface=\\:\\:1");
 * console.assert(segments.length === 3);
 * console.assert(segments[2]?.key === "interface");
 * console.assert(segments[2]?.value === "::1");
 * ```
 */
export function splitEndpoint(description: string): EndpointSegment[] {
  const segments: EndpointSegment[] = [];
  let key: string | undefined;
  let current = "";
  for (let i = 0; i < description.length; i++) {
    const c = description[i]!;
    if (c === "\\") {
      i++;
      if (i === description.length) {
        throw new EndpointDescriptionError(
          description,
          `Endpoint ${
            JSON.stringify(description)
          } ends with a lone backslash: a backslash escapes the character after it; write \\\\ for a backslash`,
        );
      }
      current += description[i];
    } else if (c === ":") {
      segments.push({ key, value: current });
      key = undefined;
      current = "";
    } else if (c === "=" && key === undefined) {
      key = current;
      current = "";
    } else {
      current += c;
    }
  }
  segments.push({ key, value: current });
  return segments;
}

function escape(value: string): string {
  return value.replace(/[\\:=]/g, (c) => `\\${c}`);
}

/** The parts of a description, for {@linkcode describeEndpoint}. */
export interface EndpointDescriptionParts {
  /** The kind, such as `"tcp"`. */
  kind: string;
  /** Values given by position, in order. */
  positional?: readonly (string | number)[];
  /** For a wrapper kind: the endpoint it wraps, after the positional values. */
  inner?: { toString(): string };
  /** Values given by name, last; `undefined` ones are left out. */
  named?: Readonly<Record<string, string | number | undefined>>;
}

/**
 * Writes a description that the parsers read back: kind, positional values,
 * the wrapped endpoint (for a wrapper kind), then named values, each escaped.
 *
 * @example Usage
 * ```ts
 * import { describeEndpoint } from "@spindle/spindle/reactor";
 * const text = describeEndpoint({
 *   kind: "tcp",
 *   positional: [8080],
 *   named: { interface: "::1", backlog: undefined },
 * });
 * console.assert(text === "tcp:8080:interface=\\:\\:1");
 * ```
 */
export function describeEndpoint(parts: EndpointDescriptionParts): string {
  const out = [parts.kind];
  for (const value of parts.positional ?? []) out.push(escape(String(value)));
  if (parts.inner !== undefined) out.push(parts.inner.toString());
  for (const [key, value] of Object.entries(parts.named ?? {})) {
    if (value !== undefined) out.push(`${key}=${escape(String(value))}`);
  }
  return out.join(":");
}

/**
 * The parameters one kind was given in a description (defaults applied),
 * with typed getters that refuse bad values with an
 * {@linkcode InvalidEndpointParameterError} naming the kind and parameter.
 *
 * @example Usage
 * ```ts
 * import { EndpointParameters } from "@spindle/spindle/reactor";
 * const parameters = new EndpointParameters(
 *   "tcp:80:interface=127.0.0.1",
 *   { kind: "tcp", values: new Map([["port", "80"], ["interface", "127.0.0.1"]]) },
 * );
 * console.assert(parameters.port("port") === 80);
 * console.assert(parameters.string("backlog") === undefined);
 * ```
 */
export class EndpointParameters {
  /** The whole description (for errors). */
  readonly description: string;
  /** The kind these parameters belong to. */
  readonly kind: string;
  #values: ReadonlyMap<string, string>;

  /** Wraps `values` (parameter name to raw value) of `kind` in `description`. */
  constructor(
    description: string,
    options: { kind: string; values: ReadonlyMap<string, string> },
  ) {
    this.description = description;
    this.kind = options.kind;
    this.#values = options.values;
  }

  /** Throws an {@linkcode InvalidEndpointParameterError}: `problem` says what is wrong and what to do. */
  fail(name: string, problem: string): never {
    throw new InvalidEndpointParameterError(this.description, name, {
      kind: this.kind,
      problem,
    });
  }

  /** A non-empty string; `required` makes its absence an error. */
  string(name: string, required: true): string;
  /** A non-empty string, or `undefined` when not given. */
  string(name: string, required?: boolean): string | undefined;
  string(name: string, required = false): string | undefined {
    const value = this.#values.get(name);
    if (value === undefined) {
      if (required) this.fail(name, "is missing: add it");
      return undefined;
    }
    if (value === "") this.fail(name, "is empty: give it a value");
    return value;
  }

  /** A whole number from `min` to `max`, or `undefined` when not given. */
  integer(
    name: string,
    min: number,
    max: number = Number.MAX_SAFE_INTEGER,
  ): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) {
      this.fail(
        name,
        `is ${
          JSON.stringify(value)
        }: it must be a whole number from ${min} to ${max}`,
      );
    }
    return n;
  }

  /** A required port number, 0 to 65535. */
  port(name: string): number {
    this.string(name, true);
    return this.integer(name, 0, 65535)!;
  }

  /** A comma-separated list, or `undefined` when not given. */
  list(name: string): string[] | undefined {
    return this.string(name)?.split(",");
  }

  /**
   * Seconds in the description (Twisted's unit), whole milliseconds in the
   * result: at most three decimals, so that the value reads back the same.
   */
  seconds(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const ms = /^\d+(\.\d{1,3})?$/.test(value)
      ? Math.round(Number(value) * 1000)
      : NaN;
    if (!(ms > 0)) {
      this.fail(
        name,
        `is ${
          JSON.stringify(value)
        }: it must be a positive number of seconds, to the millisecond (such as 2.5)`,
      );
    }
    return ms;
  }

  /** Octal permission bits (`660`, `0660`, `0o660`), or `undefined` when not given. */
  octal(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^0?o?[0-7]{1,4}$/.test(value)) {
      this.fail(
        name,
        `is ${
          JSON.stringify(value)
        }: it must be octal permission bits, such as 660`,
      );
    }
    return parseInt(value.replace(/^0?o/, ""), 8);
  }
}

/** Seconds for a description, from milliseconds. */
export function formatSeconds(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : String(ms / 1000);
}
