// Microsoft.Authorization provider plugin: role definitions (built-in as data, custom as
// records), role assignments (extension resources on any scope) and the RBAC evaluation
// behind src/arm/rbac.ts `can()`.
import type { ProviderPlugin } from "../plugin.js";
import type { RequestContext } from "../../http/context.js";
import { setRbacImplementation } from "../../arm/rbac.js";
import { requireApiVersion, sendPage } from "../../arm/generic.js";
import { resolveApiVersion, sortApiVersions } from "../../arm/api-version.js";
import { E } from "../../arm/catalog.js";
import { roleDefinitionType, ROLE_DEFINITION_API_VERSIONS, renderRoleDefinition, builtInRoleRecordAt, listRoleDefinitionsAt, roleDefinitionStrategy } from "./role-definitions.js";
import { roleAssignmentType, canPrincipal } from "./role-assignments.js";
import { AuthzErrors } from "./errors.js";

export const authorizationProvider: ProviderPlugin = {
  name: "Microsoft.Authorization",
  register(h) {
    h.registerType(roleDefinitionType());
    h.registerType(roleAssignmentType());
    setRbacImplementation(canPrincipal);
    // Tenant-root reads (/providers/Microsoft.Authorization/roleDefinitions[/{id}]): the
    // generic handler only serves subscription-rooted ids.
    const version = (ctx: RequestContext) => {
      const v = requireApiVersion(ctx);
      const ok = resolveApiVersion(v, ROLE_DEFINITION_API_VERSIONS);
      if (!ok) throw E.invalidApiVersion.make({ v, list: sortApiVersions(ROLE_DEFINITION_API_VERSIONS).join(",") });
      return ok.effective;
    };
    h.addRoutes([
      {
        method: "GET",
        pattern: "/providers/Microsoft.Authorization/roleDefinitions",
        handler: (ctx) => {
          const v = version(ctx);
          const recs = listRoleDefinitionsAt(h.env.store, "/", ctx.query("$filter"));
          sendPage(ctx, recs.map((r) => renderRoleDefinition(r, v)), (x) => String(x.name));
        },
      },
      {
        method: "GET",
        pattern: "/providers/Microsoft.Authorization/roleDefinitions/{id}",
        handler: (ctx, p) => {
          const v = version(ctx);
          const rec = builtInRoleRecordAt("/", p.id!) ?? roleDefinitionStrategy.lookup?.(h.env.store, `/providers/Microsoft.Authorization/roleDefinitions/${p.id}`, h.env);
          if (!rec) throw AuthzErrors.roleDefinitionNotFound.make({ id: p.id! });
          ctx.send(200, renderRoleDefinition(rec, v));
        },
      },
    ]);
  },
};
