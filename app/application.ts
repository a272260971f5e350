/**
 * The root service of a program run by `spindle run`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { MultiService } from "./multi_service.ts";

/** Options for {@linkcode Application}. */
export interface ApplicationOptions {
  /**
   * Milliseconds that in-flight connections get to finish when the
   * application stops, before they are cut; default 10000. The CLI's
   * `--shutdown-timeout` overrides it.
   */
  shutdownTimeout?: number;
}

/**
 * The root of a program's services (Twisted's `Application`). A module given
 * to `spindle run` exports one as `application`; the runner starts it, and on
 * SIGTERM or SIGINT stops it (listeners first, then the drain deadline for
 * connections still open).
 *
 * @example Usage
 * ```ts
 * import { Application, Service } from "@spindle/spindle/app";
 * export const application = new Application("demo");
 * new Service("worker").setServiceParent(application);
 * await application.startService();
 * await application.stopService();
 * ```
 */
export class Application extends MultiService {
  /** How long connections get to drain on stop, in milliseconds. */
  shutdownTimeout: number;

  /** Creates the application with its name. */
  constructor(name: string, options: ApplicationOptions = {}) {
    super(name);
    this.shutdownTimeout = options.shutdownTimeout ?? 10_000;
  }

  /**
   * Stops in two phases: every service stops accepting new work first (all
   * listeners close), then the services stop in reverse order, connections
   * draining until the shutdown deadline.
   */
  override stopService(): Deferred<void> {
    return Deferred.fromPromise(this.#stop());
  }

  async #stop(): Promise<void> {
    try {
      await this.stopAccepting();
    } finally {
      await super.stopService();
    }
  }
}
