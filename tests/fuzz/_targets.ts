// Every parser Spindle has, as a fuzz target. A protocol that adds a parser
// adds its target here and its captured seeds under corpus/<name>/.
import type { DecoderCore } from "../../reactor/codec.ts";
import { concatChunks } from "../../reactor/bytes.ts";
import { ProtocolError } from "../../reactor/errors.ts";
import {
  LengthPrefixedDecoderCore,
  LengthPrefixedEncoderCore,
  LineDecoderCore,
  LineEncoderCore,
  NetstringDecoderCore,
  NetstringEncoderCore,
} from "../../protocols/basic/mod.ts";
import { RequestCore, ResponseCore } from "../../protocols/http/mod.ts";
import { BoxDecoderCore, encodeBox } from "../../protocols/amp/mod.ts";
import {
  decodeMessage,
  encodeMessage,
  parseZone,
  ZoneFileError,
} from "../../protocols/dns/mod.ts";
import {
  IRCDecoderCore,
  IRCEncoderCore,
  type IRCMessage,
  MAX_LINE_BYTES,
  MAX_TAG_BYTES,
} from "../../protocols/irc/mod.ts";
import {
  type IMAPFrame,
  IMAPFrameDecoderCore,
  parseIMAPTokens,
} from "../../protocols/imap/mod.ts";
import {
  bodyStructure,
  envelope,
  parseMessage,
  parseSection,
  sectionBytes,
} from "../../protocols/imap/_mime.ts";
import {
  encodeFrame,
  type Frame,
  FrameDecoderCore,
} from "../../protocols/websocket/mod.ts";
import {
  decodeProxyHeader,
  encodeProxyHeader,
} from "../../protocols/haproxy/mod.ts";
import {
  MAX_LINE_LENGTH as SMTP_MAX_LINE,
  SMTPReplyCore,
  SMTPServerCore,
  type SMTPServerInput,
} from "../../protocols/smtp/mod.ts";
import {
  type Frame as H2Frame,
  FrameDecoderCore as H2FrameDecoderCore,
  FrameType as H2FrameType,
  HPACKDecoder,
  parseSettings,
  unpad,
} from "../../protocols/http2/mod.ts";
import type { FuzzTarget } from "./_harness.ts";

/**
 * A thrown value that is not a `ProtocolError` but says a core kept more than
 * its limit in memory: the harness counts it as a crash.
 */
class BufferedTooMuchError extends Error {}

/**
 * A target over a decoder core. After the pieces, it either ends the input
 * (truncation errors) or takes back the undecoded rest and checks it is within
 * `maxBuffered` (memory held for an incomplete message stays under the limit).
 */
export function coreTarget<V>(
  name: string,
  makeCore: () => DecoderCore<V>,
  options: {
    maxBuffered: number;
    encode?: (value: V) => Uint8Array;
    seeds?: readonly Uint8Array[];
  },
): FuzzTarget<V> {
  let ends = 0;
  return {
    name,
    seeds: options.seeds,
    encode: options.encode,
    isTypedError: (error) => error instanceof ProtocolError,
    parse(pieces) {
      const core = makeCore();
      const out: V[] = [];
      for (const piece of pieces) core.decode(piece, out);
      if (ends++ % 2 === 0) {
        core.end(out);
      } else {
        const rest = core.release();
        if (rest.length > options.maxBuffered) {
          throw new BufferedTooMuchError(
            `${name} kept ${rest.length} bytes of an incomplete message, over its limit of ${options.maxBuffered}`,
          );
        }
      }
      return out;
    },
  };
}

const text = new TextEncoder();
const MAX_LINE = 1024;
const MAX_FRAME = 4096;
const HTTP_LIMITS = {
  maxHeaderBytes: 4096,
  maxHeaderCount: 32,
  maxChunkLineBytes: 256,
  maxBodySize: 1 << 20,
};
// What an HTTP core may hold of an unfinished message: a head up to its limit
// (and the chunk of bytes that overflowed it), or a chunk-size line.
const HTTP_MAX_BUFFERED = HTTP_LIMITS.maxHeaderBytes + (1 << 16);
const CHUNKED_HEAD = text.encode(
  "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
);

