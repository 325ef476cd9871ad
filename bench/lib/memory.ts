// Peak resident memory of the current process, two ways:
// - VmHWM from /proc/self/status: the kernel's own high-water mark of RSS, exact (it sees spikes between samples),
//   but over the whole life of the process, so measure in a process that does nothing else before the work.
// - A sampler of process.memoryUsage.rss() every `everyMs`: shows the profile, but a timer cannot fire while the
//   event loop is busy in a long synchronous step, so it can miss short peaks.
import { readFileSync } from "node:fs";

const MB = 1024 * 1024;

export function toMb(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}

/** Kernel high-water mark of this process's RSS in bytes, or null off Linux. */
export function peakRssBytes(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface RssSampler {
  /** Stops sampling; the highest sample and how many were taken. */
  stop(): { peakBytes: number; samples: number };
}

export function sampleRss(everyMs = 50): RssSampler {
  let peakBytes = process.memoryUsage.rss();
  let samples = 1;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peakBytes) peakBytes = rss;
    samples++;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const rss = process.memoryUsage.rss();
      if (rss > peakBytes) peakBytes = rss;
      return { peakBytes, samples: samples + 1 };
    },
  };
}
