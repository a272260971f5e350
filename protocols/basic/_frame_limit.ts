// The maxLength validation shared by the netstring and length-prefixed
// framings' cores and codecs.
import { DEFAULT_MAX_FRAME_LENGTH } from "./limits.ts";

// Validates a maxLength option, defaulting to DEFAULT_MAX_FRAME_LENGTH capped
// at what the framing can express.
export function frameLimit(
  maxLength: number | undefined,
  capacity: number,
): number {
  const limit = maxLength ?? Math.min(DEFAULT_MAX_FRAME_LENGTH, capacity);
  if (!(limit >= 0) || !Number.isSafeInteger(limit)) {
    throw new RangeError(`maxLength must be a whole number >= 0, got ${limit}`);
  }
  return limit;
}
