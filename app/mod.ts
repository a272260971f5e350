/**
 * Services and the application model (Twisted's `twisted.application`):
 * {@linkcode Service}, {@linkcode MultiService}, {@linkcode Application},
 * and services that listen on endpoint strings. The structured logger is in
 * `@spindle/spindle/log`; the `spindle` command line is `app/cli.ts`.
 *
 * @example Usage
 * ```ts
 * import { Application, Service } from "@spindle/spindle/app";
 * const application = new Application("demo");
 * new Service("db").setServiceParent(application);
 * await application.startService();
 * await application.stopService();
 * ```
 *
 * @module
 */
export * from "./service.ts";
export * from "./multi_service.ts";
export * from "./application.ts";
export * from "./endpoint_service.ts";
export * from "./datagram_service.ts";
export * from "./timer_service.ts";
export * from "./workers.ts";
export * from "./daemon.ts";
export * from "./self_command.ts";
export * from "./plugins/echo.ts";
export * from "./plugins/web.ts";
export * from "./runner.ts";
export * from "./options.ts";
export * from "./plugin.ts";
export * from "./pidfile.ts";
export * from "./logging_setup.ts";
