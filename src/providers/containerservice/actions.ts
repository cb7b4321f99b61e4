// POST stop/start/runCommand and the emulator's read-only GET emulatorView.
import type { ActionCtx, ActionDef, ActionResult } from "../../arm/types.js";
import { AksErrors } from "./errors.js";
import { emulatorView } from "./views.js";

/** AKS command ids are 32 hex digits (the operation's UUID without hyphens). */
export function commandId(opName: string): string {
  return opName.replace(/-/g, "");
}

/** The operation name of a command id (either form). */
export function opNameOfCommandId(id: string): string {
  return /^[0-9a-f]{32}$/i.test(id) ? `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`.toLowerCase() : id;
}

const stopped = (ctx: ActionCtx) => ctx.record.properties.powerState?.code === "Stopped";

export const clusterActions: Record<string, ActionDef> = {
  stop: {
    method: "POST",
    run(ctx): ActionResult {
      if (stopped(ctx)) throw AksErrors.clusterAlreadyStopped.make({});
      if (ctx.record.properties.hostedSystemProfile?.enabled === true) throw AksErrors.stopManagedSystemPool.make({});
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
      // az/azl `command invoke --no-wait` read the command id from .../commandResults/{id}.
      const locationPath = (opName: string) => `${ctx.record.id}/commandResults/${commandId(opName)}?api-version=${ctx.apiVersion}`;
      return { async: { stage: "runCommand", delayMs: ctx.env.latency.delay("managedClusters.runCommand"), data: { command }, locationPath } };
    },
  },
  emulatorView: {
    method: "GET",
    run(ctx): ActionResult {
      return { status: 200, body: emulatorView(ctx.record) };
    },
  },
};
