/**
 * The demo's classic small services: daytime (RFC 867, base + 13), QOTD
 * (RFC 865, base + 17), finger (RFC 1288, base + 79) and a SOCKS 5 proxy
 * (base + 1080) that may reach the demo's own loopback services only.
 *
 * @module
 */
import { daytime as serveDaytime } from "../../protocols/wire/daytime.ts";
import { qotd as serveQotd } from "../../protocols/wire/qotd.ts";
import { fingerHandler } from "../../protocols/finger/server.ts";
import { socksHandler } from "../../protocols/socks/server.ts";
import { AccessPolicy } from "../../protocols/socks/rules.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import { type DemoService, endpointString } from "./demo_service.ts";

/**
 * Daytime: the date and time as one line.
 *
 * @example Usage
 * ```ts
 * import { daytime } from "./classics.ts";
 * console.assert(daytime.port === 13);
 * ```
 */
export const daytime: DemoService = {
  name: "daytime",
  description: "the daytime protocol (RFC 867): the UTC date and time",
  port: 13,
  tryIt: ({ hostname, port }) => [{
    command: `nc -d ${hostname} ${port}`,
    expect: String(new Date().getUTCFullYear()),
  }],
  makeService: ({ address }) =>
    new StreamServerEndpointService(
      endpointString(address),
      (conn) => serveDaytime(conn),
      { name: "daytime" },
    ),
};

/**
 * QOTD: the quote of the day.
 *
 * @example Usage
 * ```ts
 * import { qotd } from "./classics.ts";
 * console.assert(qotd.port === 17);
 * ```
 */
export const qotd: DemoService = {
  name: "qotd",
  description: "quote of the day (RFC 865)",
  port: 17,
  tryIt: ({ hostname, port }) => [{
    command: `nc -d ${hostname} ${port}`,
    expect: "apple",
  }],
  makeService: ({ address }) =>
    new StreamServerEndpointService(
      endpointString(address),
      (conn) => serveQotd(conn),
      { name: "qotd" },
    ),
};

/**
 * Finger: a plan for the user `demo`.
 *
 * @example Usage
 * ```ts
 * import { finger } from "./classics.ts";
 * console.assert(finger.port === 79);
 * ```
 */
export const finger: DemoService = {
  name: "finger",
  description: "finger (RFC 1288): try the user demo",
  port: 79,
  tryIt: ({ hostname, port }) => [{
    command: `printf 'demo\\r\\n' | nc -N ${hostname} ${port}`,
    expect: "Plan: show every protocol",
    note: "Debian's finger client always asks port 79: finger demo@host there",
  }],
  makeService: ({ address }) =>
    new StreamServerEndpointService(
      endpointString(address),
      fingerHandler({
        user: (name) =>
          name === "demo" ? "Login: demo\nPlan: show every protocol\n" : null,
        list: () => "Login\ndemo\n",
      }),
      { name: "finger" },
    ),
};

/**
 * SOCKS: a SOCKS 4/4a/5 proxy that reaches the demo's own services.
 *
 * @example Usage
 * ```ts
 * import { socks } from "./classics.ts";
 * console.assert(socks.port === 1080);
 * ```
 */
export const socks: DemoService = {
  name: "socks",
  description:
    "a SOCKS 4/4a/5 proxy (RFC 1928) that may reach this demo's services on loopback",
  port: 1080,
  tryIt: ({ hostname, port }) => [{
    command:
      `curl -s --socks5-hostname ${hostname}:${port} http://${hostname}:${
        port - 1080 + 80
      }/hello`,
    expect: "Hello from Spindle!",
  }],
  makeService: ({ address }) =>
    new StreamServerEndpointService(
      endpointString(address),
      socksHandler({
        // Names are not resolved: the demo is reached by address.
        resolver: {
          getHostByName: (name) =>
            Promise.reject(new Error(`the demo resolves no names (${name})`)),
        },
        policy: new AccessPolicy({ allow: [address.hostname] }),
      }),
      { name: "socks" },
    ),
};
