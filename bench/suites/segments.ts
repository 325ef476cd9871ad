// `npm run bench -- segments`: segment throughput alone (bench/lib/segments-throughput.ts describes the run). The
// events suite reports the same three numbers next to webhook ingest through measureSegments.
import { runSegmentsBench } from "../lib/segments-throughput";

export async function run(log: (line: string) => void) {
  const result = await runSegmentsBench(log);
  const goals = { under120s: result.segmentSeconds < 120, membershipsMatchRecompute: result.membershipsMatchRecompute };
  return { ...result, goals };
}
