// Shared bits of the foundation tests.
import type { RunningEmulator } from "../helpers/emulator.js";

/**
 * SIGTERM the emulator and wait for it to exit (SIGKILL after 10 s). Unlike the harness's
 * stop(), the fallback timer is cleared, so the test process is not held open for 10 s.
 */
export async function shutdown(emu: RunningEmulator | undefined): Promise<void> {
  if (!emu || emu.proc.exitCode !== null || emu.proc.signalCode !== null) return;
  const exited = new Promise((r) => emu.proc.once("exit", r));
  emu.proc.kill("SIGTERM");
  const timer = setTimeout(() => emu.proc.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
