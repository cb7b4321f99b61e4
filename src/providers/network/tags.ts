// ARM's tags rule, shared by resource groups, Network and Managed Identity: `tags` is absent, null,
// or an object whose values are all strings. The answer is what Newtonsoft says when ARM / an RP
// fails to read it as Dictionary<string, string> (the caller wraps it in its own error style).
import type { ArmError } from "../../arm/errors.js";
import { NetErrors } from "./errors.js";

/** Why `tags` is not a Dictionary<string, string>, or undefined when it is fine (absent or null too). */
export function tagsProblem(tags: unknown): string | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== "object" || Array.isArray(tags)) {
    return `Error converting value ${JSON.stringify(tags)} to type 'System.Collections.Generic.Dictionary\`2[System.String,System.String]'. Path 'tags'.`;
  }
  for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
    if (typeof v !== "string") {
      const shown = v === null ? "{null}" : typeof v === "object" ? JSON.stringify(v) : String(v);
      return `Error converting value ${shown} to type 'System.String'. Path 'tags.${k}'.`;
    }
  }
  return undefined;
}

/** NRP's answer to a body whose tags it cannot read: 400 InvalidRequestFormat with an InvalidJson detail. */
export function checkNrpTags(tags: unknown): void {
  const problem = tagsProblem(tags);
  if (problem) throw NetErrors.invalidRequestFormat.make({}, { details: [{ code: "InvalidJson", message: problem }] }) as ArmError;
}
