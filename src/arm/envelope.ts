// The ARM envelope every resource body shares (`location`, `tags`), checked once for PUT and PATCH
// of every type before anything is stored: a body whose envelope cannot be read as ARM reads it
// (Newtonsoft into string / Dictionary<string, string>) is a 400, never a stored value that wedges
// the resource. Providers only say how they word the error (`ResourceStrategy.envelopeError`).
import { E } from "./catalog.js";
import type { ArmError } from "./errors.js";

export interface EnvelopeProblem {
  /** Property path, e.g. `tags.env` or `location`. */
  path: string;
  /** Newtonsoft's wording of the failure (what ARM and the RPs put in their messages). */
  detail: string;
}

function shown(v: unknown): string {
  if (v === null) return "{null}";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Why `tags` is not a Dictionary<string, string>, or undefined when it is fine (absent or null too). */
export function tagsProblem(tags: unknown): string | undefined {
  return tagsEnvelopeProblem(tags)?.detail;
}

function tagsEnvelopeProblem(tags: unknown): EnvelopeProblem | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== "object" || Array.isArray(tags)) {
    return { path: "tags", detail: `Error converting value ${JSON.stringify(tags)} to type 'System.Collections.Generic.Dictionary\`2[System.String,System.String]'. Path 'tags'.` };
  }
  for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
    if (typeof v !== "string") return { path: `tags.${k}`, detail: `Error converting value ${shown(v)} to type 'System.String'. Path 'tags.${k}'.` };
  }
  return undefined;
}

/** `location` is absent, null or a string (a region name is checked later, by the handler). */
function locationProblem(location: unknown): EnvelopeProblem | undefined {
  if (location === undefined || location === null || typeof location === "string") return undefined;
  if (typeof location === "object") {
    return { path: "location", detail: `Unexpected character encountered while parsing value: ${Array.isArray(location) ? "[" : "{"}. Path 'location'.` };
  }
  return { path: "location", detail: `Error converting value ${shown(location)} to type 'System.String'. Path 'location'.` };
}

/** The first envelope problem of a PUT or PATCH body, or undefined. */
export function envelopeProblem(body: { location?: unknown; tags?: unknown }): EnvelopeProblem | undefined {
  return locationProblem(body.location) ?? tagsEnvelopeProblem(body.tags);
}

/** ARM's own wording (resource groups, and types whose provider says nothing else). */
export function defaultEnvelopeError(p: EnvelopeProblem): ArmError {
  return E.invalidRequestContent.make({ detail: p.detail });
}
