/**
 * The interface of a service that can say where it listens, so that the
 * runner can announce it (`listening on 127.0.0.1:8080`).
 *
 * @module
 */
import type { Address } from "../reactor/interfaces.ts";

/**
 * A service that listens and can say where (the endpoint services, DNS).
 *
 * @example Usage
 * ```ts
 * import { type ListeningService, Service } from "@spindle/spindle/app";
 * class Fixed extends Service implements ListeningService {
 *   listeningAddresses() {
 *     return [{ transport: "tcp" as const, hostname: "127.0.0.1", port: 7 }];
 *   }
 * }
 * console.assert(new Fixed().listeningAddresses().length === 1);
 * ```
 */
export interface ListeningService {
  /** The bound addresses (with real port numbers once started). */
  listeningAddresses(): Address[];
}
