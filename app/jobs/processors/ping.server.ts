import type { JobPayload } from "../queues";

/** Answers with the nonce: proves a job went through Redis to a worker and back. */
export async function processPing(payload: JobPayload<"system", "ping">) {
  return { pong: payload.nonce, shopId: payload.shopId, at: new Date().toISOString() };
}
