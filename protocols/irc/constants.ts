/**
 * IRC's wire constants: the well-known ports, the named numeric replies and
 * CTCP's delimiter.
 *
 * @module
 */

/**
 * The usual plain-text IRC port: 6667.
 *
 * @example Usage
 * ```ts
 * import { IRC_PORT } from "@spindle/spindle/protocols/irc";
 * console.assert(IRC_PORT === 6667);
 * ```
 */
export const IRC_PORT = 6667;

/**
 * The IRC-over-TLS port: 6697 (RFC 7194).
 *
 * @example Usage
 * ```ts
 * import { IRCS_PORT } from "@spindle/spindle/protocols/irc";
 * console.assert(IRCS_PORT === 6697);
 * ```
 */
export const IRCS_PORT = 6697;

/**
 * The numeric replies by name (RFC 1459, RFC 2812, IRCv3 and the modern IRC
 * documents), as the three-digit strings that go on the wire.
 *
 * @example Usage
 * ```ts
 * import { Numeric } from "@spindle/spindle/protocols/irc";
 * console.assert(Numeric.RPL_WELCOME === "001");
 * console.assert(Numeric.ERR_NICKNAMEINUSE === "433");
 * ```
 */
export const Numeric = {
  RPL_WELCOME: "001",
  RPL_YOURHOST: "002",
  RPL_CREATED: "003",
  RPL_MYINFO: "004",
  RPL_ISUPPORT: "005",
  RPL_UMODEIS: "221",
  RPL_LUSERCLIENT: "251",
  RPL_LUSEROP: "252",
  RPL_LUSERUNKNOWN: "253",
  RPL_LUSERCHANNELS: "254",
  RPL_LUSERME: "255",
  RPL_AWAY: "301",
  RPL_USERHOST: "302",
  RPL_UNAWAY: "305",
  RPL_NOWAWAY: "306",
  RPL_WHOISUSER: "311",
  RPL_WHOISSERVER: "312",
  RPL_WHOISOPERATOR: "313",
  RPL_ENDOFWHO: "315",
  RPL_WHOISIDLE: "317",
  RPL_ENDOFWHOIS: "318",
  RPL_WHOISCHANNELS: "319",
  RPL_LISTSTART: "321",
  RPL_LIST: "322",
  RPL_LISTEND: "323",
  RPL_CHANNELMODEIS: "324",
  RPL_CREATIONTIME: "329",
  RPL_WHOISACCOUNT: "330",
  RPL_NOTOPIC: "331",
  RPL_TOPIC: "332",
  RPL_TOPICWHOTIME: "333",
  RPL_INVITING: "341",
  RPL_WHOREPLY: "352",
  RPL_NAMREPLY: "353",
  RPL_ENDOFNAMES: "366",
  RPL_BANLIST: "367",
  RPL_ENDOFBANLIST: "368",
  RPL_MOTD: "372",
  RPL_MOTDSTART: "375",
  RPL_ENDOFMOTD: "376",
  ERR_NOSUCHNICK: "401",
  ERR_NOSUCHSERVER: "402",
  ERR_NOSUCHCHANNEL: "403",
  ERR_CANNOTSENDTOCHAN: "404",
  ERR_TOOMANYCHANNELS: "405",
  ERR_NOORIGIN: "409",
  ERR_INVALIDCAPCMD: "410",
  ERR_NORECIPIENT: "411",
  ERR_NOTEXTTOSEND: "412",
  ERR_INPUTTOOLONG: "417",
  ERR_UNKNOWNCOMMAND: "421",
  ERR_NOMOTD: "422",
  ERR_NONICKNAMEGIVEN: "431",
  ERR_ERRONEUSNICKNAME: "432",
  ERR_NICKNAMEINUSE: "433",
  ERR_USERNOTINCHANNEL: "441",
  ERR_NOTONCHANNEL: "442",
  ERR_USERONCHANNEL: "443",
  ERR_NOTREGISTERED: "451",
  ERR_NEEDMOREPARAMS: "461",
  ERR_ALREADYREGISTERED: "462",
  ERR_PASSWDMISMATCH: "464",
  ERR_KEYSET: "467",
  ERR_CHANNELISFULL: "471",
  ERR_UNKNOWNMODE: "472",
  ERR_INVITEONLYCHAN: "473",
  ERR_BADCHANNELKEY: "475",
  ERR_BADCHANMASK: "476",
  ERR_CHANOPRIVSNEEDED: "482",
  ERR_UMODEUNKNOWNFLAG: "501",
  ERR_USERSDONTMATCH: "502",
  RPL_LOGGEDIN: "900",
  RPL_LOGGEDOUT: "901",
  RPL_SASLSUCCESS: "903",
  ERR_SASLFAIL: "904",
  ERR_SASLTOOLONG: "905",
  ERR_SASLABORTED: "906",
  ERR_SASLALREADY: "907",
  RPL_SASLMECHS: "908",
} as const;

/**
 * A numeric reply's name, such as `"RPL_WELCOME"`.
 *
 * @example Usage
 * ```ts
 * import type { NumericName } from "@spindle/spindle/protocols/irc";
 * const name: NumericName = "ERR_NICKNAMEINUSE";
 * console.assert(name.startsWith("ERR_"));
 * ```
 */
export type NumericName = keyof typeof Numeric;

const NAMES: ReadonlyMap<string, NumericName> = new Map(
  Object.entries(Numeric).map(([name, code]) => [code, name as NumericName]),
);

/**
 * The name of a numeric reply (`"001"` → `"RPL_WELCOME"`), or `undefined`
 * for a code this table does not know.
 *
 * @example Usage
 * ```ts
 * import { numericName } from "@spindle/spindle/protocols/irc";
 * console.assert(numericName("433") === "ERR_NICKNAMEINUSE");
 * ```
 */
export function numericName(code: string): NumericName | undefined {
  return NAMES.get(code);
}

/**
 * The byte that starts and ends a CTCP message inside a PRIVMSG or NOTICE
 * (`\x01`).
 *
 * @example Usage
 * ```ts
 * import { CTCP_DELIMITER } from "@spindle/spindle/protocols/irc";
 * console.assert(CTCP_DELIMITER === "\x01");
 * ```
 */
export const CTCP_DELIMITER = "\x01";
