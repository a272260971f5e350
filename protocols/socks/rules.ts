/**
 * Which destinations the SOCKS server lets clients reach.
 *
 * @module
 */
import { parseIPv4, parseIPv6 } from "../../reactor/ip_address.ts";
import {
  inAddressRanges,
  parseAddressRanges,
} from "../../reactor/address_ranges.ts";

/**
 * Address ranges no client reaches unless an allow rule says so: loopback,
 * "this network", private (RFC 1918, RFC 6598 shared, RFC 4193 unique
 * local) and link-local addresses, IPv4 and IPv6. A proxy that reached them
 * would hand the Internet the services of its own host and network.
 *
 * @example Usage
 * ```ts
 * import { SPECIAL_RANGES } from "@spindle/spindle/protocols/socks";
 * console.assert(SPECIAL_RANGES.includes("127.0.0.0/8"));
 * ```
 */
export const SPECIAL_RANGES: readonly string[] = [
  "127.0.0.0/8",
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "169.254.0.0/16",
  "::1/128",
  "::/128",
  "fc00::/7",
  "fe80::/10",
];

const SPECIAL = parseAddressRanges(SPECIAL_RANGES);

/**
 * One allow or deny rule: an address range, or a host name (`*.` for its
 * subdomains), optionally only for one port.
 *
 * @example Usage
 * ```ts
 * import { parseAccessRule } from "@spindle/spindle/protocols/socks";
 * console.assert(parseAccessRule("10.0.0.0/8:443").port === 443);
 * ```
 */
export interface AccessRule {
  /** The rule as written. */
  text: string;
  /** A CIDR range (`10.0.0.0/8`, `::1/128`, or one address). */
  range?: string;
  /** A host name, matched without case; `*.example.org` for its subdomains. */
  host?: string;
  /** Only this destination port; none: every port. */
  port?: number;
}

function isAddress(text: string): boolean {
  const address = text.split("/")[0]!;
  return parseIPv4(address) !== null || parseIPv6(address) !== null;
}

/**
 * Parses a rule: a CIDR or address (`10.0.0.0/8`, `::1`), or a host name
 * (`example.org`, `*.example.org`), either with `:PORT` (an IPv6 address
 * with a port in brackets: `[::1]:8080`).
 *
 * @throws {TypeError} When it is none of these.
 *
 * @example Usage
 * ```ts
 * import { parseAccessRule } from "@spindle/spindle/protocols/socks";
 * console.assert(parseAccessRule("[::1]:80").range === "::1");
 * console.assert(parseAccessRule("*.example.org").host === "*.example.org");
 * ```
 */
export function parseAccessRule(text: string): AccessRule {
  let target = text.trim();
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(target);
  if (bracketed !== null) {
    target = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (target.split(":").length === 2) {
    const [head, tail] = target.split(":") as [string, string];
    if (!/^\d+$/.test(tail)) throw badRule(text);
    target = head;
    port = Number(tail);
  }
  if (port !== undefined && !(port >= 1 && port <= 65535)) throw badRule(text);
  if (isAddress(target)) {
    parseAddressRanges([target]); // throws on a bad prefix
    return { text, range: target, port };
  }
  if (
    /^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_-]{1,63})*\.?$/
      .test(target)
  ) {
    return { text, host: target.toLowerCase().replace(/\.$/, ""), port };
  }
  throw badRule(text);
}

function badRule(text: string): TypeError {
  return new TypeError(
    `${
      JSON.stringify(text)
    } is not a SOCKS rule: write a CIDR (10.0.0.0/8), an address, or a host name (*.example.org), optionally with :PORT ([::1]:PORT for IPv6)`,
  );
}

/**
 * A destination a client asks for, once resolved.
 *
 * @example Usage
 * ```ts
 * import type { Destination } from "@spindle/spindle/protocols/socks";
 * const destination: Destination = { name: "example.org", address: "192.0.2.1", port: 80 };
 * console.assert(destination.port === 80);
 * ```
 */
export interface Destination {
  /** The host name the client gave (SOCKS 4a and 5), if it gave one. */
  name?: string;
  /** The address that will be connected to. */
  address: string;
  /** The port. */
  port: number;
}

function matches(rule: AccessRule, destination: Destination): boolean {
  if (rule.port !== undefined && rule.port !== destination.port) return false;
  if (rule.range !== undefined) {
    return inAddressRanges(
      destination.address,
      parseAddressRanges([rule.range]),
    );
  }
  const name = destination.name?.toLowerCase().replace(/\.$/, "");
  if (name === undefined || rule.host === undefined) return false;
  return rule.host.startsWith("*.")
    ? name.endsWith(rule.host.slice(1))
    : name === rule.host;
}

/**
 * Options of {@linkcode AccessPolicy}.
 *
 * @example Usage
 * ```ts
 * import type { AccessPolicyOptions } from "@spindle/spindle/protocols/socks";
 * const options: AccessPolicyOptions = { allow: ["127.0.0.1"], deny: ["*.internal"] };
 * console.assert(options.allow?.length === 1);
 * ```
 */
export interface AccessPolicyOptions {
  /** Rules that let destinations through, even in {@linkcode SPECIAL_RANGES}. */
  allow?: readonly string[];
  /** Rules that refuse destinations; they win over `allow`. */
  deny?: readonly string[];
}

/**
 * The SOCKS server's destination rules: a destination matching a `deny`
 * rule is refused; else one in {@linkcode SPECIAL_RANGES} (loopback,
 * private, link-local) is refused unless an `allow` rule matches; else it
 * is let through. IPv4-mapped IPv6 addresses count as their IPv4 address.
 *
 * @example Usage
 * ```ts
 * import { AccessPolicy } from "@spindle/spindle/protocols/socks";
 * const policy = new AccessPolicy({ allow: ["127.0.0.1:8080"] });
 * console.assert(policy.allows({ address: "127.0.0.1", port: 8080 }));
 * console.assert(!policy.allows({ address: "127.0.0.1", port: 22 }));
 * console.assert(policy.allows({ address: "192.0.2.1", port: 80 }));
 * ```
 */
export class AccessPolicy {
  #allow: AccessRule[];
  #deny: AccessRule[];

  /** A policy of these rules; throws `TypeError` on a malformed one. */
  constructor(options: AccessPolicyOptions = {}) {
    this.#allow = (options.allow ?? []).map(parseAccessRule);
    this.#deny = (options.deny ?? []).map(parseAccessRule);
  }

  /** Whether a client may reach `destination`. */
  allows(destination: Destination): boolean {
    if (this.#deny.some((rule) => matches(rule, destination))) return false;
    if (!inAddressRanges(destination.address, SPECIAL)) return true;
    return this.#allow.some((rule) => matches(rule, destination));
  }
}
