import { type Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { Service } from "../../app/mod.ts";

/** A service that writes what happens to it into a shared journal. */
export class RecordingService extends Service {
  journal: string[];
  startGate: Deferred<void> | undefined;
  stopGate: Deferred<void> | undefined;
  startError: Error | undefined;
  stopError: Error | undefined;

  constructor(name: string, journal: string[]) {
    super(name);
    this.journal = journal;
  }

  override startService(): Deferred<void> {
    super.startService();
    this.journal.push(`start ${this.name}`);
    if (this.startError) {
      this.running = false;
      return fail(this.startError);
    }
    return this.startGate ?? succeed<void>(undefined);
  }

  override stopAccepting(): Deferred<void> {
    this.journal.push(`stopAccepting ${this.name}`);
    return succeed<void>(undefined);
  }

  override stopService(): Deferred<void> {
    super.stopService();
    this.journal.push(`stop ${this.name}`);
    if (this.stopError) return fail(this.stopError);
    if (this.stopGate) {
      return this.stopGate.addCallback(() => {
        this.journal.push(`stopped ${this.name}`);
      });
    }
    return succeed<void>(undefined);
  }
}
