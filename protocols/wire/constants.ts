/**
 * The well-known ports of the small inetd services.
 *
 * @module
 */

/**
 * The small services of `spindle inetd`, by name.
 *
 * @example Usage
 * ```ts
 * import type { InetdServiceName } from "@spindle/spindle/protocols/wire";
 * const name: InetdServiceName = "chargen";
 * console.assert(name === "chargen");
 * ```
 */
export type InetdServiceName =
  | "echo"
  | "discard"
  | "chargen"
  | "daytime"
  | "time"
  | "qotd";

/**
 * Each service's well-known port (the RFC of each), in the order
 * `spindle inetd --listen-base PORT` lays them out on consecutive ports.
 *
 * @example Usage
 * ```ts
 * import { INETD_PORTS } from "@spindle/spindle/protocols/wire";
 * console.assert(INETD_PORTS.daytime === 13);
 * ```
 */
export const INETD_PORTS: Readonly<Record<InetdServiceName, number>> = {
  echo: 7, // RFC 862
  discard: 9, // RFC 863
  chargen: 19, // RFC 864
  daytime: 13, // RFC 867
  time: 37, // RFC 868
  qotd: 17, // RFC 865
};

/**
 * Seconds from 1900-01-01 (the Time protocol's epoch, RFC 868) to
 * 1970-01-01 (the Unix epoch).
 *
 * @example Usage
 * ```ts
 * import { TIME_EPOCH_OFFSET } from "@spindle/spindle/protocols/wire";
 * console.assert(TIME_EPOCH_OFFSET === 2_208_988_800);
 * ```
 */
export const TIME_EPOCH_OFFSET = 2_208_988_800;
