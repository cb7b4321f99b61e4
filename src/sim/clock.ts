// The simulation's clock. CronJob schedules, Job deadlines and TTLs read it; tests and demos
// speed it up (AKSEMU_TIME_SCALE=60: one emulated minute per real second) without touching the
// wall clock that timestamps objects.
import type { Clock } from "./types.js";

export type { Clock };

export function scaledClock(scale = 1, origin = Date.now()): Clock {
  const k = Number.isFinite(scale) && scale > 0 ? scale : 1;
  return {
    now: () => origin + (Date.now() - origin) * k,
    realDelay: (t) => Math.max(0, Math.ceil((t - (origin + (Date.now() - origin) * k)) / k)),
    fromWall: (t) => origin + (t - origin) * k,
  };
}
