// POST stop/start/runCommand and the emulator's read-only GET emulatorView.
import type { ActionCtx, ActionDef, ActionResult } from "../../arm/types.js";
import { AksErrors } from "./errors.js";
import { emulatorView } from "./views.js";

const stopped = (ctx: ActionCtx) => ctx.record.properties.powerState?.code === "Stopped";

export const clusterActions: Record<string, ActionDef> = {
  stop: {
    method: "POST",
    run(ctx): ActionResult {
      if (stopped(ctx)) throw AksErrors.clusterAlreadyStopped.make({});
      return { async: { stage: "stop", delayMs: ctx.env.latency.delay("managedClusters.stop"), provisioningState: "Stopping" } };
    },
  },
  start: {
    method: "POST",
    run(ctx): ActionResult {
      if (!stopped(ctx)) throw AksErrors.clusterAlreadyRunning.make({});
      return { async: { stage: "start", delayMs: ctx.env.latency.delay("managedClusters.start"), provisioningState: "Starting" } };
    },
  },
  runCommand: {
    method: "POST",
    run(ctx): ActionResult {
      if (ctx.record.properties.apiServerAccessProfile?.disableRunCommand === true) throw AksErrors.runCommandDisabled.make({});
      if (stopped(ctx)) throw AksErrors.clusterStopped.make({ op: "runCommand" });
      const command = ctx.body?.command;
      if (typeof command !== "string" || command.trim() === "") throw AksErrors.invalidRunCommand.make({});
      return { async: { stage: "runCommand", delayMs: ctx.env.latency.delay("managedClusters.runCommand"), data: { command } } };
    },
  },
  emulatorView: {
    method: "GET",
    run(ctx): ActionResult {
      return { status: 200, body: emulatorView(ctx.record) };
    },
  },
};
