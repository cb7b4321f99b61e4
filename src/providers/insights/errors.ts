// Errors of the activity-log API (Microsoft.Insights/eventtypes/management/values). Azure's own
// wording for a bad $filter is not published; these are the emulator's, naming the part it could not read.
import { defineError } from "../../arm/errors.js";

const g = "Insights";

export const InsightsErrors = {
  filterRequired: defineError({ group: g, code: "BadRequest", status: 400,
    template: "The $filter query parameter is required and must contain \"eventTimestamp ge '<start time>'\" (for example $filter=eventTimestamp ge '2026-01-01T00:00:00Z' and eventTimestamp le '2026-01-02T00:00:00Z').",
    source: "emulator" }),
  filterInvalid: defineError<{ part: string }>({ group: g, code: "BadRequest", status: 400,
    template: "The $filter condition '{part}' is not supported: use eventTimestamp ge|le '<time>' and <field> eq '<value>', the field one of resourceGroupName, resourceUri, resourceId, resourceProvider, correlationId, caller, status, eventChannels, levels, joined by 'and'.",
    source: "emulator" }),
  filterTooLong: defineError<{ length: number; max: number }>({ group: g, code: "BadRequest", status: 400,
    template: "The $filter query parameter is {length} characters long; the emulator reads filters no longer than {max} characters.",
    source: "emulator" }),
};
