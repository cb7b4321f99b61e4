// az's progress indicator for long-running operations: azure-cli's LongRunningOperation reports
// "Starting", then "Running" every half second, then "Finished" to knack's
// IndeterminateStandardOut, a humanfriendly Spinner on stderr. The spinner writes only when
// stderr is a terminal, at most every 0.2 s, as `\r\x1b[K <state> <label> ..\r`, and erases the
// line at the end, so piped output carries nothing extra.

const ERASE_LINE = "\r\x1b[K";
const STATES = ["-", "\\", "|", "/"];
const MIN_INTERVAL_MS = 200;
const TICK_MS = 500; // LongRunningOperation poller_done_interval_ms

export class Spinner {
  private state = 0;
  private last = 0;

  constructor(private write: (s: string) => void) {}

  step(label: string, now = Date.now()): void {
    if (now - this.last < MIN_INTERVAL_MS) return;
    this.last = now;
    this.write(`${ERASE_LINE} ${STATES[this.state++ % STATES.length]} ${label} ..\r`);
  }

  clear(): void {
    this.write(ERASE_LINE);
  }
}

/** Await a long-running operation, showing az's spinner on stderr when it is a terminal. */
export async function withProgress<T>(enabled: boolean, write: (s: string) => void, work: Promise<T>): Promise<T> {
  if (!enabled) return work;
  const spinner = new Spinner(write);
  spinner.step("Starting");
  const timer = setInterval(() => spinner.step("Running"), TICK_MS);
  timer.unref();
  try {
    return await work;
  } finally {
    clearInterval(timer);
    spinner.clear();
  }
}
