/**
 * SSH (Twisted's `twisted.conch`), wire-compatible with OpenSSH.
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./wire.ts";
export * from "./cipher.ts";
export * from "./packet.ts";
export * from "./keys.ts";
export * from "./kex.ts";
export * from "./transport.ts";
export * from "./connection.ts";
export * from "./session.ts";
export * from "./command_session.ts";
export * from "./server.ts";
export * from "./serve.ts";
export * from "./known_hosts.ts";
export * from "./client.ts";
export * from "./sftp_wire.ts";
export * from "./sftp_server.ts";
export * from "./sftp_client.ts";
export * from "./manhole.ts";