/** Every target, by name. */
export const TARGETS: FuzzTarget[] = [
  coreTarget(
    "lines",
    () => new LineDecoderCore({ maxLength: MAX_LINE }),
    {
      maxBuffered: MAX_LINE + 1,
      encode: (line) => new LineEncoderCore().encode(line),
      seeds: [text.encode("HELO a\r\nMAIL FROM:<b>\r\n\r\nQUIT\r\n")],
    },
  ) as FuzzTarget,
  coreTarget(
    "netstrings",
    () => new NetstringDecoderCore({ maxLength: MAX_FRAME }),
    {
      maxBuffered: MAX_FRAME + 16,
      encode: (payload) => new NetstringEncoderCore().encode(payload),
      seeds: [text.encode("5:hello,0:,3:abc,")],
    },
  ) as FuzzTarget,
  ...([1, 2, 4] as const).map((prefixLength) =>
    coreTarget(
      `int${8 * prefixLength}`,
      () =>
        new LengthPrefixedDecoderCore({ prefixLength, maxLength: MAX_FRAME }),
      {
        maxBuffered: MAX_FRAME + prefixLength,
        encode: (payload) =>
          new LengthPrefixedEncoderCore({ prefixLength }).encode(payload),
        seeds: [
          new LengthPrefixedEncoderCore({ prefixLength }).encode("hello"),
        ],
      },
    ) as FuzzTarget
  ),
  coreTarget("http-request", () => new RequestCore(HTTP_LIMITS), {
    maxBuffered: HTTP_MAX_BUFFERED,
  }) as FuzzTarget,
  coreTarget("http-response", () => {
    const core = new ResponseCore(HTTP_LIMITS);
    for (const method of ["GET", "GET", "HEAD", "GET"]) {
      core.expectResponseTo(method);
    }
    return core;
  }, { maxBuffered: HTTP_MAX_BUFFERED }) as FuzzTarget,
  // The chunked body decoder, behind a fixed request head: the corpus holds
  // bodies only, so every mutation lands in the chunked framing.
  ((): FuzzTarget => {
    const requests = coreTarget(
      "http-chunked",
      () => new RequestCore(HTTP_LIMITS),
      { maxBuffered: HTTP_MAX_BUFFERED },
    );
    return {
      ...requests,
      parse: (pieces) => requests.parse([CHUNKED_HEAD, ...pieces]),
    } as FuzzTarget;
  })(),
  coreTarget("amp-boxes", () => new BoxDecoderCore(), {
    maxBuffered: 2 + 255 + 2 + 65535 + 16,
    encode: encodeBox,
  }) as FuzzTarget,
  {
    name: "dns-wire",
    isTypedError: (error) => error instanceof ProtocolError,
    parse: (pieces) => [decodeMessage(concatChunks(pieces))],
    encode: (message) =>
      encodeMessage(message as ReturnType<typeof decodeMessage>),
  },
  {
    name: "zone-file",
    isTypedError: (error) => error instanceof ZoneFileError,
    parse: (pieces) => [
      parseZone(new TextDecoder().decode(concatChunks(pieces)), {
        origin: "example.org",
        maxRecords: 10_000,
      }),
    ],
  },
  ...([true, false] as const).map((server) =>
    coreTarget(
      server ? "imap-commands" : "imap-responses",
      () => imapCore(server),
      {
        // A line up to its limit; a literal's bytes are counted by its size.
        maxBuffered: MAX_LINE,
      },
    ) as FuzzTarget
  ),
  {
    // The MIME structure behind FETCH: lenient by design, so any error at
    // all is a crash.
    name: "imap-mime",
    isTypedError: () => false,
    parse: (pieces) => {
      const message = parseMessage(concatChunks(pieces));
      const out: unknown[] = [
        envelope(message.root),
        bodyStructure(message, message.root, true),
      ];
      for (
        const spec of [
          "",
          "HEADER",
          "TEXT",
          "1",
          "2.HEADER",
          "2.1",
          "1.MIME",
          "HEADER.FIELDS (FROM)",
        ]
      ) {
        out.push(sectionBytes(message, parseSection(spec)!));
      }
      return out;
    },
  },
  coreTarget("irc", () => new IRCDecoderCore(), {
    // A partial line: tags and line up to their limits (less the CR LF),
    // and the CR that may yet end it.
    maxBuffered: MAX_TAG_BYTES + MAX_LINE_BYTES,
    encode: (message: IRCMessage) => new IRCEncoderCore().encode(message),
  }) as FuzzTarget,
  // WebSocket frames as a server reads them (masked), whole frames buffered
  // up to the frame limit.
  coreTarget(
    "websocket-frames",
    () => new FrameDecoderCore({ role: "server", maxFrameSize: MAX_FRAME }),
    {
      maxBuffered: MAX_FRAME + 14,
      encode: (frame: Frame) =>
        encodeFrame(frame.opcode, frame.payload, {
          fin: frame.fin,
          rsv1: frame.rsv1,
          mask: true,
        }),
    },
  ) as FuzzTarget,
  {
    name: "proxy-headers",
    isTypedError: (error) => error instanceof ProtocolError,
    parse: (pieces) => {
      const decoded = decodeProxyHeader(concatChunks(pieces));
      return decoded === null ? [] : [decoded.header];
    },
    seeds: [encodeProxyHeader({ command: "LOCAL" })],
  },
  coreTarget("smtp-commands", smtpServerCore, {
    maxBuffered: SMTP_MAX_LINE,
  }) as FuzzTarget,
  coreTarget("smtp-replies", () => new SMTPReplyCore(), {
    maxBuffered: SMTP_MAX_LINE,
  }) as FuzzTarget,
  // HTTP/2: the frame core and the payload parsers the connection applies
  // before any state (padding, SETTINGS); at most one unfinished frame held.
  coreTarget("http2-frames", h2FrameCore, {
    maxBuffered: 9 + 16384,
  }) as FuzzTarget,
  // HPACK: the whole input is one header block, so indexed fields reach the
  // dynamic table entries earlier ones added; the table and the header list
  // are bounded by the decoder's limits.
  {
    name: "hpack",
    isTypedError: (error) => error instanceof ProtocolError,
    parse: (pieces) =>
      new HPACKDecoder({ maxTableSize: 4096, maxHeaderListSize: 16384 })
        .decode(concatChunks(pieces)),
  },
];

