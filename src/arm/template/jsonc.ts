// The lenient JSON ARM reads request bodies with (Newtonsoft's JsonTextReader): `//` and `/* */`
// comments, unquoted property names, single-quoted strings, raw newlines inside strings and
// trailing commas. az relies on it: it splices the template file's text into the body after an
// unquoted `template:` key (azure-cli JsoncTemplatePolicy). Also records where every value starts,
// so template errors can say "at line 'L' and column 'C'" like ARM. Pure.
import type { Json, JsonObject } from "./values.js";

export interface Position {
  line: number;
  column: number;
}

/** Newtonsoft-style reader error: "<what>. Path '<path>', line <l>, position <p>." */
export class JsoncError extends Error {
  constructor(
    what: string,
    readonly path: string,
    readonly position: Position,
  ) {
    super(`${what}. Path '${path}', line ${position.line}, position ${position.column}.`);
  }
}

export interface Parsed {
  value: Json;
  /** JSON path ("properties.template.resources[0].name") → where its value starts (1-based) */
  positions: Map<string, Position>;
}

export function parseJsonc(text: string, opts: { maxDepth?: number } = {}): Parsed {
  const maxDepth = opts.maxDepth ?? 256;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const positions = new Map<string, Position>();
  const here = (): Position => ({ line, column: i - lineStart + 1 });

  const advance = () => {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
    i++;
  };
  const fail = (what: string, path: string): never => {
    throw new JsoncError(what, path, { line, column: i - lineStart });
  };
  const skip = (path: string) => {
    for (;;) {
      const c = text[i];
      if (c === undefined) return;
      if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\ufeff") advance();
      else if (c === "/" && text[i + 1] === "/") while (i < text.length && text[i] !== "\n") advance();
      else if (c === "/" && text[i + 1] === "*") {
        const end = text.indexOf("*/", i + 2);
        if (end < 0) fail("Unexpected end while parsing comment", path);
        while (i < end + 2) advance();
      } else return;
    }
  };
  const str = (path: string): string => {
    const q = text[i]!;
    advance();
    let out = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("Unterminated string. Expected delimiter: " + q, path);
      if (c === q) {
        advance();
        return out;
      }
      if (c === "\\") {
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', "'": "'", "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`Invalid Unicode escape sequence: \\u${hex}`, path);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && e in map) {
          out += map[e];
          i += 2;
        } else fail(`Bad JSON escape sequence: \\${e ?? ""}`, path);
        continue;
      }
      out += c;
      advance();
    }
  };
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const value = (path: string, depth: number): Json => {
    skip(path);
    positions.set(path, here());
    const c = text[i];
    if (c === undefined) return fail("Unexpected end when reading JSON", path);
    if (depth > maxDepth) fail(`The reader's MaxDepth of ${maxDepth} has been exceeded`, path);
    if (c === "{") {
      advance();
      const o: JsonObject = {};
      for (;;) {
        skip(path);
        if (text[i] === "}") {
          advance();
          return o;
        }
        let key: string;
        if (text[i] === '"' || text[i] === "'") key = str(path);
        else {
          const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 256));
          if (!m) return fail(`Invalid property identifier character: ${text[i]}`, path);
          key = m[0];
          for (let k = 0; k < key.length; k++) advance();
        }
        skip(path);
        if (text[i] !== ":") fail(`Invalid character after parsing property name. Expected ':' but got: ${text[i] ?? "end"}`, join(path, key));
        advance();
        o[key] = value(join(path, key), depth + 1);
        skip(path);
        if (text[i] === ",") advance();
        else if (text[i] !== "}") fail(`After parsing a value an unexpected character was encountered: ${text[i] ?? "end"}`, join(path, key));
      }
    }
    if (c === "[") {
      advance();
      const a: Json[] = [];
      for (;;) {
        skip(path);
        if (text[i] === "]") {
          advance();
          return a;
        }
        a.push(value(`${path}[${a.length}]`, depth + 1));
        skip(path);
        if (text[i] === ",") advance();
        else if (text[i] !== "]") fail(`After parsing a value an unexpected character was encountered: ${text[i] ?? "end"}`, `${path}[${a.length - 1}]`);
      }
    }
    if (c === '"' || c === "'") return str(path);
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) return fail(`Unexpected character encountered while parsing value: ${c}`, path);
    for (let k = 0; k < m[0].length; k++) advance();
    return m[0] === "true" ? true : m[0] === "false" ? false : m[0] === "null" ? null : Number(m[0]);
  };
  const v = value("", 0);
  skip("");
  if (i < text.length) fail(`Additional text encountered after finished reading JSON content: ${text[i]}`, "");
  return { value: v, positions };
}
