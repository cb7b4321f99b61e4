// Orders a deployment's resources: waves of resources whose dependencies are all in earlier
// waves (each wave can run in parallel), or the first resource found on a cycle.

export type Waves = { ok: true; waves: string[][] } | { ok: false; cycleAt: string };

/** `deps` maps every node to the nodes it depends on (all keys of `deps`). Order within a wave follows `deps`' order. */
export function waves(deps: Map<string, Set<string>>): Waves {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [n, ds] of deps) {
    remaining.set(n, ds.size);
    for (const d of ds) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(n);
  }
  const out: string[][] = [];
  let ready = [...deps.keys()].filter((n) => remaining.get(n) === 0);
  let done = 0;
  while (ready.length > 0) {
    out.push(ready);
    done += ready.length;
    const next: string[] = [];
    for (const n of ready)
      for (const m of dependents.get(n) ?? []) {
        const r = remaining.get(m)! - 1;
        remaining.set(m, r);
        if (r === 0) next.push(m);
      }
    const order = [...deps.keys()];
    ready = next.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }
  if (done === deps.size) return { ok: true, waves: out };
  // A node still waiting is on a cycle or behind one; walk its unfinished dependencies until a node repeats.
  const waiting = (n: string) => [...deps.get(n)!].find((d) => remaining.get(d)! > 0);
  let n = [...deps.keys()].find((k) => remaining.get(k)! > 0)!;
  const seen = new Set<string>();
  while (!seen.has(n)) {
    seen.add(n);
    n = waiting(n)!;
  }
  return { ok: false, cycleAt: n };
}
