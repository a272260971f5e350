/**
 * The AMP peer: a Twisted-style {@linkcode Protocol} that calls commands on
 * its peer and answers the peer's commands with registered responders.
 *
 * @module
 */
import { getLogger } from "../../log/mod.ts";
import { Deferred, fail } from "../../deferred/deferred.ts";
import { ConnectionLostError, ProtocolError } from "../../reactor/errors.ts";
import { ConnectionDone, Protocol } from "../../reactor/protocol.ts";
import type { TLSInfo } from "../../reactor/deno_connection.ts";
import type { StartTLSOptions } from "../../reactor/tls.ts";
import {
  readValues,
  type Schema,
  type Values,
  writeValues,
} from "./arguments.ts";
import { BoxDecoderCore, encodeBox } from "./codec.ts";
import {
  ANSWER,
  ASK,
  COMMAND,
  ERROR,
  ERROR_CODE,
  ERROR_DESCRIPTION,
  TLS_ERROR_CODE,
  UNHANDLED_ERROR_CODE,
  UNKNOWN_ERROR_CODE,
} from "./constants.ts";
import {
  type AMPLimits,
  DEFAULT_MAX_IN_FLIGHT,
  MAX_VALUE_LENGTH,
} from "./limits.ts";
import type { AmpBox } from "./message.ts";
import { asciiToBytes, bytesToLatin1 } from "./_latin1.ts";
import { type Command, errorCodeFor } from "./command.ts";
import {
  OnlyOneTLSError,
  PlaintextAfterStartTLSError,
  RemoteAmpError,
  UnhandledCommandError,
  UnknownAnswerError,
  UnknownRemoteError,
  UnroutableBoxError,
} from "./errors.ts";
import {
  StartTLS,
  type StartTLSArguments,
  type StartTLSResponse,
} from "./start_tls.ts";

const logger = getLogger("spindle.amp");

// Where a connection is with StartTLS.
const TLS_NONE = 0;
/** This side called StartTLS and waits for the answer. */
const TLS_ASKED = 1;
/** The peer asked for StartTLS and this side's responder has not answered. */
const TLS_ANSWERING = 2;
/** The handshake runs: writes are held until it is done. */
const TLS_STARTING = 3;
const TLS_STARTED = 4;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const lenientUtf8 = new TextDecoder();

// Command names are encoded once per command, not once per call.
const commandNames = new WeakMap<object, Uint8Array>();

function commandName(command: AnyCommand): Uint8Array {
  let bytes = commandNames.get(command);
  if (bytes === undefined) {
    bytes = encoder.encode(command.name);
    commandNames.set(command, bytes);
  }
  return bytes;
}

/**
 * Answers one command: gets the decoded arguments and the peer it came from,
 * returns the response values (or a Promise or Deferred of them). Throwing an
 * error the command declares sends that error's code to the caller.
 */
export type Responder<A extends Schema, R extends Schema> = (
  args: Values<A>,
  amp: AMP,
) => Values<R> | PromiseLike<Values<R>>;

/** What `callRemote` returns: a Deferred of the response, or nothing for `requiresAnswer: false`. */
export type CallResult<R extends Schema, N extends boolean> = N extends false
  ? void
  : Deferred<Values<R>>;

/** A command and its responder, as a {@linkcode CommandLocator} finds them. */
export interface LocatedResponder {
  /** The command the responder answers. */
  // deno-lint-ignore no-explicit-any
  command: Command<any, any, boolean>;
  /** The responder. */
  // deno-lint-ignore no-explicit-any
  responder: (args: any, amp: AMP) => unknown;
}
type AnyCommand = LocatedResponder["command"];

/**
 * Responders by command name. One locator can serve every connection of a
 * server (Twisted's `CommandLocator`): pass it as `locator` to each
 * {@linkcode AMP}.
 *
 * @example Usage
 * ```ts
 * import { AMP, CommandLocator, defineCommand, Integer } from "@spindle/spindle/protocols/amp";
 * const Sum = defineCommand({ name: "Sum", arguments: { a: Integer, b: Integer }, response: { total: Integer } });
 * const locator = new CommandLocator().respond(Sum, ({ a, b }) => ({ total: a + b }));
 * const amp = new AMP({ locator });
 * console.assert(amp.locator === locator);
 * ```
 */
