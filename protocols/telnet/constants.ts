/**
 * The wire constants of Telnet (RFC 854, RFC 855) and the options Spindle
 * negotiates.
 *
 * @module
 */

/**
 * Telnet's command bytes (RFC 854), each sent after {@linkcode Telnet.IAC}.
 *
 * @example Usage
 * ```ts
 * import { Telnet } from "@spindle/spindle/protocols/telnet";
 * console.assert(Telnet.IAC === 255 && Telnet.WILL === 251);
 * ```
 */
export const Telnet = {
  SE: 240,
  NOP: 241,
  DM: 242,
  BRK: 243,
  IP: 244,
  AO: 245,
  AYT: 246,
  EC: 247,
  EL: 248,
  GA: 249,
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
  IAC: 255,
} as const;

/**
 * The Telnet options Spindle knows by name: BINARY (RFC 856), ECHO (857),
 * SGA (858), TTYPE (1091), NAWS (1073) and LINEMODE (1184, always refused).
 *
 * @example Usage
 * ```ts
 * import { TelnetOption } from "@spindle/spindle/protocols/telnet";
 * console.assert(TelnetOption.NAWS === 31);
 * ```
 */
export const TelnetOption = {
  BINARY: 0,
  ECHO: 1,
  SGA: 3,
  TTYPE: 24,
  NAWS: 31,
  LINEMODE: 34,
} as const;
