// Errors of the console's data API (the emulator's own; Azure has no such API).
import { defineError } from "../arm/errors.js";

const g = "Console";

export const ConsoleErrors = {
  consoleKeyRequired: defineError({ group: g, code: "AuthenticationFailed", status: 401,
    template: "The console's data API needs the console key of this emulator run: open the console link 'aksemu start' printed (it carries the key after '#key=').",
    source: "emulator" }),
  consoleNotLoopback: defineError<{ peer: string }>({ group: g, code: "AuthorizationFailed", status: 403,
    template: "The console's data API answers loopback clients only; this request came from '{peer}'.",
    source: "emulator" }),
  consoleAssetNotFound: defineError<{ path: string }>({ group: g, code: "NotFound", status: 404,
    template: "The console has no file '{path}'.", source: "emulator" }),
  consoleResourceNotFound: defineError<{ id: string }>({ group: g, code: "ResourceNotFound", status: 404,
    template: "The resource '{id}' was not found.", source: "emulator" }),
  consoleNotBuilt: defineError<{ dir: string }>({ group: g, code: "ConsoleNotBuilt", status: 503,
    template: "The console's bundle is missing from '{dir}'; run 'npm run build'.", source: "emulator" }),
};
