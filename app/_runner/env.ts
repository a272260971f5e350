// The environment variables through which the runner talks to the copies of
// itself that it starts (workers, the daemon).

/** Tells a process that it is worker number N of `spindle --workers`. */
export const WORKER_ID_ENV = "SPINDLE_WORKER_ID";

/** Names the file through which the daemon reports that it is ready. */
export const DAEMON_READY_ENV = "SPINDLE_DAEMON_READY_FILE";