export class CommandLocator {
  #responders = new Map<string, LocatedResponder>();

  /**
   * Registers `responder` for `command`, replacing any earlier one for the same
   * name. Returns `this`.
   */
  respond<A extends Schema, R extends Schema, N extends boolean>(
    command: Command<A, R, N>,
    responder: Responder<A, R>,
  ): this {
    this.#responders.set(command.name, { command, responder });
    return this;
  }

  /** The command and responder registered under `name`, if any. */
  locateResponder(name: string): LocatedResponder | undefined {
    return this.#responders.get(name);
  }
}

/** Options for {@linkcode AMP}: its limits and where its responders are. */
export interface AMPOptions extends AMPLimits {
  /** Where responders are looked up; default a new, empty one owned by this peer. */
  locator?: CommandLocator;
}

interface Outstanding {
  command: AnyCommand;
  deferred: Deferred<unknown>;
  /** For a StartTLS call: how this side starts TLS once answered. */
  tls?: StartTLSOptions;
}

/**
 * An AMP connection (Twisted's `amp.AMP`), wire-compatible with
 * `twisted.protocols.amp`. It is a {@linkcode Protocol}: run it on a
 * connection with `runProtocol`, or build one per connection with a
 * `Factory`.
 *
 * - `callRemote(Command, args)` sends a command and returns a Deferred of the
 *   typed response. It fails with the error class the command declares for the
 *   code the peer sent, {@linkcode UnhandledCommandError} when the peer has no
 *   responder, {@linkcode UnknownRemoteError} or {@linkcode RemoteAmpError}
 *   otherwise, and `ConnectionLostError` when the connection goes first.
 * - `respond(Command, fn)` answers the peer's commands. As in Twisted, a
 *   responder that throws an error its command does not declare is logged,
 *   answered with code `UNKNOWN`, and the connection is closed.
 * - Malformed input from the peer (a `ProtocolError`) closes the connection.
 * - `callRemote(StartTLS, ...)` (Twisted's `amp.StartTLS`) goes on over TLS on
 *   the same connection; a responder for {@linkcode StartTLS} returns the
 *   certificate its side uses.
 *
 * @example Usage
 * ```ts
 * import { AMP, defineCommand, Integer } from "@spindle/spindle/protocols/amp";
 * import { Clock, connectedPair, runProtocol } from "@spindle/spindle/reactor";
 * const Sum = defineCommand({ name: "Sum", arguments: { a: Integer, b: Integer }, response: { total: Integer } });
 *
 * const [serverConn, clientConn] = connectedPair();
 * const server = new AMP().respond(Sum, ({ a, b }) => ({ total: a + b }));
 * const client = new AMP();
 * const done = [
 *   runProtocol(server, serverConn, { reactor: new Clock() }),
 *   runProtocol(client, clientConn, { reactor: new Clock() }),
 * ];
 * const { total } = await client.callRemote(Sum, { a: 1, b: 2 });
 * console.assert(total === 3);
 * client.transport.loseConnection();
 * await Promise.all(done);
 * ```
 */
export class AMP extends Protocol {
  /** Where this peer looks up responders for incoming commands. */
  readonly locator: CommandLocator;
  #decoder: BoxDecoderCore;
  #boxes: AmpBox[] = [];
  #maxInFlight: number;
  /** The peer's commands whose responders have not settled yet. */
  #inFlight = 0;
  #readPaused = false;
  #outstanding = new Map<string, Outstanding>();
  /**
   * Tags of calls cancelled before their answer: the peer still answers them,
   * and that late answer is dropped quietly (as Twisted drops a result for a
   * cancelled Deferred), not taken for an invented tag.
   */
  #cancelled = new Set<string>();
  #counter = 0;
  #tlsPhase = TLS_NONE;
  /**
   * Set by the box after which the bytes belong to TLS (a StartTLS command,
   * or the answer to one): the dispatch loop decodes nothing past it.
   */
  #tlsSwitch = false;
  /** What this side writes while TLS starts, sent once the handshake is done. */
  #held: Uint8Array[] | null = null;
  /** Set once the connection is unusable: later calls fail with it. */
  #lost: Error | null = null;
  /** The protocol error that made this side close the connection, if any. */
  #protocolFailure: ProtocolError | null = null;