function h2FrameCore(): DecoderCore<H2Frame> {
  const core = new H2FrameDecoderCore({ maxFrameSize: 16384 });
  const payloads = (frames: H2Frame[], from: number) => {
    for (let i = from; i < frames.length; i++) {
      const frame = frames[i]!;
      if (frame.type === H2FrameType.SETTINGS) parseSettings(frame.payload);
      if (
        frame.type === H2FrameType.DATA ||
        frame.type === H2FrameType.HEADERS ||
        frame.type === H2FrameType.PUSH_PROMISE
      ) unpad(frame);
    }
  };
  return {
    decode(chunk, out, max) {
      const from = out.length;
      core.decode(chunk, out, max);
      payloads(out, from);
    },
    end(out) {
      const from = out.length;
      core.end(out);
      payloads(out, from);
    },
    release: () => core.release(),
  };
}

// SMTP's server core, switched to message data after DATA and BDAT as the
// server switches it, so mutations reach dot-unstuffing and chunks too.
function smtpServerCore(): DecoderCore<SMTPServerInput> {
  const core = new SMTPServerCore();
  return {
    decode(chunk, out, max) {
      let from = out.length;
      core.decode(chunk, out, 1);
      const empty = new Uint8Array(0);
      for (let n = 1; n < (max ?? Infinity) && out.length > from; n++) {
        const input = out[out.length - 1]!;
        if (input.kind === "command") {
          const bdat = /^BDAT ([0-9]{1,6})/i.exec(input.line);
          if (/^DATA$/i.test(input.line)) core.startData();
          else if (bdat !== null) core.startChunk(Number(bdat[1]));
        }
        from = out.length;
        core.decode(empty, out, 1);
      }
    },
    end: (out) => core.end(out),
    release: () => core.release(),
  };
}

// IMAP: the frame core, and the tokens of each line it cuts.
function imapCore(server: boolean): DecoderCore<unknown> {
  const limits = {
    maxLineLength: MAX_LINE,
    maxLiteralSize: MAX_FRAME,
    maxDepth: 8,
    maxItems: 256,
  };
  const core = new IMAPFrameDecoderCore({ ...limits, server });
  const tokens = (frames: IMAPFrame[], out: unknown[]) => {
    for (const frame of frames) {
      out.push(
        frame.kind === "line" ? parseIMAPTokens(frame.parts, limits) : frame,
      );
    }
  };
  return {
    decode(chunk, out, max) {
      const frames: IMAPFrame[] = [];
      core.decode(chunk, frames, max);
      tokens(frames, out);
    },
    end(out) {
      const frames: IMAPFrame[] = [];
      core.end(frames);
      tokens(frames, out);
    },
    release: () => core.release(),
  };
}
