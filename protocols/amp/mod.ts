/**
 * Twisted's Asynchronous Messaging Protocol (AMP), typed: define commands with
 * typed arguments, responses and errors, answer them with responders, and call
 * them on the peer with `callRemote`. Wire-compatible with
 * `twisted.protocols.amp`.
 *
 * ```ts ignore
 * import { AMP, CommandLocator, defineCommand, Integer } from "@spindle/spindle/protocols/amp";
 * import { reactor, runProtocol } from "@spindle/spindle/reactor";
 *
 * const Sum = defineCommand({
 *   name: "Sum",
 *   arguments: { a: Integer, b: Integer },
 *   response: { total: Integer },
 * });
 *
 * // Server: one locator for every connection.
 * const locator = new CommandLocator().respond(Sum, ({ a, b }) => ({ total: a + b }));
 * await reactor.listenTCP(7001, (conn) => runProtocol(new AMP({ locator }), conn, { reactor }));
 *
 * // Client
 * const conn = await reactor.connectTCP("127.0.0.1", 7001);
 * const client = new AMP();
 * runProtocol(client, conn, { reactor });
 * const { total } = await client.callRemote(Sum, { a: 1, b: 2 });
 * ```
 *
 * The box framing is also usable on its own: {@linkcode BoxDecoderCore} /
 * {@linkcode BoxEncoderCore} and the {@linkcode AmpBoxDecoder} /
 * {@linkcode AmpBoxEncoder} streams.
 *
 * @module
 */
export * from "./amp.ts";
export * from "./arguments.ts";
export * from "./box.ts";
export * from "./box_stream.ts";
export {
  type Command,
  type CommandOptions,
  defineCommand,
  type ErrorClass,
  type ErrorMap,
} from "./command.ts";
export * from "./errors.ts";