  /** Creates an unconnected peer. */
  constructor(options: AMPOptions = {}) {
    super();
    this.locator = options.locator ?? new CommandLocator();
    this.#decoder = new BoxDecoderCore(options);
    this.#maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!(this.#maxInFlight >= 1)) {
      throw new RangeError(
        `maxInFlight must be at least 1, got ${this.#maxInFlight}`,
      );
    }
  }

  /**
   * How many of this side's calls wait for an answer. A call whose Deferred
   * was cancelled no longer counts: it leaves at once, and its late answer is
   * dropped.
   */
  get outstandingCalls(): number {
    return this.#outstanding.size;
  }

  /** Registers `responder` for `command` in this peer's locator. Returns `this`. */
  respond<A extends Schema, R extends Schema, N extends boolean>(
    command: Command<A, R, N>,
    responder: Responder<A, R>,
  ): this {
    this.locator.respond(command, responder);
    return this;
  }

  /**
   * Calls `command` on the peer with `args`. Returns a Deferred of the
   * response, or nothing when the command has `requiresAnswer: false` (such a
   * call throws at once if `args` cannot be encoded). Cancelling the Deferred
   * (or its `addTimeout`) forgets the call at once; the peer's late answer is
   * then dropped.
   */
  callRemote<A extends Schema, R extends Schema, N extends boolean>(
    command: Command<A, R, N>,
    args: Values<A>,
  ): CallResult<R, N> {
    const requiresAnswer = command.requiresAnswer;
    if (this.#lost !== null) {
      return (requiresAnswer ? fail(this.#lost) : undefined) as CallResult<
        R,
        N
      >;
    }
    if (command === (StartTLS as AnyCommand)) {
      const started = this.#callStartTLS(args as Values<StartTLSArguments>);
      return started as CallResult<R, N>;
    }
    const tag = (++this.#counter).toString(16);
    let deferred: Deferred<Values<R>> | undefined;
    try {
      const box = writeValues(command.arguments, args, new Map());
      box.set(COMMAND, commandName(command));
      if (requiresAnswer) box.set(ASK, asciiToBytes(tag));
      this.#send(encodeBox(box));
    } catch (error) {
      if (!requiresAnswer) throw error;
      return fail(error) as CallResult<R, N>;
    }
    if (requiresAnswer) {
      deferred = new Deferred<Values<R>>(() => this.#cancel(tag));
      this.#outstanding.set(tag, {
        command,
        deferred: deferred as Deferred<unknown>,
      });
    }
    return deferred as CallResult<R, N>;
  }

  #callStartTLS(
    args: Values<StartTLSArguments>,
  ): Deferred<Values<StartTLSResponse>> {
    if (this.#tlsPhase !== TLS_NONE) return fail(new OnlyOneTLSError());
    let options: StartTLSOptions;
    try {
      const peer = this.transport.getPeer();
      options = {
        hostname: args.tls_hostname ??
          ("hostname" in peer ? peer.hostname : "localhost"),
        caCerts: args.tls_verifyAuthorities,
      };
      const tag = (++this.#counter).toString(16);
      this.#send(encodeBox(
        new Map([[COMMAND, commandName(StartTLS)], [ASK, asciiToBytes(tag)]]),
      ));
      // As Twisted does: what this side sends from now on waits for TLS.
      this.#held = [];
      this.#tlsPhase = TLS_ASKED;
      const deferred = new Deferred<Values<StartTLSResponse>>(() => {
        // The peer may already be starting TLS: the two sides can no longer
        // agree on what the next bytes are.
        this.#outstanding.delete(tag);
        this.transport.abortConnection();
      });
      this.#outstanding.set(tag, {
        command: StartTLS as AnyCommand,
        deferred: deferred as Deferred<unknown>,
        tls: options,
      });
      return deferred;
    } catch (error) {
      return fail(error);
    }
  }

  /** Writes `bytes`, or holds them while TLS starts. */
  #send(bytes: Uint8Array): void {
    if (this.#held !== null) this.#held.push(bytes);
    else this.transport.write(bytes);
  }

  /**
   * Switches the connection to TLS right after the box just handled: the
   * bytes the box decoder holds past it go back to the connection, for the
   * handshake; what this side writes meanwhile is held until it is done.
   */
  #startTLS(options: StartTLSOptions): Promise<TLSInfo> {
    this.#tlsPhase = TLS_STARTING;
    this.#held ??= [];
    const rest = this.#decoder.release();
    if (rest.length > 0) this.transport.connection.unshift(rest);
    return this.transport.startTLS(options).then((info) => {
      this.#tlsPhase = TLS_STARTED;
      this.#releaseHeld();
      return info;
    });
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = null;
    if (held !== null && this.connected) {
      for (const bytes of held) this.transport.write(bytes);
    }
  }

  /**
   * Feeds bytes from the peer to the box decoder and dispatches each box. A
   * subclass that overrides it must call `super.dataReceived(data)`.
   */
  override dataReceived(data: Uint8Array): void {
    if (this.#protocolFailure !== null) return;
    this.#dispatch(data);
  }

  // Decodes no more boxes than there are free in-flight slots, so that at the
  // limit the rest stays undecoded in the core until an answer goes out (one
  // box per decode would keep every byte there, but costs a fifth more per
  // box). Waiting for a StartTLS answer it decodes one box at a time, so what
  // follows the answer stays undecoded, for TLS.
  #dispatch(data: Uint8Array): void {
    const boxes = this.#boxes;
    let chunk = data;
    let failure: unknown = null;
    let decoded: number;
    try {
      do {
        const room = this.#maxInFlight - this.#inFlight;
        try {
          this.#decoder.decode(
            chunk,
            boxes,
            this.#tlsPhase === TLS_ASKED && room > 1 ? 1 : room,
          );
        } catch (error) {
          failure = error;
        }
        chunk = EMPTY;
        decoded = boxes.length;
        for (let i = 0; i < decoded; i++) {
          this.#boxReceived(boxes[i]!);
          // Only the TLS handshake may follow the peer's StartTLS.
          if (this.#tlsSwitch && i + 1 < decoded) {
            throw new PlaintextAfterStartTLSError(decoded - i - 1);
          }
        }
        boxes.length = 0;
      } while (
        failure === null && decoded > 0 && this.#hasRoom() && !this.#tlsSwitch
      );
    } catch (error) {
      failure ??= error;
    } finally {
      boxes.length = 0;
    }
    this.#tlsSwitch = false;
    if (failure !== null) this.#failProtocol(failure);
    else if (
      (this.#tlsPhase === TLS_ANSWERING || !this.#hasRoom()) &&
      !this.#readPaused
    ) {
      this.#readPaused = true;
      this.transport.pauseProducing();
    }
  }

  #hasRoom(): boolean {
    return this.#inFlight < this.#maxInFlight;
  }

  #settled(): void {
    this.#inFlight--;
    if (
      !this.#readPaused || !this.connected || this.#protocolFailure !== null ||
      this.#tlsPhase === TLS_ANSWERING
    ) return;
    this.#readPaused = false;
    try {
      this.#dispatch(EMPTY);
    } catch (error) {
      // Not the peer's fault but ours; outside the transport's read loop
      // nobody else would catch it, so the connection ends here.
      logger.error("AMP dispatch failed: {message}", {
        message: error instanceof Error ? error.message : String(error),
        error,
      });
      this.transport.abortConnection();
      return;
    }
    if (!this.#readPaused && this.#protocolFailure === null) {
      this.transport.resumeProducing();
    }
  }

  /**
   * Fails every outstanding call with `ConnectionLostError`. A subclass that
   * overrides it must call `super.connectionLost(reason)`.
   */
  override connectionLost(reason: Error): void {
    const cause = this.#protocolFailure ?? reason;
    const message = this.#protocolFailure !== null
      ? `the AMP connection was closed because the peer broke the protocol: ${this.#protocolFailure.message}`
      : reason instanceof ConnectionDone
      ? "the AMP connection closed before the peer answered"
      : `the AMP connection was lost before the peer answered: ${reason.message}`;
    this.#lost = new ConnectionLostError(message, { cause });
    const outstanding = [...this.#outstanding.values()];
    this.#outstanding.clear();
    this.#cancelled.clear();
    this.#held = null;
    for (const { deferred } of outstanding) deferred.errback(this.#lost);
    this.connected = false;
  }

  #failProtocol(error: unknown): void {
    if (!(error instanceof ProtocolError)) throw error;
    this.#protocolFailure = error;
    logger.warn("closing AMP connection: {message}", {
      message: error.message,
      protocolError: error,
    });
    this.transport.loseConnection();
  }

  #boxReceived(box: AmpBox): void {
    const answer = box.get(ANSWER);
    if (answer !== undefined) {
      return this.#answerReceived(bytesToLatin1(answer), box);
    }
    const error = box.get(ERROR);
    if (error !== undefined) {
      return this.#errorReceived(bytesToLatin1(error), box);
    }
    const command = box.get(COMMAND);
    if (command !== undefined) {
      return this.#commandReceived(lenientUtf8.decode(command), box);
    }
    throw new UnroutableBoxError();
  }

  // The caller gave up: forget the call now rather than when (if ever) the
  // peer answers, so a long-lived connection holds no cancelled calls.
  #cancel(tag: string): void {
    if (this.#outstanding.delete(tag)) this.#cancelled.add(tag);
  }

  /** The call `tag` answers, or null for a call cancelled meanwhile. */
  #takeOutstanding(tag: string): Outstanding | null {
    const outstanding = this.#outstanding.get(tag);
    if (outstanding === undefined) {
      if (this.#cancelled.delete(tag)) return null;
      throw new UnknownAnswerError(tag);
    }
    this.#outstanding.delete(tag);
    return outstanding;
  }

  #answerReceived(tag: string, box: AmpBox): void {
    const outstanding = this.#takeOutstanding(tag);
    if (outstanding === null) return;
    const { command, deferred } = outstanding;
    if (outstanding.tls !== undefined) {
      this.#tlsSwitch = true;
      this.#startTLS(outstanding.tls).then(
        () => deferred.callback({}),
        (error) => deferred.errback(error),
      );
      return;
    }
    let response: unknown;
    try {
      response = readValues(command.response, box);
    } catch (error) {
      deferred.errback(error);
      return;
    }
    deferred.callback(response);
  }

  #errorReceived(tag: string, box: AmpBox): void {
    const outstanding = this.#takeOutstanding(tag);
    if (outstanding === null) return;
    const { command, deferred } = outstanding;
    if (outstanding.tls !== undefined) {
      // The peer refused StartTLS: the connection goes on in the clear.
      this.#tlsPhase = TLS_NONE;
      this.#releaseHeld();
    }
    const code = bytesToLatin1(box.get(ERROR_CODE) ?? new Uint8Array());
    const description = lenientUtf8.decode(
      box.get(ERROR_DESCRIPTION) ?? new Uint8Array(),
    );
    const declared = Object.hasOwn(command.errors, code)
      ? command.errors[code]
      : undefined;
    let error: Error;
    if (declared !== undefined) error = new declared(description);
    else if (code === UNHANDLED_ERROR_CODE) {
      error = new UnhandledCommandError(description);
    } else if (code === UNKNOWN_ERROR_CODE) {
      error = new UnknownRemoteError(description);
    } else error = new RemoteAmpError(code, description);
    deferred.errback(error);
  }

  #commandReceived(name: string, box: AmpBox): void {
    const ask = box.get(ASK);
    const found = this.locator.locateResponder(name);
    if (found === undefined) {
      if (ask !== undefined) {
        this.#sendError(
          ask,
          UNHANDLED_ERROR_CODE,
          `Unhandled Command: ${JSON.stringify(name)}`,
        );
      } else {
        logger.warn("no responder for AMP command {command}", {
          command: name,
        });
      }
      return;
    }
    const { command, responder } = found;
    if (command === (StartTLS as AnyCommand)) {
      if (this.#tlsPhase !== TLS_NONE) {
        if (ask !== undefined) {
          this.#sendError(
            ask,
            TLS_ERROR_CODE,
            "TLS was already started on this connection: it starts once",
          );
        }
        return;
      }
      this.#tlsPhase = TLS_ANSWERING;
      this.#tlsSwitch = true;
    }
    let args: Values<Schema>;
    try {
      args = readValues(command.arguments, box);
    } catch (error) {
      // Arguments that do not decode are the peer's fault: tell it why, then
      // close the connection as for any protocol error.
      if (ask !== undefined && error instanceof ProtocolError) {
        this.#sendError(ask, UNKNOWN_ERROR_CODE, error.message);
      }
      throw error;
    }
    let result: unknown;
    try {
      result = responder(args, this);
    } catch (error) {
      this.#responderFailed(command, ask, error);
      return;
    }
    if (
      result !== null && typeof result === "object" &&
      typeof (result as PromiseLike<unknown>).then === "function"
    ) {
      this.#inFlight++;
      (result as PromiseLike<unknown>).then(
        (values) => {
          this.#answer(command, ask, values);
          this.#settled();
        },
        (error) => {
          this.#responderFailed(command, ask, error);
          this.#settled();
        },
      );
    } else {
      this.#answer(command, ask, result);
    }
  }

  #answer(
    command: AnyCommand,
    ask: Uint8Array | undefined,
    values: unknown,
  ): void {
    if (command === (StartTLS as AnyCommand)) {
      return this.#answerStartTLS(ask, values as Values<StartTLSResponse>);
    }
    if (ask === undefined) return;
    let bytes: Uint8Array;
    try {
      const box = writeValues(
        command.response,
        values as Values<Schema>,
        new Map(),
      );
      box.set(ANSWER, ask);
      bytes = encodeBox(box);
    } catch (error) {
      this.#responderFailed(command, ask, error, true);
      return;
    }
    this.#send(bytes);
  }

  #answerStartTLS(
    ask: Uint8Array | undefined,
    values: Values<StartTLSResponse>,
  ): void {
    const certificate = values?.tls_localCertificate;
    if (certificate === undefined) {
      this.#responderFailed(
        StartTLS as AnyCommand,
        ask,
        new TypeError(
          "the StartTLS responder returned no tls_localCertificate: return the certificate and key TLS is to use",
        ),
        true,
      );
      return;
    }
    // The answer is the last box in the clear (the local values stay here).
    if (ask !== undefined) this.#send(encodeBox(new Map([[ANSWER, ask]])));
    this.#startTLS({
      isServer: true,
      cert: certificate.cert,
      key: certificate.key,
    }).catch((error) => {
      logger.warn("AMP StartTLS handshake failed: {message}", {
        message: error instanceof Error ? error.message : String(error),
        error,
      });
    });
  }

  #responderFailed(
    command: AnyCommand,
    ask: Uint8Array | undefined,
    error: unknown,
    badResponse = false,
  ): void {
    if (
      command === (StartTLS as AnyCommand) && this.#tlsPhase === TLS_ANSWERING
    ) {
      // Refused: the boxes after it are AMP again, in the clear.
      this.#tlsPhase = TLS_NONE;
      this.#tlsSwitch = false;
    }
    let code: string | undefined;
    let description = "";
    let fatal = false;
    if (error instanceof RemoteAmpError) {
      ({ code, description, fatal } = error);
    } else if (!badResponse) {
      code = errorCodeFor(command, error);
      if (code !== undefined) {
        description = error instanceof Error ? error.message : String(error);
        fatal = command.fatalCodes.has(code);
      }
    }
    if (code === undefined) {
      logger.error("AMP responder for {command} {what}: {message}", {
        command: command.name,
        what: badResponse
          ? "returned a response that cannot be sent"
          : "failed",
        message: error instanceof Error ? error.message : String(error),
        error,
      });
      code = UNKNOWN_ERROR_CODE;
      description = "Unknown Error";
      fatal = true;
    }
    if (ask !== undefined) this.#sendError(ask, code, description);
    if (fatal) this.transport.loseConnection();
  }

  #sendError(ask: Uint8Array, code: string, description: string): void {
    const box: AmpBox = new Map([
      [ERROR, ask],
      [ERROR_CODE, encoder.encode(code).subarray(0, MAX_VALUE_LENGTH)],
      [
        ERROR_DESCRIPTION,
        encoder.encode(description).subarray(0, MAX_VALUE_LENGTH),
      ],
    ]);
    this.#send(encodeBox(box));
  }
}
