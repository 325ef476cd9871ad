// Where a bench run's time went: each named phase's seconds (summed when a phase runs more than once), for the
// log and the JSON line.
export function phaseTimer(): {
  phases: Record<string, number>;
  timed: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
} {
  const phases: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      phases[name] = Number(((phases[name] ?? 0) + (performance.now() - started) / 1000).toFixed(2));
    }
  };
  return { phases, timed };
}
