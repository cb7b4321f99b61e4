// `aksemu start --store ...` through the real CLI: bad configuration answers clearly at start-up
// with a non-zero exit and writes nothing (a wrong scheme, an unreachable etcd, a data-version
// mismatch), SQLite staying the default.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { EtcdKv } from "../../src/store/kv-etcd.js";
import { DATA_VERSION } from "../../src/store/kv-store.js";
import { bytes, text } from "../../src/store/kv.js";
import { AKSEMU_BIN, startEmulator, tempDir } from "../helpers/emulator.js";
import { ETCD, needClient } from "../helpers/clients.js";
import { freePort, startEtcd, type EtcdServer } from "../helpers/etcd-server.js";
import { runProcess } from "../helpers/run.js";

function start(args: string[], env: Record<string, string> = {}) {
  const dir = tempDir();
  const { AKSEMU_STORE: _drop, ...base } = process.env;
  return runProcess(process.execPath, [AKSEMU_BIN, "start", "--port", "0", "--data-dir", dir, ...args], { ...base, ...env }, 30_000).finally(() =>
    fs.rmSync(dir, { recursive: true, force: true }),
  );
}


test("aksemu start: a wrong store scheme exits 2 naming the accepted ones (flag and environment)", async () => {
  const r = await start(["--store", "http://127.0.0.1:2379"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^aksemu: --store 'http:\/\/127\.0\.0\.1:2379': unsupported scheme 'http:\/\/'; accepted: sqlite .* or etcd:\/\/host:port\[,host:port\.\.\.\]/);
  const e = await start([], { AKSEMU_STORE: "mysql://db:3306" });
  assert.equal(e.code, 2, e.stderr);
  assert.match(e.stderr, /^aksemu: AKSEMU_STORE 'mysql:\/\/db:3306': unsupported scheme 'mysql:\/\/'/);
  const n = await start(["--store"]);
  assert.equal(n.code, 2, n.stderr);
  assert.match(n.stderr, /--store needs a value; accepted: sqlite/);
});

test("aksemu start: an unreachable etcd exits 1 naming every endpoint and the timeout", async () => {
  const [p1, p2] = [await freePort(), await freePort()];
  const r = await start(["--store", `etcd://127.0.0.1:${p1},127.0.0.1:${p2}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^aksemu: cannot reach etcd at http://127\\.0\\.0\\.1:${p1}, http://127\\.0\\.0\\.1:${p2} \\(timeout 5 s\\): .*ECONNREFUSED.*; is it running`));
  assert.doesNotMatch(r.stdout, /listening/);
});

test("aksemu start: a bad --lease-ttl or AKSEMU_LEASE_TTL exits 2 naming the accepted range", async () => {
  for (const [args, env, re] of [
    [["--lease-ttl", "1"], {}, /^aksemu: invalid --lease-ttl '1': whole seconds from 2 to 3600 \(how long a process's ownership leases last/],
    [["--lease-ttl", "2.5"], {}, /^aksemu: invalid --lease-ttl '2\.5': whole seconds from 2 to 3600/],
    [["--lease-ttl", "3601"], {}, /^aksemu: invalid --lease-ttl '3601'/],
    [["--lease-ttl"], {}, /^aksemu: --lease-ttl needs a value \(whole seconds from 2 to 3600\)/],
    [[], { AKSEMU_LEASE_TTL: "ten" }, /^aksemu: invalid AKSEMU_LEASE_TTL 'ten': whole seconds from 2 to 3600/],
  ] as Array<[string[], Record<string, string>, RegExp]>) {
    const r = await start(args, env);
    assert.equal(r.code, 2, `${args.join(" ")} ${JSON.stringify(env)}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stdout, /listening/);
  }
});

describe("aksemu start on a real etcd", { skip: needClient(ETCD, "etcd v3.6") }, () => {
  let server: EtcdServer;
  before(async () => {
    server = await startEtcd();
  });
  after(async () => {
    await server?.stop();
  });

  test("a data-version mismatch exits 1 naming both versions, and writes nothing", async () => {
    const kv = new EtcdKv({ endpoints: [server.endpoint] });
    try {
      await kv.put("/aksemu/meta/data-version", bytes("0"));
      const before = (await kv.range("/", { end: "\0" })).revision;
      const hostPort = server.endpoint.replace("http://", "");
      const r = await start(["--store", `etcd://${hostPort}`]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^aksemu: etcd at ${server.endpoint}: the store's data version is 0 \\(key /aksemu/meta/data-version\\) but this aksemu reads data version ${DATA_VERSION}`));
      assert.equal((await kv.range("/", { end: "\0" })).revision, before, "nothing written");
      // Under another prefix the same etcd is a fresh store: the version is written there and the emulator serves.
      const other = await startEmulator({ args: ["--store", `etcd://${hostPort}/other/`] });
      try {
        assert.equal(text((await kv.range("/other/meta/data-version")).kvs[0]!.value), DATA_VERSION);
        assert.equal((await other.request("GET", "/aksemu/health")).status, 200);
      } finally {
        await other.stop();
      }
    } finally {
      await kv.close();
    }
  });

  test("--lease-ttl sets the TTL of the process's ownership lease (AKSEMU_LEASE_TTL too; default 10 s)", async () => {
    const kv = new EtcdKv({ endpoints: [server.endpoint] });
    const hostPort = server.endpoint.replace("http://", "");
    const granted = async (prefix: string) => {
      const members = (await kv.range(`${prefix}data/member/`, { prefix: true })).kvs;
      assert.equal(members.length, 1, "one member key, attached to the process's lease");
      return (await kv.timeToLive(members[0]!.lease))!.grantedTtl;
    };
    try {
      for (const [args, env, want] of [
        [["--lease-ttl", "3"], {}, 3],
        [[], { AKSEMU_LEASE_TTL: "4" }, 4],
        [[], {}, 10],
      ] as Array<[string[], Record<string, string>, number]>) {
        const prefix = `/ttl-${want}/`;
        const emu = await startEmulator({ args: ["--store", `etcd://${hostPort}${prefix}`, ...args], env });
        try {
          assert.equal(await granted(prefix), want);
        } finally {
          await emu.stop();
        }
      }
    } finally {
      await kv.close();
    }
  });

  test("aksemu status and reset with --store etcd://: status shows the store; reset clears only aksemu's prefix, with SQLite's rules", async () => {
    const kv = new EtcdKv({ endpoints: [server.endpoint] });
    const hostPort = server.endpoint.replace("http://", "");
    const store = `etcd://${hostPort}/st/`;
    const { AKSEMU_STORE: _drop, ...base } = process.env;
    const cli = (args: string[]) => runProcess(process.execPath, [AKSEMU_BIN, ...args], { ...base }, 30_000);
    try {
      await kv.put("/outside/keep", bytes("not aksemu's"));
      const empty = await cli(["status", "--data-dir", tempDir(), "--store", store]);
      assert.equal(empty.code, 3, empty.stderr);
      assert.match(empty.stdout, new RegExp(`store: etcd://${hostPort}/st/ \\(empty: no aksemu state under /st/`));
      assert.match((await cli(["reset", "--store", store])).stdout, /^aksemu: nothing to reset \(no keys under \/st\//);

      const emu = await startEmulator({ args: ["--store", store] });
      let stopped = false;
      try {
        const st = await cli(["status", "--data-dir", emu.dataDir]);
        assert.equal(st.code, 0, st.stderr);
        assert.match(st.stdout, new RegExp(`\n  store: etcd://${hostPort}/st/\n`), "from the running process's aksemu.json");
        const detail = await cli(["status", "--data-dir", emu.dataDir, "--store", store]);
        assert.match(detail.stdout, /store: etcd:\/\/\S+\/st\/ \(data version 1, revision \d+, \d+ keys under \/st\/, 1 live aksemu process; answered by http:\/\/127\.0\.0\.1:\d+\)/);
        const refused = await cli(["reset", "--store", store, "--yes"]);
        assert.equal(refused.code, 1, refused.stdout);
        assert.match(refused.stderr, /^aksemu: refusing to reset etcd:\/\/\S+\/st\/ while 1 aksemu process uses it; stop it first/);
        assert.ok((await kv.range("/st/", { prefix: true, countOnly: true })).count > 0, "nothing deleted");
        await emu.stop();
        stopped = true;
        const keys = (await kv.range("/st/", { prefix: true, countOnly: true })).count;
        const done = await cli(["reset", "--store", store]);
        assert.equal(done.code, 0, done.stderr);
        assert.match(done.stdout, new RegExp(`^aksemu: removed ${keys} keys under /st/ from etcd://\\S+/st/ \\(state, CA and keys; the rest of the etcd is untouched\\)`));
        assert.equal((await kv.range("/st/", { prefix: true, countOnly: true })).count, 0);
        assert.equal(text((await kv.range("/outside/keep")).kvs[0]!.value), "not aksemu's", "keys outside the prefix stay");
      } finally {
        if (!stopped) await emu.stop();
      }

      // A prefix without aksemu's data version: --yes needed, as for a data directory without state.db.
      await kv.put("/foreign/x", bytes("1"));
      const foreign = await cli(["reset", "--store", `etcd://${hostPort}/foreign/`]);
      assert.equal(foreign.code, 1, foreign.stdout);
      assert.match(foreign.stderr, /^aksemu: \/foreign\/ in etcd:\/\/\S+ does not look like an aksemu store \(no \/foreign\/meta\/data-version\); pass --yes to delete its 1 keys anyway/);
      assert.equal((await kv.range("/foreign/x")).count, 1);
      assert.equal((await cli(["reset", "--store", `etcd://${hostPort}/foreign/`, "--yes"])).code, 0);
      assert.equal((await kv.range("/foreign/x")).count, 0);
      // A bad --store is refused as by start (exit 2).
      const bad = await cli(["status", "--store", "mysql://x:1"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unsupported scheme 'mysql:\/\/'/);
    } finally {
      await kv.close();
    }
  });
});
