// Taking the pid file, shared by the runner and the worker supervisor.
import type { Logger } from "../../log/logger.ts";
import { PidFile, PidFileInUseError } from "../pidfile.ts";

// Takes the pid file at `path` (undefined: none was asked for, so none is
// taken). When a live process holds it already, says so on `log` at critical
// level and returns null: the caller then exits with status 1.
export function acquirePidFile(
  path: string | undefined,
  log: Logger,
): PidFile | undefined | null {
  if (path === undefined) return undefined;
  try {
    return PidFile.acquire(path);
  } catch (error) {
    if (!(error instanceof PidFileInUseError)) throw error;
    log.critical("{reason}", { reason: error.message });
    return null;
  }
}
