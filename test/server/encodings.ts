// Every spelling of a path a router might still decode to it (used by the deny-by-default tests).
const hex = (c: string, upper: boolean) => {
  const h = "%" + c.charCodeAt(0).toString(16).padStart(2, "0");
  return upper ? h.toUpperCase() : h;
};

/** The same path spelled every way a router might still decode to it. */
export function encodings(path: string): Array<[string, string]> {
  const segs = path.split("/").slice(1);
  const join = (xs: string[]) => "/" + xs.join("/");
  const each = (f: (s: string, i: number) => string) => join(segs.map(f));
  return [
    ["plain", path],
    ["first char, lower-case hex", each((s, i) => (i === 0 ? hex(s[0]!, false) + s.slice(1) : s))],
    ["second char of every segment", each((s) => (s.length > 1 ? s[0] + hex(s[1]!, false) + s.slice(2) : s))],
    ["every char, upper-case hex", each((s) => [...s].map((c) => hex(c, true)).join(""))],
    ["every char, lower-case hex", each((s) => [...s].map((c) => hex(c, false)).join(""))],
    ["double encoding", each((s, i) => (i === 0 ? "%25" + s.charCodeAt(0).toString(16) + s.slice(1) : s))],
    ["%2F for the first slash", "/" + segs[0] + (segs.length > 1 ? "%2F" + segs.slice(1).join("/") : "")],
    ["%2f for every slash", "/" + segs.join("%2f")],
    ["/./", "/." + path],
    ["/x/../", "/x/.." + path],
    ["encoded dot segments", "/%2e/x/%2E%2E" + path],
    ["//", "//" + segs.join("//")],
    ["upper case", path.toUpperCase()],
    ["backslashes", "/" + segs.join("\\")],
    ["absolute-form target", "https://127.0.0.1" + path],
    ["trailing slash", path + "/"],
  ];
}
