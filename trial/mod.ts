/**
 * Trial, Twisted's test harness over `Deno.test`: each test gets a fresh fake
 * clock, may return a Deferred or Promise, fails on errors logged and not
 * flushed (such as unhandled Deferred failures), and has assertions for
 * Deferreds plus `@std/assert`'s. What the default console handler would
 * print during a test is kept, and printed only if the test fails.
 *
 * ```ts
 * import { succeed } from "@spindle/spindle/deferred";
 * import { assertEquals, successResultOf, test } from "@spindle/spindle/trial";
 * test("succeed() has its result at once", () => {
 *   assertEquals(successResultOf(succeed(1)), 1);
 * });
 * // Trial tests and plain Deno tests mix in one module.
 * Deno.test("a plain Deno test", () => {});
 * ```
 *
 * @module
 */
export * from "./assertions.ts";
export {
  DirtyTestError,
  LoggedErrorsError,
  test,
  TestFailedError,
  type TestOptions,
  TestTimeoutError,
} from "./test.ts";
export type { TestContext } from "./context.ts";
export { addTestHook, type TestHook } from "./hooks.ts";
export { flushLoggedErrors } from "./logged_errors.ts";
export type { LogLevelName, LogRecord } from "../log/mod.ts";
// The types trial's signatures name, so that this entry point documents them.
export type {
  Address,
  Clock,
  Connection,
  ConnectionFactory,
  ConnectionHandler,
  ConnectionHandlerFunction,
  ConnectTCPOptions,
  ConnectTLSOptions,
  ConnectUnixOptions,
  DatagramHandler,
  DatagramTransport,
  Deferred,
  DelayedCall,
  DenoReactor,
  ErrorType,
  Failure,
  IReactorTime,
  Lifecycle,
  ListeningPort,
  ListenTCPOptions,
  ListenTLSOptions,
  ListenUDPOptions,
  ListenUnixOptions,
  MemoryAddr,
  OpenResource,
  Reactor,
  ReactorState,
  RunOptions,
  StartTLSClientOptions,
  StartTLSOptions,
  StartTLSServerOptions,
  SystemEvent,
  TimeoutClock,
  TimeoutOptions,
  TLSCertificate,
  TLSClientOptions,
  TLSInfo,
  TLSServerOptions,
  TrappedError,
  TriggerId,
  TriggerPhase,
} from "../reactor/mod.ts";
export {
  assertFailure,
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "./deferred_assertions.ts";
