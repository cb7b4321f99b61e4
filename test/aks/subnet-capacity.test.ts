// API server subnet capacity is decided once, at PUT (issue 10 #7): the ILB frontend and the
// reserved block are taken in the transaction that checks the room, so 6 concurrent creates on a
// /27 (room for 3 × 9) always give 3 × 201 (all Succeeded) and 3 × 400 InsufficientSubnetSize,
// whatever the interleaving; a delete gives the addresses back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import type { ClientRequest } from "node:http";
import { startEmulator, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { stopEmulator } from "../network/helpers.js";
import {
  PREVIEW, clusterBody, clusterId, del, expectError, identity, networkContributor, registerVnetIntegrationFeature, resourceGroup, subnet, usage,
  vnet, waitLro, withApi, type Res,
} from "./helpers.js";

let emu: RunningEmulator;
const RG = "rg-capacity";
const DELEGATED = "Microsoft.ContainerService/managedClusters";

before(async () => {
  emu = await startEmulator();
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
  await vnet(emu, RG, "vnet", "10.60.0.0/16");
});
after(() => stopEmulator(emu));

/**
 * PUT the same body to each path so that all of them reach the server together: each request is
 * sent but its last body byte, then the last bytes go out in one tick. The server then handles all
 * six before any operation stage runs: the interleaving that used to accept every create.
 */
async function simultaneousPuts(paths: string[], body: unknown): Promise<Res[]> {
  const token = await emu.token();
  const payload = Buffer.from(JSON.stringify(body));
  const reqs: Array<{ req: ClientRequest; answer: Promise<Res> }> = paths.map((p) => {
    let req!: ClientRequest;
    const answer = new Promise<Res>((resolve, reject) => {
      req = https.request(new URL(p, emu.endpoint), {
        method: "PUT", ca: emu.caPem, agent: false,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": String(payload.length) },
      }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined, text }));
      });
      req.on("error", reject);
    });
    req.write(payload.subarray(0, payload.length - 1));
    return { req, answer };
  });
  // Let every connection deliver its headers and first bytes (the server cannot be polled for it).
  await new Promise((r) => setTimeout(r, 300));
  for (const { req } of reqs) req.end(payload.subarray(payload.length - 1));
  return Promise.all(reqs.map((x) => x.answer));
}

async function round(tag: string, apiPrefix: string, nodePrefix: string): Promise<{ winners: string[]; apiSubnet: string }> {
  const apiSubnet = await subnet(emu, RG, "vnet", `api-${tag}`, apiPrefix, DELEGATED);
  const nodeSubnet = await subnet(emu, RG, "vnet", `nodes-${tag}`, nodePrefix);
  const mi = await identity(emu, RG, `id-${tag}`);
  await networkContributor(emu, apiSubnet, mi.principalId);
  await networkContributor(emu, nodeSubnet, mi.principalId);
  const names = Array.from({ length: 6 }, (_, i) => `c${tag}${i}`);
  const body = clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: mi.id, count: 1 });
  const answers = await simultaneousPuts(names.map((n) => withApi(clusterId(RG, n), PREVIEW)), body);
  const winners = names.filter((_, i) => answers[i]!.status === 201);
  const losers = answers.filter((r) => r.status !== 201);
  assert.equal(winners.length, 3, answers.map((r) => `${r.status} ${r.body?.error?.code ?? ""}`).join(", "));
  for (const r of losers) expectError(r, 400, "InsufficientSubnetSize");
  // Every accepted create finishes: the capacity was already held.
  for (const [i, r] of answers.entries()) {
    if (r.status !== 201) continue;
    const op = await waitLro(emu, r, `create ${names[i]}`);
    assert.equal(op.status, "Succeeded", `${names[i]}: ${JSON.stringify(op)}`);
  }
  return { winners, apiSubnet };
}

test("6 concurrent creates on a /27 API server subnet: 3 × 201 (all Succeeded), 3 × 400 InsufficientSubnetSize, twice", async () => {
  const a = await round("a", "10.60.0.0/27", "10.60.1.0/24");
  const u = await usage(emu, a.apiSubnet);
  assert.equal(u.used, 27, JSON.stringify(u));
  await round("b", "10.60.0.32/27", "10.60.2.0/24");

  // A delete gives the addresses back: one more cluster fits again.
  await del(emu, clusterId(RG, a.winners[0]!), PREVIEW);
  assert.equal((await usage(emu, a.apiSubnet)).used, 18);
  const again = await emu.request("PUT", withApi(clusterId(RG, "again"), PREVIEW), clusterBody({
    nodeSubnet: a.apiSubnet.replace(/api-a$/, "nodes-a"), apiSubnet: a.apiSubnet, integrate: true,
    identityId: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a`, count: 1,
  }));
  assert.equal(again.status, 201, again.text);
  assert.equal((await waitLro(emu, again)).status, "Succeeded");
  assert.equal((await usage(emu, a.apiSubnet)).used, 27);
});
