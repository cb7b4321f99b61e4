// requestHeader (http/context.ts) reads a header from the parser's rawHeaders; for every name a
// request carries (once, repeated, in any case) it must answer what req.headers gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { requestHeader } from "../../src/http/context.js";

test("requestHeader answers what req.headers answers, repeated headers included", async () => {
  const mismatches: string[] = [];
  let checked = 0;
  const server = http.createServer((req, res) => {
    const names = new Set([...req.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()), "absent", "x-MS-Mixed"]);
    for (const name of names) {
      const v = req.headers[name.toLowerCase()];
      const want = Array.isArray(v) ? v[0] : v;
      const got = requestHeader(req, name);
      checked++;
      if (got !== want) mismatches.push(`${name}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const send = (lines: string[]) =>
    new Promise<void>((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1", () => s.end(`GET / HTTP/1.1\r\n${lines.join("\r\n")}\r\nConnection: close\r\n\r\n`));
      s.on("data", () => undefined);
      s.on("end", resolve);
      s.on("error", reject);
    });
  try {
    await send(["Host: a", "Authorization: Bearer x"]);
    await send(["Host: a", "HOST: b", "authorization: one", "Authorization: two", "Content-Type: text/plain"]);
    await send(["Host: a", "X-Ms-Correlation-Request-Id: c1", "x-ms-correlation-request-id: c2", "X-MS-Mixed: m", "Set-Cookie: a=1", "set-cookie: b=2"]);
    await send(["Host: a", "Cookie: a=1", "Cookie: b=2", "Accept: x", "accept: y", "X-Forwarded-For: 1", "x-forwarded-for: 2", "Expect: 100-continue-no"]);
    await send(["Host: a", "Content-Length: 0", "User-Agent: u", "user-agent: v", "Referer: r1", "Referer: r2", "X-Empty:"]);
  } finally {
    server.close();
  }
  assert.ok(checked > 25, `only ${checked} names were checked`);
  assert.deepEqual(mismatches, []);
});
