// Polls the segment's live view (app.segments.$segmentId.live) every couple of seconds while the page is open. Each
// poll starts once the previous answer has arrived, so a busy server is never asked twice at once.
import { useEffect } from "react";
import { useFetcher, useLocation } from "react-router";
import { appHref } from "../pools/links";
import type { SegmentLiveView } from "./live.server";

export const LIVE_POLL_MS = 2000;

export function useLiveSegment(segmentId: string, initial: SegmentLiveView): SegmentLiveView {
  const { search } = useLocation();
  const fetcher = useFetcher<SegmentLiveView>();
  const { load, state, data } = fetcher;
  const url = appHref(`/app/segments/${segmentId}/live`, search);
  useEffect(() => {
    if (state !== "idle") return;
    const timer = setTimeout(() => void load(url), LIVE_POLL_MS);
    return () => clearTimeout(timer);
  }, [url, state, data, load]);
  return data ?? initial;
}
