// The resource service (src/arm/resource-service.ts) driven directly, without HTTP, gives the same
// records, side effects and errors as the same operations over HTTP against a started emulator.
// One script of operations (create, update, an action, failures, deletes, including an AKS cluster
// that joins a delegated subnet and creates its node resource group, ILB and scale set) runs twice:
// once through an in-process EmulatorCore's service, once through a real `aksemu start` process.
// Values that differ between any two runs (GUIDs, times, etags, ports, the FQDN's random suffix)
// are masked; everything else must be equal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, tempDir, type RunningEmulator } from "../helpers/emulator.js";
import { EmulatorCore } from "../../src/emulator.js";
import { LOCATION, rgId } from "./helpers.js";
import { assertSameSteps, script, serviceDriver, type Driver, type Outcome } from "./service-script.js";

// ---- the same over HTTP ----

function httpDriver(emu: RunningEmulator): Driver {
  const lro = async (res: { status: number; headers: Record<string, string | string[] | undefined> }): Promise<Outcome["operation"]> => {
    const url = (res.headers["azure-asyncoperation"] ?? (res.status === 202 ? res.headers["location"] : undefined)) as string | undefined;
    if (!url) return undefined;
    const u = new URL(url);
    for (;;) {
      const r = await emu.request("GET", u.pathname + u.search);
      if (res.headers["azure-asyncoperation"]) {
        if (r.body.status !== "InProgress") return { status: r.body.status, ...(r.body.error ? { error: withoutEmptyDetails(r.body.error) } : {}) };
      } else if (r.status !== 202) return { status: r.status < 300 ? "Succeeded" : "Failed" };
      await new Promise((x) => setTimeout(x, 20));
    }
  };
  return {
    async group(rg) {
      const r = await emu.request("PUT", `${rgId(rg)}?api-version=2021-04-01`, { location: LOCATION });
      assert.ok(r.status === 200 || r.status === 201, r.text);
    },
    async call(method, pathAndQuery, apiVersion, body) {
      const sep = pathAndQuery.includes("?") ? "&" : "?";
      const res = await emu.request(method, `${pathAndQuery}${sep}api-version=${apiVersion}`, method === "POST" ? body ?? {} : body);
      if (res.status >= 400) return { status: res.status, error: { code: res.body.error.code, message: res.body.error.message } };
      const operation = await lro(res);
      return { status: res.status, body: res.text === "" ? undefined : res.body, ...(operation ? { operation } : {}) };
    },
    async inGroup(rg) {
      const r = await emu.request("GET", `${rgId(rg)}/resources?api-version=2021-04-01`);
      assert.equal(r.status, 200, r.text);
      // /resources lists top-level resources; child records (subnets, rules) are compared through their parents' GETs.
      return r.body.value.map((x: { id: string }) => x.id.toLowerCase()).sort();
    },
  };
}

/** The status body carries `details: []`; the operation record may not. */
function withoutEmptyDetails(e: Record<string, unknown>): Record<string, unknown> {
  const out = { ...e };
  if (Array.isArray(out.details) && out.details.length === 0) delete out.details;
  return out;
}

let emu: RunningEmulator | undefined;
let core: EmulatorCore | undefined;

before(async () => {
  core = await EmulatorCore.open({ dataDir: tempDir("aksemu-svc-"), latency: "instant" });
  emu = await startEmulator();
});

after(async () => {
  await core?.close();
  await emu?.stop();
});

test("the resource service without HTTP and the HTTP API give the same records, side effects and errors", async () => {
  const direct = await script(serviceDriver(core!));
  const http = await script(httpDriver(emu!));
  // The script did what it is meant to (so the comparison is about something).
  const d = direct as Record<string, Outcome>;
  assert.equal(d["vnet.put"]!.status, 201);
  assert.equal(d["vnet.put"]!.body.properties.provisioningState, "Updating");
  assert.equal(d["vnet.put"]!.operation?.status, "Succeeded");
  assert.equal(d["mi.patch"]!.body.tags.team, "platform");
  assert.equal(d["cluster.put"]!.status, 201);
  assert.equal(d["cluster.put"]!.operation?.status, "Succeeded", JSON.stringify(d["cluster.put"]));
  assert.equal(d["cluster.get"]!.body.properties.provisioningState, "Succeeded");
  assert.ok((d["nodeRg.resources"] as unknown as string[]).some((x) => x.endsWith("/loadbalancers/kube-apiserver")), JSON.stringify(d["nodeRg.resources"]));
  assert.ok((d["apiSubnet.afterJoin"]!.body.properties.serviceAssociationLinks ?? []).length > 0 || (d["apiSubnet.afterJoin"]!.body.properties.ipConfigurations ?? []).length > 0, "the cluster joined the API server subnet");
  assert.equal(d["action.checkIp"]!.body.available, false);
  assert.equal(d["err.rgMissing"]!.error?.code, "ResourceGroupNotFound");
  assert.equal(d["err.parent"]!.error?.code, "ParentResourceNotFound");
  assert.equal(d["err.vmssByClient"]!.error?.code, "OperationNotAllowed");
  assert.equal(d["cluster.gone"]!.status, 404);
  assert.equal(d["mi.gone"]!.error?.code, "ResourceNotFound");
  assert.equal(d["mi.deleteAgain"]!.status, 204);
  // And HTTP answered the same, step by step.
  assertSameSteps(http, direct);
});
