// Reads the seed walkthrough's command table (test/fixtures/WALKTHROUGH.md, a copy of
// shared/seed/WALKTHROUGH.md) into runnable commands, in order. Rows that say "same plus X"
// or "same with X" are built from the row above, as a reader would.
import assert from "node:assert/strict";

export interface WalkthroughStep {
  n: number;
  /** The command with placeholders, e.g. "az group create -l westus2 -n <resource-group>". */
  template: string;
  /** What the emulator must do, from the table. */
  expectation: string;
}

export function parseWalkthrough(markdown: string): WalkthroughStep[] {
  const steps: WalkthroughStep[] = [];
  for (const line of markdown.split("\n")) {
    const m = /^\|\s*(\d+)\s*\|(.*)\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const n = Number(m[1]);
    const cell = m[2]!.trim();
    const expectation = m[3]!.trim();
    const codes = [...cell.matchAll(/`([^`]+)`/g)].map((x) => x[1]!);
    let template: string;
    if (/^same plus/i.test(cell)) {
      template = `${steps[steps.length - 1]!.template} ${codes.join(" ")}`;
    } else if (/^same with/i.test(cell)) {
      const prev = steps[steps.length - 1]!.template;
      const [flag] = codes[0]!.split(" ");
      template = prev.replace(new RegExp(`${flag} \\S+`), codes[0]!);
    } else {
      // "a / b" rows (extension add / update) are two commands: keep the first.
      template = expandEllipsis(codes[0]!, steps);
    }
    steps.push({ n, template, expectation });
  }
  return steps;
}

/**
 * "az aks create ... --network-plugin azure ..." elides the arguments the reader has seen in the
 * earlier command of the same kind (-n/-g/-l): take them from that command, up to the first
 * token the two share after the elision.
 */
function expandEllipsis(cmd: string, earlier: WalkthroughStep[]): string {
  const i = cmd.indexOf(" ... ");
  if (i < 0) return cmd;
  const prefix = cmd.slice(0, i);
  const rest = cmd.slice(i + 5);
  const prev = [...earlier].reverse().find((s) => s.template.startsWith(prefix + " ") && !s.template.includes(" ... "));
  if (!prev) throw new Error(`cannot expand '...' in: ${cmd}`);
  const prevArgs = prev.template.slice(prefix.length + 1).split(" ");
  const firstRest = rest.split(" ")[0]!;
  const cut = prevArgs.indexOf(firstRest);
  return `${prefix} ${(cut < 0 ? prevArgs : prevArgs.slice(0, cut)).join(" ")} ${rest}`;
}

/** Replace <placeholders>; throws on one that has no value, so a drifted walkthrough fails loudly. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/<([a-z-]+)>/g, (_, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`no value for placeholder <${k}> in: ${template}`);
    return v;
  });
}

/** Split a command line into argv, honouring double quotes (the walkthrough quotes some values). */
export function splitArgs(cmd: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  let has = false;
  for (const ch of cmd) {
    if (ch === '"') {
      q = !q;
      has = true;
    } else if (ch === " " && !q) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** The values the azl walkthroughs fill into the seed's placeholders. */
export const SEED_VALUES: Readonly<Record<string, string>> = {
  "resource-group": "wt-rg",
  rg: "wt-rg",
  location: "westus2",
  "vnet-name": "wt-vnet",
  vnet: "wt-vnet",
  "apiserver-subnet-name": "apiserver",
  "cluster-subnet-name": "nodes",
  "managed-identity-name": "wt-identity",
};

export interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs walkthrough steps verbatim through an az-compatible client (`cli` gets the argv after
 * "az"): `step(n)` returns the result, `ok(n)` asserts success and returns the parsed JSON.
 * `values` is read at call time, so a test may change placeholders between steps.
 */
export function stepRunner(steps: () => WalkthroughStep[], values: Record<string, string>, cli: (args: string[]) => Promise<StepResult>) {
  const step = async (n: number, extra: Record<string, string> = {}, outputJson = true) => {
    const s = steps().find((x) => x.n === n)!;
    const argv = splitArgs(fill(s.template, { ...values, ...extra }));
    assert.equal(argv[0], "az", `step ${n} is an az command`);
    return cli([...argv.slice(1), ...(outputJson ? ["-o", "json"] : [])]);
  };
  const ok = async (n: number, extra: Record<string, string> = {}) => {
    const r = await step(n, extra);
    assert.equal(r.code, 0, `step ${n} failed:\n${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  };
  return { step, ok };
}
