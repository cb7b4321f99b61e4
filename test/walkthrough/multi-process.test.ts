// The seed walkthrough with azl against two front doors over one store, each command sent to the
// next one in turn (test/walkthrough/seed-walkthrough.ts): resources, operations, clusters and
// their credentials made through one are used through the other. Twice: two front doors in one
// child process over one SQLite store (test/helpers/fleet.ts), on 127.0.0.2 and 127.0.0.3; and two
// separate `aksemu start --store etcd://...` processes over a real 3-member etcd.
import { startFleet } from "../helpers/fleet.js";
import { needEtcdServer, startEtcdCluster } from "../helpers/etcd-cluster.js";
import { seedWalkthrough } from "./seed-walkthrough.js";

seedWalkthrough("the seed walkthrough with azl, alternating between 2 front doors over one store", () => startFleet({ count: 2, allowRunCommand: true }));

seedWalkthrough(
  "the seed walkthrough with azl, alternating between 2 aksemu processes over a 3-member etcd",
  async () => {
    const cluster = await startEtcdCluster();
    try {
      const fleet = await startFleet({ count: 2, allowRunCommand: true, store: cluster.storeUrl });
      return { ...fleet, stop: async () => { await fleet.stop(); await cluster.stop(); } };
    } catch (e) {
      await cluster.stop();
      throw e;
    }
  },
  { skip: needEtcdServer() },
);
