// `aksemu setup az`: configure a real az against the running emulator (filled in by the az set-up work).
export async function setupAz(_flags: Record<string, string | true>): Promise<void> {
  console.error("aksemu setup az: not implemented yet");
  process.exit(1);
}
