/** The HTTP error families: wire errors are ProtocolErrors, timeouts are not. */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  BodyTimeoutError,
  HTTPParseError,
  HTTPTimeoutError,
  MalformedMessageError,
  ProxyTunnelError,
  RedirectLimitError,
  ResponseTimeoutError,
} from "../../../protocols/http/mod.ts";
import { ProtocolError } from "../../../reactor/errors.ts";

test("a wire error is an HTTPParseError and a ProtocolError, named for its class", () => {
  const error = new MalformedMessageError("bare CR");
  assert(error instanceof HTTPParseError);
  assert(error instanceof ProtocolError);
  assertEquals(error.name, "MalformedMessageError");
  assertEquals(error.status, 400);
});

test("a body timeout is an HTTPTimeoutError, not a parse error, and still answers 408", () => {
  const error = new BodyTimeoutError(30_000);
  assert(error instanceof HTTPTimeoutError);
  assert(!(error instanceof HTTPParseError));
  assert(!(error instanceof ProtocolError));
  assertEquals(error.name, "BodyTimeoutError");
  assertEquals(error.status, 408);
  assertEquals(error.timeout, 30_000);
  assert(error.message.includes("bodyTimeout"), error.message);
});

test("a response timeout is an HTTPTimeoutError that names responseTimeout", () => {
  const error = new ResponseTimeoutError(5000);
  assert(error instanceof HTTPTimeoutError);
  assertEquals(error.name, "ResponseTimeoutError");
  assert(error.message.includes("responseTimeout"), error.message);
});

test("the client's own errors are named for their class", () => {
  assertEquals(new RedirectLimitError("x").name, "RedirectLimitError");
  const refused = new ProxyTunnelError("p:3128", "a:443", 403);
  assertEquals(refused.name, "ProxyTunnelError");
  assertEquals(refused.status, 403);
});
