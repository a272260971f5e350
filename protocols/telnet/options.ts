/**
 * Telnet option negotiation by the Q method (RFC 1143), which never loops
 * and never leaves the two ends disagreeing.
 *
 * @module
 */
import { Telnet } from "./constants.ts";

/**
 * Which end an option is enabled on: `local` (we WILL: we do it) or
 * `remote` (the peer WILL, we asked it with DO).
 *
 * @example Usage
 * ```ts
 * import type { OptionSide } from "@spindle/spindle/protocols/telnet";
 * const side: OptionSide = "local";
 * console.assert(side === "local");
 * ```
 */
export type OptionSide = "local" | "remote";

/**
 * Which options an end agrees to when the peer asks.
 *
 * @example Usage
 * ```ts
 * import { type OptionPolicy, TelnetOption } from "@spindle/spindle/protocols/telnet";
 * const policy: OptionPolicy = {
 *   local: (option) => option === TelnetOption.ECHO,
 *   remote: (option) => option === TelnetOption.NAWS,
 * };
 * console.assert(policy.local(TelnetOption.ECHO));
 * ```
 */
export interface OptionPolicy {
  /** Whether we agree to do `option` ourselves (the peer sent DO). */
  local(option: number): boolean;
  /** Whether we agree that the peer does `option` (it sent WILL). */
  remote(option: number): boolean;
}

type Q = "no" | "yes" | "wantno" | "wantyes";

interface SideState {
  q: Q;
  opposite: boolean;
}

/**
 * Options of {@linkcode OptionNegotiator}.
 *
 * @example Usage
 * ```ts
 * import type { OptionNegotiatorOptions } from "@spindle/spindle/protocols/telnet";
 * const options: OptionNegotiatorOptions = {
 *   send: () => {},
 *   policy: { local: () => false, remote: () => false },
 * };
 * console.assert(typeof options.send === "function");
 * ```
 */
export interface OptionNegotiatorOptions {
  /** Sends `IAC verb option`. */
  send(verb: number, option: number): void;
  /** What we agree to when the peer asks. */
  policy: OptionPolicy;
  /** Told each time an option changes state on either end. */
  onChange?(side: OptionSide, option: number, enabled: boolean): void;
}

/**
 * The state of every option on both ends, kept by the Q method of RFC
 * 1143: a request is sent only when it changes something, an answer to our
 * own request is never answered again, and a change of mind while a
 * request is in flight is queued, so no negotiation loops.
 *
 * @example Usage
 * ```ts
 * import { OptionNegotiator, Telnet, TelnetOption } from "@spindle/spindle/protocols/telnet";
 * const sent: number[][] = [];
 * const negotiator = new OptionNegotiator({
 *   send: (verb, option) => sent.push([verb, option]),
 *   policy: { local: () => true, remote: () => false },
 * });
 * negotiator.enable("local", TelnetOption.ECHO); // sends WILL ECHO
 * negotiator.receive(Telnet.DO, TelnetOption.ECHO); // the peer agrees
 * console.assert(negotiator.isEnabled("local", TelnetOption.ECHO));
 * console.assert(sent.length === 1);
 * ```
 */
export class OptionNegotiator {
  #options: OptionNegotiatorOptions;
  #sides = {
    local: new Map<number, SideState>(),
    remote: new Map<number, SideState>(),
  };

  /** A negotiator with every option off on both ends. */
  constructor(options: OptionNegotiatorOptions) {
    this.#options = options;
  }

  #state(side: OptionSide, option: number): SideState {
    let state = this.#sides[side].get(option);
    if (state === undefined) {
      state = { q: "no", opposite: false };
      this.#sides[side].set(option, state);
    }
    return state;
  }

  // The verbs we send for a side: local answers with WILL/WONT, remote
  // asks with DO/DONT.
  #yes(side: OptionSide): number {
    return side === "local" ? Telnet.WILL : Telnet.DO;
  }
  #no(side: OptionSide): number {
    return side === "local" ? Telnet.WONT : Telnet.DONT;
  }

  #set(side: OptionSide, option: number, state: SideState, q: Q): void {
    const was = state.q === "yes";
    state.q = q;
    if (was !== (q === "yes")) {
      this.#options.onChange?.(side, option, q === "yes");
    }
  }

  /** Whether `option` is on at `side`. */
  isEnabled(side: OptionSide, option: number): boolean {
    return this.#sides[side].get(option)?.q === "yes";
  }

  /** Asks to turn `option` on at `side` (sends WILL or DO if needed). */
  enable(side: OptionSide, option: number): void {
    const state = this.#state(side, option);
    if (state.q === "no") {
      this.#set(side, option, state, "wantyes");
      this.#options.send(this.#yes(side), option);
    } else if (state.q === "wantno") state.opposite = true;
    else if (state.q === "wantyes") state.opposite = false;
  }

  /** Asks to turn `option` off at `side` (sends WONT or DONT if needed). */
  disable(side: OptionSide, option: number): void {
    const state = this.#state(side, option);
    if (state.q === "yes") {
      this.#set(side, option, state, "wantno");
      this.#options.send(this.#no(side), option);
    } else if (state.q === "wantno") state.opposite = false;
    else if (state.q === "wantyes") state.opposite = true;
  }

  /** Handles a WILL, WONT, DO or DONT from the peer. */
  receive(verb: number, option: number): void {
    // WILL/WONT speak of the peer's side, DO/DONT of ours.
    const side: OptionSide = verb === Telnet.WILL || verb === Telnet.WONT
      ? "remote"
      : "local";
    const positive = verb === Telnet.WILL || verb === Telnet.DO;
    const state = this.#state(side, option);
    if (positive) {
      switch (state.q) {
        case "no":
          if (this.#options.policy[side](option)) {
            this.#set(side, option, state, "yes");
            this.#options.send(this.#yes(side), option);
          } else {
            this.#options.send(this.#no(side), option);
          }
          return;
        case "yes":
          return;
        case "wantno":
          // An answer of "yes" to our "no": RFC 1143 takes it as it is.
          this.#set(side, option, state, state.opposite ? "yes" : "no");
          state.opposite = false;
          return;
        case "wantyes":
          if (state.opposite) {
            state.opposite = false;
            this.#set(side, option, state, "wantno");
            this.#options.send(this.#no(side), option);
          } else {
            this.#set(side, option, state, "yes");
          }
          return;
      }
    }
    switch (state.q) {
      case "no":
        return;
      case "yes":
        this.#set(side, option, state, "no");
        this.#options.send(this.#no(side), option);
        return;
      case "wantno":
        if (state.opposite) {
          state.opposite = false;
          this.#set(side, option, state, "wantyes");
          this.#options.send(this.#yes(side), option);
        } else {
          this.#set(side, option, state, "no");
        }
        return;
      case "wantyes":
        state.opposite = false;
        this.#set(side, option, state, "no");
        return;
    }
  }
}
