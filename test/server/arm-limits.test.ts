// Hostile ARM bodies and cross-subscription polling: deep JSON and oversized bodies get a 4xx in
// the ARM envelope (no 500, no reset after 100 Continue), and an operation is visible only under
// the subscription that owns it.
import { test } from "node:test";
import assert from "node:assert/strict";
import tls from "node:tls";
import { startEmulator, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { rawClient } from "./raw.js";

const CLUSTER = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/deep?api-version=2026-06-01`;
const RG = (n: string) => `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${n}?api-version=2021-04-01`;

/** One request over a raw TLS socket; `waitContinue` sends the body only after "100 Continue". */
function rawExchange(emu: RunningEmulator, head: string, body: Buffer | undefined, waitContinue: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port: emu.port, ca: emu.caPem, servername: "localhost" }, () => {
      s.write(head);
      if (body && !waitContinue) s.write(body);
    });
    let out = "";
    let sent = false;
    s.on("data", (c) => {
      out += c.toString("latin1");
      if (waitContinue && !sent && /^HTTP\/1\.1 100 /.test(out) && out.includes("\r\n\r\n")) {
        sent = true;
        out = out.slice(out.indexOf("\r\n\r\n") + 4);
        s.write(body!);
      }
      const m = /^HTTP\/1\.1 [2-5]\d\d [^]*?\r\ncontent-length: (\d+)\r\n[^]*?\r\n\r\n/i.exec(out);
      if (m && out.length >= m[0].length + Number(m[1])) {
        s.destroy();
        resolve(out);
      }
    });
    s.on("error", (e) => reject(new Error(`${e.message} after ${JSON.stringify(out.slice(0, 200))}`)));
    s.setTimeout(20_000, () => s.destroy(new Error(`timeout after ${JSON.stringify(out.slice(0, 200))}`)));
  });
}

test("100k-deep JSON and 5,000-deep tags answer 400 InvalidRequestContent; the emulator stays up", async () => {
  const emu = await startEmulator();
  try {
    assert.equal((await emu.request("PUT", RG("rg1"), { location: "westus2" })).status, 201);
    const deepArray = `{"location":"westus2","properties":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    let tags = "1";
    for (let i = 0; i < 5000; i++) tags = `{"a":${tags}}`;
    const deepTags = `{"location":"westus2","tags":${tags}}`;
    for (const [what, path, body] of [["100k-deep cluster", CLUSTER, deepArray], ["5,000-deep tags on a cluster", CLUSTER, deepTags], ["5,000-deep tags on a group", RG("rg1"), deepTags], ["PATCH deep tags", RG("rg1"), deepTags]] as const) {
      const r = await emu.request(what.startsWith("PATCH") ? "PATCH" : "PUT", path, body);
      assert.equal(r.status, 400, `${what}: ${r.text.slice(0, 300)}`);
      assert.equal(r.body.error.code, "InvalidRequestContent", what);
      assert.match(r.body.error.message, /nesting is deeper than 64 levels/);
    }
    const g = await emu.request("GET", RG("rg1"));
    assert.equal(g.status, 200);
    assert.equal(g.body.tags, null, "nothing was stored");
    assert.equal(emu.proc.exitCode, null);
  } finally {
    await emu.stop();
  }
});

test("bodies over 8 MB answer 413 in the ARM envelope: declared, with Expect: 100-continue, and chunked", async () => {
  const emu = await startEmulator();
  try {
    const tok = await emu.token();
    const big = Buffer.alloc(9 * 1024 * 1024, 0x20);
    const head = (extra: string) => `PUT ${RG("big")} HTTP/1.1\r\nHost: 127.0.0.1:${emu.port}\r\nAuthorization: Bearer ${tok}\r\nContent-Type: application/json\r\n${extra}\r\n`;
    const cases: Array<[string, string, Buffer | undefined, boolean]> = [
      ["Expect: 100-continue", head(`Content-Length: ${big.length}\r\nExpect: 100-continue\r\n`), big, true],
      ["declared length", head(`Content-Length: ${big.length}\r\n`), big, false],
      ["chunked", head("Transfer-Encoding: chunked\r\n"), Buffer.concat([Buffer.from(big.length.toString(16) + "\r\n"), big, Buffer.from("\r\n0\r\n\r\n")]), false],
    ];
    for (const [what, h, body, waitContinue] of cases) {
      const out = await rawExchange(emu, h, body, waitContinue);
      assert.match(out, /^HTTP\/1\.1 413 /, `${what}: ${out.slice(0, 200)}`);
      const json = JSON.parse(out.slice(out.indexOf("\r\n\r\n") + 4));
      assert.equal(json.error.code, "RequestEntityTooLarge", what);
    }
    // A body of fine size with Expect: 100-continue gets its 100 and then the real answer.
    const small = Buffer.from(JSON.stringify({ location: "westus2" }));
    const ok = await rawExchange(emu, head(`Content-Length: ${small.length}\r\nExpect: 100-continue\r\n`), small, true);
    assert.match(ok, /^HTTP\/1\.1 201 /, ok.slice(0, 200));
    assert.equal(emu.proc.exitCode, null);
  } finally {
    await emu.stop();
  }
});

test("operation status and results are readable only under the subscription that owns them", async () => {
  const emu = await startEmulator({ latency: "fast" });
  const http = rawClient(emu.port, emu.caPem);
  try {
    const auth = { authorization: `Bearer ${await emu.token()}` };
    const other = "11111111-1111-1111-1111-111111111111";
    assert.equal((await emu.request("PUT", RG("ops"), { location: "westus2" })).status, 201);
    const vnet = await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/ops/providers/Microsoft.Network/virtualNetworks/v1?api-version=2024-05-01`,
      { location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } });
    assert.equal(vnet.status, 201, vnet.text);
    const del = await emu.request("DELETE", RG("ops"));
    assert.equal(del.status, 202, del.text);
    const urls = [vnet.headers["azure-asyncoperation"], vnet.headers.location, del.headers.location].filter((u): u is string => typeof u === "string").map((u) => new URL(u));
    assert.ok(urls.length >= 2, "an Azure-AsyncOperation URL and a resource-group Location URL");
    assert.ok(urls.some((u) => /\/operations\//.test(u.pathname)) && urls.some((u) => /operationresults/.test(u.pathname)));
    for (const u of urls) {
      const own = await http.send("GET", u.pathname + u.search, { headers: auth });
      assert.ok([200, 202].includes(own.status), `${u.pathname}: ${own.status} ${own.text}`);
      const foreign = u.pathname.replace(SUBSCRIPTION_ID, other) + u.search;
      const r = await http.send("GET", foreign, { headers: auth });
      assert.equal(r.status, 404, `${foreign}: ${r.text}`);
      assert.ok(r.body.error.code, "ARM envelope");
      assert.doesNotMatch(r.text, /Succeeded|InProgress|10\.0\.0\.0/, "nothing about the operation leaks");
    }
  } finally {
    http.close();
    await emu.stop();
  }
});
