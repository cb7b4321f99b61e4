import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../helpers/emulator.js";
import { parseWalkthrough, fill, splitArgs } from "./commands.js";

const md = fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/WALKTHROUGH.md"), "utf8");

test("walkthrough: 19 steps in order, derived rows composed from the row above", () => {
  const steps = parseWalkthrough(md);
  assert.deepEqual(steps.map((s) => s.n), Array.from({ length: 19 }, (_, i) => i + 1));
  assert.match(steps[6]!.template, /--enable-apiserver-vnet-integration --enable-private-cluster$/);
  assert.match(steps[12]!.template, /--scope <cluster-subnet-resource-id> /);
  assert.doesNotMatch(steps[12]!.template, /apiserver-subnet-resource-id/);
  assert.match(steps[14]!.template, /--assign-identity <managed-identity-resource-id> --enable-private-cluster$/);
  assert.equal(steps[0]!.template, "az extension add --name aks-preview");
  assert.equal(steps[13]!.template.split(" --network-plugin")[0], "az aks create -n <cluster-name> -g <resource-group> -l <location>");
});

test("walkthrough: fill refuses unknown placeholders; splitArgs honours quotes", () => {
  assert.throws(() => fill("az group create -n <nope>", {}), /<nope>/);
  assert.deepEqual(splitArgs('az feature register --namespace "Microsoft.ContainerService" --name "X"'), ["az", "feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "X"]);
});

test("walkthrough fixture matches the seed copy in shared/ when it is present", (t) => {
  const seed = path.join(REPO_ROOT, "../shared/seed/WALKTHROUGH.md");
  if (!fs.existsSync(seed)) return t.skip("shared/ not beside the clone");
  assert.equal(fs.readFileSync(seed, "utf8"), md, "test/fixtures/WALKTHROUGH.md drifted from shared/seed/WALKTHROUGH.md");
});
