// NRP's wording of an envelope (`location`, `tags`) it cannot read: 400 InvalidRequestFormat with
// an InvalidJson detail carrying Newtonsoft's text (the check itself is ARM's, arm/envelope.ts).
import type { ArmError } from "../../arm/errors.js";
import type { EnvelopeProblem } from "../../arm/envelope.js";
import { NetErrors } from "./errors.js";

export function nrpEnvelopeError(p: EnvelopeProblem): ArmError {
  return NetErrors.invalidRequestFormat.make({}, { details: [{ code: "InvalidJson", message: p.detail }] }) as ArmError;
}
