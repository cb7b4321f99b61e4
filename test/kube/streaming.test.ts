// exec, attach and port-forward where no container runs: the upgrade is accepted (WebSocket for
// kubectl 1.32, SPDY/3.1 for kubectl 1.20) and the answer says containers are simulated; kubectl
// prints it and exits 1 — no protocol error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { spawn } from "node:child_process";
import { eventually } from "../helpers/emulator.js";
import { KUBECTL_120, KUBECTL_V32, kubectl, kubectlMissing, startEnv, type Env } from "./harness.js";

const missing = kubectlMissing(KUBECTL_V32) || kubectlMissing(KUBECTL_120);
let e: Env;

before(async () => {
  if (missing) return;
  e = await startEnv();
  const r = await kubectl(e, KUBECTL_V32, ["run", "one", "--image=busybox", "--annotations=pod-complete.stage.kwok.x-k8s.io/delay=1h", "--restart=Never", "--", "sleep", "3600"]);
  assert.equal(r.code, 0, r.stderr);
  const w = await kubectl(e, KUBECTL_V32, ["wait", "--for=condition=Ready", "pod/one", "--timeout=30s"]);
  assert.equal(w.code, 0, w.stderr);
});
after(async () => e?.close());

for (const [label, bin] of [["1.32 (WebSocket)", KUBECTL_V32], ["1.20 (SPDY/3.1)", KUBECTL_120]] as const) {
  test(`kubectl ${label} exec and attach get the simulated-container Status, exit 1`, { skip: missing }, async () => {
    const r = await kubectl(e, bin, ["exec", "one", "--", "ls", "/"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /containers are simulated in aksemu: cannot run \["ls","\/"\] in container "one" of pod default\/one/);
    assert.doesNotMatch(r.stderr, /upgrade|protocol|handshake|EOF/i);
    const i = await kubectl(e, bin, ["exec", "-i", "one", "--", "sh"], { input: "echo hi\n" });
    assert.equal(i.code, 1, i.stderr);
    assert.match(i.stderr, /containers are simulated in aksemu/);
    const a = await kubectl(e, bin, ["attach", "one"]);
    assert.equal(a.code, 1, a.stderr);
    assert.match(a.stderr, /containers are simulated in aksemu: cannot attach to container "one"/);
    const bad = await kubectl(e, bin, ["exec", "one", "-c", "nope", "--", "true"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /container nope is not valid for pod one/);
  });
}

test("kubectl 1.32 port-forward: the forward is refused with the simulated-container reason", { skip: missing }, async () => {
  const child = spawn(KUBECTL_V32, ["port-forward", "pod/one", ":80"], { env: e.env });
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  child.stderr.on("data", (c) => (out += c));
  try {
    const port = Number(await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], "port-forward listening"));
    await new Promise<void>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => s.write("GET / HTTP/1.0\r\n\r\n"));
      s.on("error", () => resolve());
      s.on("close", () => resolve());
      s.resume();
    });
    await eventually(() => /error forwarding port 80 to pod one, uid [0-9a-f-]+: containers are simulated in aksemu/.test(out), "forward error printed");
  } finally {
    child.kill();
  }
});
