// A token bucket of whole messages with a burst apart from its rate: the
// server's input flood protection and the client's flood control. (The
// reactor's throttle has one of bytes whose burst is its rate, private to it.)
import type { IReactorTime } from "../../reactor/time.ts";

export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #clock: IReactorTime;
  #tokens: number;
  #last: number;

  /** `burst` messages at once, then `rate` a second. */
  constructor(burst: number, rate: number, clock: IReactorTime) {
    this.#burst = burst;
    this.#perMs = rate / 1000;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  /** Takes a token and returns 0, or returns the milliseconds until one is there. */
  take(): number {
    const now = this.#clock.now();
    if (now > this.#last) {
      this.#tokens = Math.min(
        this.#burst,
        this.#tokens + (now - this.#last) * this.#perMs,
      );
      this.#last = now;
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / this.#perMs);
  }
}
