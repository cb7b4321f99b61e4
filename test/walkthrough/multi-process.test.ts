// The seed walkthrough with azl against two front doors over one store, each command sent to the
// next one in turn (test/walkthrough/seed-walkthrough.ts): resources, operations, clusters and
// their credentials made through one are used through the other. Here the two run in one child
// process over one SQLite store (test/helpers/fleet.ts), on 127.0.0.2 and 127.0.0.3.
import { startFleet } from "../helpers/fleet.js";
import { seedWalkthrough } from "./seed-walkthrough.js";

seedWalkthrough("the seed walkthrough with azl, alternating between 2 front doors over one store", () => startFleet({ count: 2, allowRunCommand: true }));
