// The seed walkthrough with azl against one emulator (test/walkthrough/seed-walkthrough.ts).
import { startEmulator } from "../helpers/emulator.js";
import { seedWalkthrough } from "./seed-walkthrough.js";

seedWalkthrough("the seed walkthrough with azl", async () => {
  const emu = await startEmulator({ latency: "instant", allowRunCommand: true }); // steps 14 and 16 use command invoke
  return { members: [emu], stop: () => emu.stop() };
});
