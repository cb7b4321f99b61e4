// Child process of test/helpers/fleet.ts without a shared store engine: N emulators in this one
// process over one SQLite store (Emulator.startBeside), each with its own listeners on its own
// loopback address (127.0.0.2, 127.0.0.3, ...), member, operation engine and clusters. Prints
// "READY <i> <endpoint>" per emulator; "halt <i>" on stdin halts one (Emulator.halt, the stand-in
// for its kill -9) and answers "HALTED <i>"; SIGTERM closes them all.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { Emulator, VERSION } from "../../src/emulator.js";
import type { LatencyProfileName } from "../../src/arm/latency.js";

const [dataDir, countRaw, latency, allowRunCommand, leaseTtl] = process.argv.slice(2);
const count = Number(countRaw);
const common = { port: 0, latency: latency as LatencyProfileName, allowRunCommand: allowRunCommand === "1", leaseTtlSeconds: Number(leaseTtl) || undefined };
const emus: Emulator[] = [];
emus.push(await Emulator.start({ ...common, dataDir: dataDir!, host: "127.0.0.2" }));
for (let i = 1; i < count; i++) emus.push(await Emulator.startBeside(emus[0]!, { ...common, host: `127.0.0.${2 + i}` }));
// What `aksemu start` records, so `aksemu kubeconfig --data-dir` finds the first one.
fs.writeFileSync(path.join(dataDir!, "aksemu.json"), JSON.stringify({ pid: process.pid, port: emus[0]!.port, endpoint: emus[0]!.endpoint, startedAt: new Date().toISOString(), version: VERSION }));
emus.forEach((e, i) => console.log(`READY ${i} ${e.endpoint}`));
const stop = async () => {
  for (const [i, e] of [...emus.entries()].slice(1).reverse()) if (!halted.has(i)) await e.close();
  await emus[0]!.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
const halted = new Set<number>();
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const m = /^halt (\d+)$/.exec(line.trim());
  if (!m) return;
  const i = Number(m[1]);
  halted.add(i);
  void emus[i]!.halt().then(() => console.log(`HALTED ${i}`));
});
