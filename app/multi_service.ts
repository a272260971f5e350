/**
 * Twisted's `MultiService`: a service made of child services.
 *
 * @module
 */
import { Deferred, succeed } from "../deferred/deferred.ts";
import { Service, type ServiceParent } from "./service.ts";

/** Thrown when a second child with the same name is added to a {@linkcode MultiService}. */
export class DuplicateServiceNameError extends Error {
  /** Creates the error for the duplicated `name`. */
  constructor(name: string) {
    super(
      `A service named "${name}" is already in this collection: give the new one another name`,
    );
    this.name = "DuplicateServiceNameError";
  }
}

/**
 * A service that starts its children in the order they were added (each one
 * after the previous has started) and stops them in reverse order (each one
 * after the next has stopped), so a listener added after the database it uses
 * stops before it. A child added while the collection runs starts at once.
 *
 * If a child fails to start, the children already started are stopped again
 * and `startService()` fails with the child's error. If children fail to
 * stop, the others are still stopped and `stopService()` fails at the end
 * (with an `AggregateError` when several failed).
 *
 * @example Usage
 * ```ts
 * import { MultiService, Service } from "@spindle/spindle/app";
 * const app = new MultiService();
 * new Service("db").setServiceParent(app);
 * new Service("web").setServiceParent(app);
 * await app.startService();
 * console.assert(app.getServiceNamed("web")?.running);
 * await app.stopService();
 * ```
 */
export class MultiService extends Service
  implements ServiceParent, Iterable<Service> {
  #services: Service[] = [];

  /** The children, in the order they were added. */
  [Symbol.iterator](): Iterator<Service> {
    return this.#services[Symbol.iterator]();
  }

  /** The child named `name`, if there is one. */
  getServiceNamed(name: string): Service | undefined {
    return this.#services.find((service) => service.name === name);
  }

  /**
   * Adds `service` as a child (starting it when this collection runs).
   * Prefer `service.setServiceParent(collection)`, which calls this.
   *
   * @throws {DuplicateServiceNameError} When a child already has the service's name.
   */
  addService(service: Service): Deferred<void> {
    if (
      service.name !== undefined &&
      this.getServiceNamed(service.name) !== undefined
    ) {
      throw new DuplicateServiceNameError(service.name);
    }
    service.parent = this;
    this.#services.push(service);
    return this.running ? service.startService() : succeed<void>(undefined);
  }

  /** Removes the child `service`, stopping it when it runs. */
  removeService(service: Service): Deferred<void> {
    const index = this.#services.indexOf(service);
    if (index === -1) return succeed<void>(undefined);
    this.#services.splice(index, 1);
    service.parent = null;
    return service.running ? service.stopService() : succeed<void>(undefined);
  }

  /** Starts every child in order; see the class description for failures. */
  override startService(): Deferred<void> {
    super.startService();
    return Deferred.fromPromise(this.#startChildren());
  }

  async #startChildren(): Promise<void> {
    const started: Service[] = [];
    for (const service of [...this.#services]) {
      try {
        await service.startService();
      } catch (error) {
        await this.#stopChildren(started.reverse()).catch(() => {});
        super.stopService();
        throw error;
      }
      started.push(service);
    }
  }

  /** Asks every running child, in reverse order, to stop accepting new work. */
  override stopAccepting(): Deferred<void> {
    return Deferred.fromPromise(this.#stopAcceptingChildren());
  }

  async #stopAcceptingChildren(): Promise<void> {
    for (const service of [...this.#services].reverse()) {
      if (service.running) await service.stopAccepting();
    }
  }

  /** Stops every running child in reverse order; see the class description for failures. */
  override stopService(): Deferred<void> {
    super.stopService();
    return Deferred.fromPromise(
      this.#stopChildren([...this.#services].reverse()),
    );
  }

  async #stopChildren(services: Service[]): Promise<void> {
    const errors: unknown[] = [];
    for (const service of services) {
      if (!service.running) continue;
      try {
        await service.stopService();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      throw new AggregateError(
        errors,
        `${errors.length} services failed to stop`,
      );
    }
  }
}
