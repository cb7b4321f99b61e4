// Warning headers as kube-apiserver writes them (apiserver endpoints/filters/warning.go and
// apimachinery util/net NewWarningHeader): `299 - "<text>"`, `"` and `\` escaped, the text's UTF-8
// bytes sent as is; a text with control characters or invalid UTF-8 is dropped (never an error);
// duplicates are dropped; past 4096 runes in total every text is cut to 256 runes, and once the
// total is reached again the rest are omitted. Pure: no I/O.

const TRUNCATE_AT_TOTAL_RUNES = 4 * 1024;
const TRUNCATE_ITEM_RUNES = 256;

// Go's unicode.IsControl: C0, DEL and C1.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A lone surrogate: a JS string that is not valid UTF-8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `299 - "text"` for valid text, undefined where NewWarningHeader would refuse it. */
export function warningHeader(text: string): string | undefined {
  if (LONE_SURROGATE.test(text) || CONTROL.test(text)) return undefined;
  return `299 - "${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function runes(s: string): string[] {
  return Array.from(s);
}

/** The Warning header values for a response, in order. */
export function warningHeaders(texts: readonly string[]): string[] {
  const seen = new Set<string>();
  const ordered: string[] = [];
  let out: string[] = [];
  let written = 0;
  let truncating = false;
  const cut = (t: string) => {
    const r = runes(t);
    return r.length > TRUNCATE_ITEM_RUNES ? r.slice(0, TRUNCATE_ITEM_RUNES).join("") : t;
  };
  for (const original of texts) {
    if (!original || seen.has(original)) continue;
    if (truncating && written >= TRUNCATE_AT_TOTAL_RUNES) break;
    seen.add(original);
    ordered.push(original);
    const text = truncating ? cut(original) : original;
    const header = warningHeader(text);
    if (header === undefined) continue;
    const len = runes(text).length;
    if (written + len <= TRUNCATE_AT_TOTAL_RUNES || truncating) {
      written += len;
      out.push(header);
      continue;
    }
    // Over the limit: replay everything so far, each cut to 256 runes.
    truncating = true;
    written = 0;
    out = [];
    for (const w of ordered) {
      const t = cut(w);
      const h = warningHeader(t);
      if (h === undefined) continue;
      written += runes(t).length;
      out.push(h);
    }
  }
  return out;
}

/**
 * Node writes header strings as Latin-1; Go writes a header's bytes as they are. Sending each UTF-8
 * byte as one Latin-1 character puts the same bytes on the wire as kube-apiserver does.
 */
export function asHeaderBytes(value: string): string {
  return Buffer.from(value, "utf8").toString("latin1");
}
