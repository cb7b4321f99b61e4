// Microsoft.ManagedIdentity errors.
import { defineError } from "../../arm/errors.js";

const g = "Microsoft.ManagedIdentity";

export const MsiErrors = {
  invalidIdentityName: defineError<{ name: string }>({ group: g, code: "InvalidResourceName", status: 400,
    template: "Resource name '{name}' is invalid. The name must be 3 to 128 characters long, start with a letter or number, and contain only letters, numbers, hyphens and underscores.",
    verbatim: false, source: "emulator wording; rule from learn.microsoft.com/azure/templates/microsoft.managedidentity/userassignedidentities (3-128, alphanumerics, hyphens, underscores, start with letter or number)" }),
  federatedCredentialPropertyRequired: defineError<{ prop: string }>({ group: g, code: "BadRequest", status: 400,
    template: "The property '{prop}' is required for a federated identity credential.",
    source: "emulator" }),
  invalidRequestPayload: defineError<{ detail: string }>({ group: g, code: "InvalidRequestPayload", status: 400,
    template: "The request payload is invalid: {detail}",
    source: "emulator" }),
};
