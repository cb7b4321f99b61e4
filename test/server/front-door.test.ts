// The front door survives hostile requests: a Host header that is not an authority used to
// kill the process (new URL threw before the error handler).
import { test } from "node:test";
import assert from "node:assert/strict";
import tls from "node:tls";
import { startEmulator, rawRequest } from "../helpers/emulator.js";

function rawTls(port: number, ca: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, ca, servername: "localhost" }, () => s.write(request));
    let out = "";
    s.on("data", (c) => (out += c));
    s.on("end", () => resolve(out));
    s.on("error", reject);
    s.setTimeout(10_000, () => s.destroy(new Error("timeout")));
  });
}

test("bad Host headers get an answer and the process stays up", async () => {
  const emu = await startEmulator();
  try {
    for (const host of ["x:99999", "a b", "[::1"]) {
      const out = await rawTls(emu.port, emu.caPem, `GET /aksemu/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      assert.match(out, /^HTTP\/1\.1 (200|400)/, `Host: ${host} → ${out.slice(0, 80)}`);
    }
    const r = await rawRequest(emu.endpoint, emu.caPem, "GET", "/aksemu/health");
    assert.equal(r.status, 200);
    assert.equal(emu.proc.exitCode, null, "still running");
  } finally {
    await emu.stop();
  }
});
