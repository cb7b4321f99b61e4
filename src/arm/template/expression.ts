// The ARM template expression language (docs `template-expressions.md`): a JSON string that
// starts with `[` and ends with `]` is an expression, `[[` at the start escapes a literal `[`.
// Grammar: expr := primary accessor* ; primary := call | 'string' | integer ;
// call := name ('.' name)? '(' (expr (',' expr)*)? ')' ; accessor := '.' name | '[' expr ']'.
// Strings are single-quoted with '' for a quote. Pure: text in, syntax tree out.

export type Expr =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "call"; name: string; args: Expr[]; pos: number }
  | { kind: "property"; target: Expr; name: string }
  | { kind: "index"; target: Expr; index: Expr };

export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** What a template string is: a literal (after `[[` unescaping) or an expression to evaluate. */
export type TemplateString = { literal: string } | { expression: string };

export function classify(s: string): TemplateString {
  if (s.length >= 2 && s.startsWith("[") && s.endsWith("]")) {
    if (s.startsWith("[[")) return { literal: s.slice(1) };
    return { expression: s.slice(1, -1) };
  }
  return { literal: s };
}

export function isExpression(s: unknown): s is string {
  return typeof s === "string" && "expression" in classify(s);
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT = /[A-Za-z0-9_$\-]/;

/**
 * How deep an expression tree may nest (calls, property and index steps). The parser and the
 * evaluator recurse over the tree, so a bound keeps a hostile template a 400, not a stack overflow.
 */
export const MAX_EXPRESSION_DEPTH = 256;

/** Parses the inside of `[...]`. Throws ExpressionSyntaxError with ARM's wording. */
export function parseExpression(text: string): Expr {
  let i = 0;
  let depth = 0;
  const deeper = () => {
    if (++depth > MAX_EXPRESSION_DEPTH) fail(`The template language expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new ExpressionSyntaxError(what, i);
  };
  const ident = (): string => {
    const start = i;
    if (!IDENT_START.test(text[i] ?? "")) fail(`Expected an identifier at position '${i}'`);
    while (i < text.length && IDENT.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  const primary = (): Expr => {
    ws();
    const c = text[i];
    if (c === undefined) return fail("The language expression is empty or incomplete");
    if (c === "'") {
      i++;
      let out = "";
      for (;;) {
        if (i >= text.length) fail("The language expression literal string is not terminated");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        out += text[i++];
      }
      return { kind: "string", value: out };
    }
    if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(text[i + 1] ?? ""))) {
      const start = i;
      i++;
      while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      if (text[i] === "." && /[0-9]/.test(text[i + 1] ?? "")) {
        i++;
        while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      }
      const n = Number(text.slice(start, i));
      if (!Number.isFinite(n)) fail(`The number '${text.slice(start, i)}' is not valid`);
      return { kind: "number", value: n };
    }
    const pos = i;
    let name = ident();
    ws();
    if (text[i] === "." && IDENT_START.test(text[i + 1] ?? "")) {
      // user-defined function: namespace.member(...)
      const save = i;
      i++;
      const member = ident();
      ws();
      if (text[i] === "(") name = `${name}.${member}`;
      else i = save;
    }
    ws();
    if (text[i] !== "(") fail(`The template language expression '${text}' is not valid: the function '${name}' is not followed by '('`);
    i++;
    const args: Expr[] = [];
    ws();
    if (text[i] === ")") i++;
    else {
      for (;;) {
        args.push(expr());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === ")") {
          i++;
          break;
        }
        fail(`Expected ',' or ')' at position '${i}'`);
      }
    }
    return { kind: "call", name, args, pos };
  };
  const expr = (): Expr => {
    const entry = depth;
    deeper();
    let e = primary();
    for (;;) {
      ws();
      if (text[i] === "." || text[i] === "[") deeper(); // each step wraps the tree one level deeper
      if (text[i] === ".") {
        i++;
        ws();
        e = { kind: "property", target: e, name: ident() };
      } else if (text[i] === "[") {
        i++;
        const index = expr();
        ws();
        if (text[i] !== "]") fail(`Expected ']' at position '${i}'`);
        i++;
        e = { kind: "index", target: e, index };
      } else {
        depth = entry;
        return e;
      }
    }
  };
  const e = expr();
  ws();
  if (i < text.length) fail(`Unexpected character '${text[i]}' at position '${i}'`);
  return e;
}

/** Every call in a tree, outermost first (used to find reference()/list*() for implicit dependencies). */
export function calls(e: Expr, out: Extract<Expr, { kind: "call" }>[] = []): Extract<Expr, { kind: "call" }>[] {
  switch (e.kind) {
    case "call":
      out.push(e);
      for (const a of e.args) calls(a, out);
      break;
    case "property":
      calls(e.target, out);
      break;
    case "index":
      calls(e.target, out);
      calls(e.index, out);
      break;
  }
  return out;
}
