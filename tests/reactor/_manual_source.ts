import { Deferred } from "../../deferred/deferred.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import type { ConnectionSource } from "../../reactor/protocol_interfaces.ts";

/** A connection source whose attempts the test settles by hand. */
export class ManualSource implements ConnectionSource {
  /** Every attempt so far, oldest first. */
  attempts: Deferred<Connection>[] = [];

  connect(): Deferred<Connection> {
    const attempt = new Deferred<Connection>();
    this.attempts.push(attempt);
    return attempt;
  }

  /** Fails the latest attempt as a refused connection. */
  refuseLatest(): void {
    this.attempts.at(-1)!.errback(new ConnectionRefusedError("127.0.0.1", 1));
  }
}
