// Nesting depth of a JSON text, measured without parsing or recursion, so a body nested
// 100,000 levels deep is refused with a 400 before anything walks it recursively. Pure.

/** The deepest ARM request body the emulator accepts (ARM resource models nest ~10 levels). */
export const MAX_JSON_DEPTH = 64;

/** True when the text opens more than `limit` nested objects/arrays at some point. */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}
