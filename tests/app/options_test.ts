import { type OptionSpec, UsageError } from "../../app/options.ts";
import {
  formatOptionsHelp,
  parseOptions,
} from "../../app/_runner/parse_options.ts";
import { assertEquals, assertThrows, test } from "../../trial/mod.ts";

const specs: OptionSpec[] = [
  {
    name: "listen",
    short: "l",
    description: "where",
    default: "tcp:8080",
    valueName: "ENDPOINT",
  },
  { name: "workers", type: "number", description: "how many" },
  { name: "daemon", type: "boolean", description: "detach" },
];

test("parseOptions fills defaults for options not given", () => {
  assertEquals(parseOptions([], specs).values, { listen: "tcp:8080" });
});

test("parseOptions reads --name value, --name=value and -n value", () => {
  assertEquals(parseOptions(["--listen", "a"], specs).values.listen, "a");
  assertEquals(parseOptions(["--listen=b:c"], specs).values.listen, "b:c");
  assertEquals(parseOptions(["-l", "d"], specs).values.listen, "d");
});

test("parseOptions converts numbers and sets boolean flags", () => {
  const { values } = parseOptions(["--workers", "3", "--daemon"], specs);
  assertEquals(values.workers, 3);
  assertEquals(values.daemon, true);
});

test("parseOptions keeps positional arguments in order", () => {
  assertEquals(
    parseOptions(["a", "--daemon", "b", "--", "--c"], specs).positionals,
    [
      "a",
      "b",
      "--c",
    ],
  );
});

test("parseOptions can stop at the first positional argument", () => {
  const parsed = parseOptions(["--daemon", "web", "--port", "1"], specs, {
    stopAtPositional: true,
  });
  assertEquals(parsed.values.daemon, true);
  assertEquals(parsed.positionals, ["web", "--port", "1"]);
});

test("parseOptions rejects an unknown option", () => {
  assertThrows(
    () => parseOptions(["--colour"], specs),
    UsageError,
    "unknown option --colour",
  );
});

test("parseOptions rejects a missing value", () => {
  assertThrows(
    () => parseOptions(["--listen"], specs),
    UsageError,
    "needs a value",
  );
});

test("parseOptions rejects a value that is not a number", () => {
  assertThrows(
    () => parseOptions(["--workers", "many"], specs),
    UsageError,
    "needs a number",
  );
});

test("parseOptions rejects a value given to a flag", () => {
  assertThrows(
    () => parseOptions(["--daemon=yes"], specs),
    UsageError,
    "takes no value",
  );
});

test("formatOptionsHelp lists every option with its default", () => {
  const text = formatOptionsHelp(specs);
  assertEquals(text.split("\n").length, 3);
  assertEquals(text.includes("-l, --listen ENDPOINT"), true);
  assertEquals(text.includes("(default: tcp:8080)"), true);
});

test("parseOptions collects every value of a repeatable option, in order", () => {
  const allow: OptionSpec = {
    name: "allow",
    description: "let through",
    repeatable: true,
  };
  assertEquals(parseOptions([], [allow]).values.allow, []);
  assertEquals(
    parseOptions(["--allow", "a", "--allow=b"], [allow]).values.allow,
    ["a", "b"],
  );
});
