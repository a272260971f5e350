/**
 * The absolute URL of a request being served, from its target and `Host`
 * (RFC 9112 §3.2–3.3), checked so that it means what it says.
 *
 * @module
 */
import type { Address } from "../../reactor/interfaces.ts";
import { HTTPParseError } from "./errors.ts";
import type { MessageHead } from "./message.ts";

const HOST_RE =
  /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=-]*)(?::\d{0,5})?$/;
/** Hosts already checked: a server sees few distinct ones, so each is parsed once. */
const validHosts = new Set<string>();

let lastHost = "";

/**
 * Checks a `Host` value (or CONNECT authority) so that the request URL built
 * from it is valid and means what it says (no path, userinfo or bad port).
 */
function validAuthority(host: string): string {
  if (host === lastHost || validHosts.has(host)) return lastHost = host;
  if (!HOST_RE.test(host) || !URL.canParse(`http://${host}/`)) {
    throw new HTTPParseError(
      400,
      `invalid Host ${JSON.stringify(host.slice(0, 64))}`,
    );
  }
  if (validHosts.size >= 1024) validHosts.clear();
  validHosts.add(host);
  return host;
}

/**
 * The absolute URL of the request with `head`: origin form against `Host`
 * (or the local address), authority form for `CONNECT`, `*` for `OPTIONS`,
 * or an absolute `http(s):` target as sent to a proxy.
 */
export function requestURL(
  head: MessageHead,
  scheme: string,
  localAddr: Address,
): string {
  const target = head.target;
  if (target.charCodeAt(0) === 47 /* / */) {
    return scheme + authority(head, localAddr) + target;
  }
  if (head.method === "CONNECT") return `${scheme}${validAuthority(target)}/`;
  if (target === "*" && head.method === "OPTIONS") {
    return `${scheme}${authority(head, localAddr)}/*`;
  }
  if (/^https?:\/\//i.test(target) && URL.canParse(target)) {
    return new URL(target).href;
  }
  throw new HTTPParseError(
    400,
    `invalid request target ${JSON.stringify(target.slice(0, 64))}`,
  );
}

function authority(head: MessageHead, localAddr: Address): string {
  const host = head.host;
  if (host !== null && host !== "") return validAuthority(host);
  if ("hostname" in localAddr) {
    return localAddr.hostname.includes(":")
      ? `[${localAddr.hostname}]:${localAddr.port}`
      : `${localAddr.hostname}:${localAddr.port}`;
  }
  return "localhost";
}
