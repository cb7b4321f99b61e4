import { startEnv, kubectl, KUBECTL_V32, KUBECTL_120 } from "./harness.js";
const BIN = process.env.BIN === "120" ? KUBECTL_120 : KUBECTL_V32;
const e = await startEnv();
console.log("port", e.port);
for (const args of process.argv.slice(2).map((a) => a.split(" "))) {
  const r = await kubectl(e, BIN, args);
  console.log(`$ kubectl ${args.join(" ")} -> ${r.code}\n${r.stdout}${r.stderr}`);
}
await e.close();
