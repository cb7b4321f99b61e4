// The simulation's clock. CronJob schedules, Job deadlines and TTLs read it; tests and demos
// speed it up (AKSEMU_TIME_SCALE=60: one emulated minute per real second) without touching the
// wall clock that timestamps objects.
export interface Clock {
  /** Emulated now, ms since the epoch. */
  now(): number;
  /** Real milliseconds until emulated time t (0 when past). */
  realDelay(t: number): number;
}

export function scaledClock(scale = 1, origin = Date.now()): Clock {
  const k = Number.isFinite(scale) && scale > 0 ? scale : 1;
  return {
    now: () => origin + (Date.now() - origin) * k,
    realDelay: (t) => Math.max(0, Math.ceil((t - (origin + (Date.now() - origin) * k)) / k)),
  };
}
