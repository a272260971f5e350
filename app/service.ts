/**
 * Twisted's `Service`: something that starts and stops with the application.
 *
 * @module
 */
import { type Deferred, succeed } from "../deferred/deferred.ts";

/**
 * What a service can be attached to (Twisted's `IServiceCollection`), such as
 * a `MultiService`. Services know their parent through this
 * interface only, so `service.ts` needs nothing of the collections built on it.
 */
export interface ServiceParent {
  /** The collection this one belongs to, if any. */
  readonly parent: ServiceParent | null;
  /** Adds `service` as a child, starting it when the collection runs. */
  addService(service: Service): Deferred<void>;
  /** Removes the child `service`, stopping it when it runs. */
  removeService(service: Service): Deferred<void>;
}

/** Thrown when a service is attached to a parent while it already has one. */
export class ServiceParentError extends Error {
  /** Creates the error with its message. */
  constructor(message: string) {
    super(message);
    this.name = "ServiceParentError";
  }
}

/**
 * A unit of an application that is started and stopped with it: a listener, a
 * timer, a connection pool. Subclasses override {@linkcode Service.startService}
 * and {@linkcode Service.stopService}, call `super`, and return a Deferred that
 * fires when the service is up (or down).
 *
 * @example Usage
 * ```ts
 * import { Service } from "@spindle/spindle/app";
 * import { type Deferred, succeed } from "@spindle/spindle/deferred";
 *
 * const events: string[] = [];
 * class Greeter extends Service {
 *   override startService(): Deferred<void> {
 *     super.startService();
 *     events.push("hello");
 *     return succeed<void>(undefined);
 *   }
 * }
 * const greeter = new Greeter();
 * await greeter.startService();
 * console.assert(greeter.running && events[0] === "hello");
 * await greeter.stopService();
 * ```
 */
export class Service {
  /** The name under which the parent finds this service (`getServiceNamed`). */
  name: string | undefined;
  /** The collection this service belongs to, if any. */
  parent: ServiceParent | null = null;
  /** Whether the service has been started and not stopped since. */
  running = false;

  /** Creates a service, optionally named. */
  constructor(name?: string) {
    this.name = name;
  }

  /**
   * Attaches this service to `parent`; when the parent is running, the
   * service is started too, and the returned Deferred fires once it is.
   *
   * @throws {ServiceParentError} When the service already has a parent.
   */
  setServiceParent(parent: ServiceParent): Deferred<void> {
    if (this.parent !== null) {
      throw new ServiceParentError(
        `Service ${
          this.name ?? "(unnamed)"
        } already has a parent: call disownServiceParent() first`,
      );
    }
    return parent.addService(this);
  }

  /**
   * Detaches this service from its parent, stopping it if it runs; the
   * Deferred fires once it has stopped.
   */
  disownServiceParent(): Deferred<void> {
    const parent = this.parent;
    if (parent === null) return succeed<void>(undefined);
    return parent.removeService(this);
  }

  /** Marks the service running; overrides add what starting means. */
  startService(): Deferred<void> {
    this.running = true;
    return succeed<void>(undefined);
  }

  /**
   * The first phase of a graceful stop: stop taking new work (a listener
   * closes its port) without dropping the work in progress. The default does
   * nothing; {@linkcode Application} calls it on the whole tree before
   * {@linkcode Service.stopService}.
   */
  stopAccepting(): Deferred<void> {
    return succeed<void>(undefined);
  }

  /** Marks the service stopped; overrides add what stopping means. */
  stopService(): Deferred<void> {
    this.running = false;
    return succeed<void>(undefined);
  }
}
