// The benchmarks' baseline: a bare Node.js HTTPS server answering every request with fixed bytes.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { tempDir, SUBSCRIPTION_ID } from "../test/helpers/emulator.js";
import { CaPki, issueListenerCert } from "../src/server/pki.js";

/**
 * A bare Node.js HTTPS server in its own process (like the emulator, so both pay the same IPC and
 * scheduling costs) answering every request with the bytes the emulator sent for a resource-group
 * GET: same status, headers and body, so the load generator parses the same answer from both.
 */
export async function bareServer(answer: { headers: Record<string, string>; body: string }): Promise<{ url: string; ca: string; pid: number; stop: () => void }> {
  // Its own CA and an ECDSA P-256 certificate like the emulator's listener (the emulator's CA key is in its store).
  const pki = await CaPki.create();
  const cert = await issueListenerCert(pki, ["localhost", "127.0.0.1"]);
  const certDir = tempDir("aksemu-bench-bare-");
  fs.writeFileSync(path.join(certDir, "server.pem"), cert.certPem);
  fs.writeFileSync(path.join(certDir, "server-key.pem"), cert.keyPem, { mode: 0o600 });
  const code = `
    const https = require("node:https"); const fs = require("node:fs");
    const a = ${JSON.stringify(answer)};
    const s = https.createServer({ cert: fs.readFileSync(${JSON.stringify(path.join(certDir, "server.pem"))}), key: fs.readFileSync(${JSON.stringify(path.join(certDir, "server-key.pem"))}) },
      (req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, a.headers); res.end(a.body); }); });
    s.keepAliveTimeout = 65000; s.listen(0, "127.0.0.1", () => console.log("PORT " + s.address().port));`;
  const p = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => p.stdout!.on("data", (c) => { const m = /PORT (\d+)/.exec(String(c)); if (m) resolve(Number(m[1])); }));
  return { url: `https://127.0.0.1:${port}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench`, ca: pki.caPem, pid: p.pid!, stop: () => p.kill() };
}
