// Standard 5-field cron schedules as the CronJob controller accepts them (robfig/cron's standard
// parser): minute hour day-of-month month day-of-week, with lists, ranges, steps, `*`/`?`,
// month and weekday names and the @yearly/@monthly/@weekly/@daily/@hourly macros. Pure; times
// are UTC unless a `CRON_TZ=`/`TZ=` prefix or spec.timeZone names "UTC"/"Etc/UTC" (other zones
// are refused by parse(), as the emulator does not ship a zone database).

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  dom: Set<number>;
  months: Set<number>;
  dow: Set<number>;
  domStar: boolean;
  dowStar: boolean;
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
};
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function field(text: string, min: number, max: number, names: string[] = [], nameBase = 0): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  const value = (s: string): number => {
    const i = names.indexOf(s.toLowerCase());
    if (i >= 0) return i + nameBase;
    if (!/^\d+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
    return Number(s);
  };
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") {
      lo = min;
      hi = max;
      if (stepText === undefined) star = true;
    } else {
      const [a, b] = range!.split("-");
      lo = value(a!);
      hi = b !== undefined ? value(b) : stepText !== undefined ? max : lo;
    }
    const step = stepText !== undefined ? Number(stepText) : 1;
    if (!Number.isInteger(step) || step <= 0) throw new Error(`step of range should be a positive number: ${part}`);
    if (lo < min) throw new Error(`beginning of range (${lo}) below minimum (${min}): ${part}`);
    if (hi > max) throw new Error(`end of range (${hi}) above maximum (${max}): ${part}`);
    if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

export function parseCron(spec: string): CronSchedule {
  let s = spec.trim();
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(s);
  if (tz) {
    if (!["UTC", "Etc/UTC"].includes(tz[1]!)) throw new Error(`provided bad location ${tz[1]}: unknown time zone ${tz[1]}`);
    s = tz[2]!;
  }
  s = MACROS[s] ?? s;
  const f = s.split(/\s+/);
  if (f.length !== 5) throw new Error(`expected exactly 5 fields, found ${f.length}: [${f.join(" ")}]`);
  const dow = field(f[4]!, 0, 7, DAYS);
  if (dow.set.has(7)) {
    dow.set.delete(7);
    dow.set.add(0);
  }
  const dom = field(f[2]!, 1, 31);
  return { minutes: field(f[0]!, 0, 59).set, hours: field(f[1]!, 0, 23).set, dom: dom.set, months: field(f[3]!, 1, 12, MONTHS, 1).set, dow: dow.set, domStar: dom.star, dowStar: dow.star };
}

function matches(c: CronSchedule, d: Date): boolean {
  if (!c.minutes.has(d.getUTCMinutes()) || !c.hours.has(d.getUTCHours()) || !c.months.has(d.getUTCMonth() + 1)) return false;
  const domOk = c.dom.has(d.getUTCDate());
  const dowOk = c.dow.has(d.getUTCDay());
  // cron: when both day fields are restricted, either may match.
  return c.domStar || c.dowStar ? domOk && dowOk : domOk || dowOk;
}

/** The first scheduled time strictly after `after` (ms), within ~5 years; undefined if none. */
export function nextAfter(c: CronSchedule, after: number): number | undefined {
  let t = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 5 * 366 * 24 * 60; i++, t += 60_000) {
    const d = new Date(t);
    if (!c.months.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 60_000;
      continue;
    }
    if (matches(c, d)) return t;
  }
  return undefined;
}

/** The latest scheduled time in (from, to], or undefined; also how many were missed. */
export function lastBetween(c: CronSchedule, from: number, to: number): { time?: number; missed: number } {
  let time: number | undefined;
  let missed = 0;
  for (let t = nextAfter(c, from); t !== undefined && t <= to; t = nextAfter(c, t)) {
    time = t;
    if (++missed > 100) {
      // Like the controller: too many missed start times; only the most recent one matters.
      const last = lastBefore(c, to);
      return { time: last, missed };
    }
  }
  return { time, missed };
}

function lastBefore(c: CronSchedule, to: number): number | undefined {
  for (let t = Math.floor(to / 60_000) * 60_000, i = 0; i < 366 * 24 * 60; i++, t -= 60_000) if (matches(c, new Date(t))) return t;
  return undefined;
}
