/**
 * The SFTP version 3 wire format (draft-ietf-secsh-filexfer-02): packet
 * types, status codes, open flags, file attributes, and the framing of
 * SFTP packets over a channel's byte stream.
 *
 * @module
 */
import { SSHProtocolError } from "./errors.ts";
import { MAX_SFTP_MESSAGE } from "./limits.ts";
import type { SSHReader, SSHWriter } from "./wire.ts";

/**
 * SFTP packet types (draft-ietf-secsh-filexfer-02 §3).
 *
 * @example Usage
 * ```ts
 * import { FXP } from "@spindle/spindle/protocols/ssh";
 * console.assert(FXP.OPEN === 3);
 * ```
 */
export const FXP = {
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  REALPATH: 16,
  STAT: 17,
  RENAME: 18,
  READLINK: 19,
  SYMLINK: 20,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED: 200,
  EXTENDED_REPLY: 201,
} as const;

/**
 * SFTP status codes (draft-ietf-secsh-filexfer-02 §7).
 *
 * @example Usage
 * ```ts
 * import { FX } from "@spindle/spindle/protocols/ssh";
 * console.assert(FX.NO_SUCH_FILE === 2);
 * ```
 */
export const FX = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  OP_UNSUPPORTED: 8,
} as const;

/**
 * SFTP open flags (draft-ietf-secsh-filexfer-02 §6.3).
 *
 * @example Usage
 * ```ts
 * import { OPEN_FLAGS } from "@spindle/spindle/protocols/ssh";
 * console.assert(OPEN_FLAGS.CREAT === 8);
 * ```
 */
export const OPEN_FLAGS = {
  READ: 1,
  WRITE: 2,
  APPEND: 4,
  CREAT: 8,
  TRUNC: 0x10,
  EXCL: 0x20,
} as const;

const ATTR_SIZE = 1;
const ATTR_UIDGID = 2;
const ATTR_PERMISSIONS = 4;
const ATTR_ACMODTIME = 8;
const ATTR_EXTENDED = 0x80000000;

/**
 * File attributes (draft-ietf-secsh-filexfer-02 §5); each field only when
 * known. `permissions` holds the POSIX file-type bits too, as OpenSSH's do.
 *
 * @example Usage
 * ```ts
 * import type { SFTPAttributes } from "@spindle/spindle/protocols/ssh";
 * const attrs: SFTPAttributes = { size: 10, permissions: 0o100644 };
 * console.assert((attrs.permissions! & 0o170000) === 0o100000);
 * ```
 */
export interface SFTPAttributes {
  /** Size in bytes. */
  size?: number;
  /** Owner's user id. */
  uid?: number;
  /** Owner's group id. */
  gid?: number;
  /** Mode bits: file type and permissions. */
  permissions?: number;
  /** Last access, in seconds since the epoch. */
  atime?: number;
  /** Last modification, in seconds since the epoch. */
  mtime?: number;
}

/**
 * Appends `attrs` to `writer` in the wire format.
 *
 * @example Usage
 * ```ts
 * import { readAttributes, SSHReader, SSHWriter, writeAttributes } from "@spindle/spindle/protocols/ssh";
 * const bytes = writeAttributes(new SSHWriter(), { size: 5 }).finish();
 * console.assert(readAttributes(new SSHReader(bytes)).size === 5);
 * ```
 */
export function writeAttributes(
  writer: SSHWriter,
  attrs: SFTPAttributes,
): SSHWriter {
  let flags = 0;
  if (attrs.size !== undefined) flags |= ATTR_SIZE;
  if (attrs.uid !== undefined && attrs.gid !== undefined) flags |= ATTR_UIDGID;
  if (attrs.permissions !== undefined) flags |= ATTR_PERMISSIONS;
  if (attrs.atime !== undefined && attrs.mtime !== undefined) {
    flags |= ATTR_ACMODTIME;
  }
  writer.uint32(flags);
  if (flags & ATTR_SIZE) writer.uint64(attrs.size!);
  if (flags & ATTR_UIDGID) writer.uint32(attrs.uid!).uint32(attrs.gid!);
  if (flags & ATTR_PERMISSIONS) writer.uint32(attrs.permissions!);
  if (flags & ATTR_ACMODTIME) writer.uint32(attrs.atime!).uint32(attrs.mtime!);
  return writer;
}

/**
 * Reads attributes in the wire format (extended pairs are skipped).
 *
 * @example Usage
 * ```ts
 * import { readAttributes, SSHReader } from "@spindle/spindle/protocols/ssh";
 * console.assert(readAttributes(new SSHReader(new Uint8Array(4))).size === undefined);
 * ```
 */
export function readAttributes(reader: SSHReader): SFTPAttributes {
  const flags = reader.uint32();
  const attrs: SFTPAttributes = {};
  if (flags & ATTR_SIZE) attrs.size = reader.uint64();
  if (flags & ATTR_UIDGID) {
    attrs.uid = reader.uint32();
    attrs.gid = reader.uint32();
  }
  if (flags & ATTR_PERMISSIONS) attrs.permissions = reader.uint32();
  if (flags & ATTR_ACMODTIME) {
    attrs.atime = reader.uint32();
    attrs.mtime = reader.uint32();
  }
  if (flags & ATTR_EXTENDED) {
    for (let count = reader.uint32(); count > 0; count--) {
      reader.bytes();
      reader.bytes();
    }
  }
  return attrs;
}

/**
 * Splits a byte stream into SFTP packets (without their length field),
 * refusing any over {@linkcode MAX_SFTP_MESSAGE}.
 *
 * @example Usage
 * ```ts
 * import { readSFTPPackets } from "@spindle/spindle/protocols/ssh";
 * const stream = ReadableStream.from([new Uint8Array([0, 0, 0, 1, 1])]);
 * for await (const packet of readSFTPPackets(stream)) console.assert(packet[0] === 1);
 * ```
 */
export async function* readSFTPPackets(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let buffer: Uint8Array = new Uint8Array(0);
  for await (const chunk of stream) {
    if (buffer.length === 0) buffer = chunk;
    else {
      const joined = new Uint8Array(buffer.length + chunk.length);
      joined.set(buffer);
      joined.set(chunk, buffer.length);
      buffer = joined;
    }
    let at = 0;
    while (buffer.length - at >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset + at, 4)
        .getUint32(0);
      if (length > MAX_SFTP_MESSAGE || length === 0) {
        throw new SSHProtocolError(
          `an SFTP packet of ${length} bytes is outside 1..${MAX_SFTP_MESSAGE}`,
        );
      }
      if (buffer.length - at < 4 + length) break;
      yield buffer.subarray(at + 4, at + 4 + length);
      at += 4 + length;
    }
    buffer = buffer.subarray(at);
  }
  if (buffer.length > 0) {
    throw new SSHProtocolError(
      "the SFTP stream ended in the middle of a packet",
    );
  }
}

/**
 * An SFTP packet: the length field, then `body`.
 *
 * @example Usage
 * ```ts
 * import { frameSFTP, SSHWriter } from "@spindle/spindle/protocols/ssh";
 * console.assert(frameSFTP(new SSHWriter().byte(1).uint32(3)).length === 9);
 * ```
 */
export function frameSFTP(body: SSHWriter): Uint8Array {
  const bytes = body.finish();
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}
