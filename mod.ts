/**
 * Spindle: a Deno-first networking toolkit with the ideas of Python's Twisted,
 * made of web-platform parts.
 *
 * This root module re-exports the everyday API: {@linkcode Deferred} and its
 * helpers, the reactor (listeners, connections, timers, endpoints, the
 * Twisted-style `Protocol` / `Factory`), the basic framings, the services of
 * `app` and the logger. It loads no other protocol: each protocol package has
 * its own entry point, so you import only what you use:
 *
 * | entry point | what it holds |
 * | --- | --- |
 * | `@spindle/spindle/log` | the structured logger |
 * | `@spindle/spindle/deferred` | `Deferred`, `DeferredList`, locks, queues |
 * | `@spindle/spindle/reactor` | the reactor, connections, TLS, UDP, endpoints, `Protocol` / `Factory` |
 * | `@spindle/spindle/cred` | user files, checkers, portal, login attempt limits |
 * | `@spindle/spindle/protocols/basic` | line, netstring and length-prefixed framings and receivers |
 * | `@spindle/spindle/protocols/amp` | Twisted's Asynchronous Messaging Protocol |
 * | `@spindle/spindle/protocols/http` | HTTP/1.1 server and client |
 * | `@spindle/spindle/protocols/dns` | DNS codec, authoritative server, resolver |
 * | `@spindle/spindle/protocols/wire` | small standard services: echo |
 * | `@spindle/spindle/app` | services, applications, the plugin contract of the runner |
 * | `@spindle/spindle/app/cli` | the `spindle` runner |
 * | `@spindle/spindle/trial` | the test harness |
 *
 * @example A line echo server in the stream style
 * ```ts ignore
 * import { frame, LineCodec, reactor } from "@spindle/spindle";
 *
 * await reactor.listenTCP(8000, async (conn) => {
 *   const { readable, writable } = frame(conn, new LineCodec());
 *   await readable.pipeTo(writable);
 * }, { interface: "127.0.0.1" });
 * ```
 *
 * @module
 */
export * from "./deferred/mod.ts";
export * from "./reactor/mod.ts";
export * from "./protocols/basic/mod.ts";
export * from "./app/mod.ts";
export * from "./log/mod.ts";
