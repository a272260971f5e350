/**
 * The RDATA of each record type in zone file text (RFC 1035 §5.1 and the
 * RFCs of each type), and RFC 3597's generic `\# <length> <hex>`.
 *
 * @module
 */
import { RecordType, recordTypeName } from "./constants.ts";
import { parseIPv4, parseIPv6 } from "../../reactor/ip_address.ts";
import type { RecordData } from "./message.ts";
import { parseTTL, type Token, unescapeBytes } from "./_zone_tokens.ts";

const textDecoder = new TextDecoder();

/** What the RDATA parsers get besides the fields. */
interface RdataContext {
  type: number;
  absolute: (name: string) => string;
  fail: (message: string) => never;
}

/**
 * The data of a `type` record from its fields; `absolute` makes a name
 * absolute and `fail` throws the file's error for the entry.
 */
export function parseData(
  type: number,
  tokens: Token[],
  absolute: (name: string) => string,
  fail: (message: string) => never,
): RecordData {
  const cx: RdataContext = { type, absolute, fail };
  if (tokens[0]?.text === "\\#" && !tokens[0].quoted) {
    return genericData(cx, tokens);
  }
  switch (type) {
    case RecordType.A:
    case RecordType.AAAA:
      return addressData(cx, tokens);
    case RecordType.NS:
    case RecordType.CNAME:
    case RecordType.PTR:
      count(cx, tokens, 1, "one domain name");
      return { name: absolute(tokens[0]!.text) };
    case RecordType.MX:
      count(cx, tokens, 2, "a preference and a host name");
      return {
        preference: uint(cx, tokens[0]!, 65535, "the MX preference"),
        exchange: absolute(tokens[1]!.text),
      };
    case RecordType.SOA:
      return soaData(cx, tokens);
    case RecordType.TXT:
      return txtData(cx, tokens);
    case RecordType.SRV:
      count(cx, tokens, 4, "priority weight port target");
      return {
        priority: uint(cx, tokens[0]!, 65535, "the SRV priority"),
        weight: uint(cx, tokens[1]!, 65535, "the SRV weight"),
        port: uint(cx, tokens[2]!, 65535, "the SRV port"),
        target: absolute(tokens[3]!.text),
      };
    case RecordType.CAA:
      return caaData(cx, tokens);
  }
  return fail(
    `records of type ${
      recordTypeName(type)
    } need the generic form: \\# <length> <hex>`,
  );
}

function count(
  cx: RdataContext,
  tokens: Token[],
  n: number,
  shape: string,
): void {
  if (tokens.length !== n) {
    cx.fail(
      `a ${
        recordTypeName(cx.type)
      } record takes ${shape}; got ${tokens.length} fields`,
    );
  }
}

function uint(
  cx: RdataContext,
  token: Token,
  max: number,
  what: string,
): number {
  if (!/^\d+$/.test(token.text) || Number(token.text) > max) {
    cx.fail(
      `${what} ${JSON.stringify(token.text)} is not a number from 0 to ${max}`,
    );
  }
  return Number(token.text);
}

/** RFC 3597 §5: `\# <length> <hex>`, for any type. */
function genericData(cx: RdataContext, tokens: Token[]): RecordData {
  const length = uint(
    cx,
    tokens[1] ?? { text: "", quoted: false },
    65535,
    "the RDATA length",
  );
  const hex = tokens.slice(2).map((t) => t.text).join("");
  if (!/^([0-9a-fA-F]{2})*$/.test(hex) || hex.length !== length * 2) {
    cx.fail(`the generic RDATA does not have ${length} bytes of hex`);
  }
  const rdata = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    rdata[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return { rdata };
}

function addressData(cx: RdataContext, tokens: Token[]): RecordData {
  count(cx, tokens, 1, "one address");
  const text = tokens[0]!.text;
  const v4 = cx.type === RecordType.A;
  if ((v4 ? parseIPv4(text) : parseIPv6(text)) === null) {
    cx.fail(`${JSON.stringify(text)} is not an IPv${v4 ? 4 : 6} address`);
  }
  return { address: text };
}

function soaData(cx: RdataContext, tokens: Token[]): RecordData {
  count(cx, tokens, 7, "mname rname serial refresh retry expire minimum");
  const time = (token: Token, what: string): number =>
    parseTTL(token.text) ??
      cx.fail(`the SOA ${what} ${JSON.stringify(token.text)} is not a time`);
  return {
    mname: cx.absolute(tokens[0]!.text),
    rname: cx.absolute(tokens[1]!.text),
    serial: uint(cx, tokens[2]!, 0xffffffff, "the SOA serial"),
    refresh: time(tokens[3]!, "refresh"),
    retry: time(tokens[4]!, "retry"),
    expire: time(tokens[5]!, "expire"),
    minimum: time(tokens[6]!, "minimum"),
  };
}

function txtData(cx: RdataContext, tokens: Token[]): RecordData {
  if (tokens.length === 0) cx.fail("a TXT record needs at least one string");
  const strings = tokens.map((token) => {
    const bytes = unescapeBytes(token.text);
    if (bytes.length > 255) {
      cx.fail(
        `a TXT string is ${bytes.length} bytes; split it into strings of at most 255`,
      );
    }
    return textDecoder.decode(bytes);
  });
  return { strings };
}

function caaData(cx: RdataContext, tokens: Token[]): RecordData {
  count(cx, tokens, 3, "flags tag value");
  const tag = tokens[1]!.text;
  if (!/^[a-zA-Z0-9]{1,255}$/.test(tag)) {
    cx.fail(`${JSON.stringify(tag)} is not a CAA tag`);
  }
  return {
    flags: uint(cx, tokens[0]!, 255, "the CAA flags"),
    tag,
    value: textDecoder.decode(unescapeBytes(tokens[2]!.text)),
  };
}
