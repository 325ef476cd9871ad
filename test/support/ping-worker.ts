import { startWorker, type RunningWorker } from "../../app/jobs/worker.server";
import type { JobPayload } from "../../app/jobs/queues";

/**
 * A worker whose system/ping runs `ping`, for tests of the job machinery itself (retries, failures). No schedules:
 * their first sweep covers every shop in the shared test database and would queue ahead of the ping.
 */
export function startPingWorker(ping: (payload: JobPayload<"system", "ping">) => Promise<unknown>, concurrency = 1): Promise<RunningWorker> {
  return startWorker({ concurrency, schedules: false, log: () => undefined, processors: { system: { ping } } });
}
