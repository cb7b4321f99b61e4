// Evaluates expressions and JSON trees that contain them. `if` evaluates only the chosen branch
// (so a reference() in the other branch is never asked for); `lambda` captures its body.
import { type Expr, classify, parseExpression, ExpressionSyntaxError } from "./expression.js";
import { ExpressionError, inner } from "./errors.js";
import { type EvalContext, type Value, type Lambda, lookupFunction, isLambda } from "./functions.js";
import { type Json, type JsonObject, isObject, findKey } from "./values.js";

const EXPRESSION_LIMIT = 24576;
const parsed = new Map<string, Expr>();

/** Parse with a small cache (templates repeat the same expressions across copies). */
export function parseCached(text: string): Expr {
  let e = parsed.get(text);
  if (!e) {
    if (text.length + 2 > EXPRESSION_LIMIT) throw new ExpressionError(inner.expressionTooLong(text.length + 2));
    try {
      e = parseExpression(text);
    } catch (err) {
      if (err instanceof ExpressionSyntaxError) throw new ExpressionError(`The template language expression '${text}' is not valid: ${err.message}.`);
      throw err;
    }
    if (parsed.size > 10000) parsed.clear();
    parsed.set(text, e);
  }
  return e;
}

export function evaluateExpr(e: Expr, ctx: EvalContext): Value {
  switch (e.kind) {
    case "string":
    case "number":
      return e.value;
    case "property": {
      const t = evaluateExpr(e.target, ctx);
      return property(t, e.name);
    }
    case "index": {
      const t = evaluateExpr(e.target, ctx);
      const i = evaluateExpr(e.index, ctx);
      if (Array.isArray(t)) {
        if (typeof i !== "number" || !Number.isInteger(i)) throw new ExpressionError(`The language expression array index '${String(i)}' is not an integer.`);
        if (i < 0 || i >= t.length) throw new ExpressionError(`The language expression property array index '${i}' is out of bounds.`);
        return t[i]!;
      }
      if (typeof i === "string") return property(t, i);
      throw new ExpressionError(`The language expression property '${String(i)}' can't be evaluated.`);
    }
    case "call": {
      const lower = e.name.toLowerCase();
      if (lower === "if") {
        if (e.args.length !== 3) throw new ExpressionError(`The template language function 'if' must have 3 parameter(s), but ${e.args.length} were provided`);
        const c = evaluateExpr(e.args[0]!, ctx);
        if (typeof c !== "boolean") throw new ExpressionError(`The template language function 'if' expects its first parameter to be a boolean.`);
        return evaluateExpr(e.args[c ? 1 : 2]!, ctx);
      }
      if (lower === "lambda") {
        const params = e.args.slice(0, -1).map((a) => {
          if (a.kind !== "string") throw new ExpressionError("The parameters of 'lambda' must be string literals.");
          return a.value;
        });
        return { lambda: true, params, body: e.args[e.args.length - 1]!, vars: new Map(ctx.lambdaVars) } satisfies Lambda;
      }
      const args = e.args.map((a) => evaluateExpr(a, ctx));
      if (e.name.includes(".")) {
        const r = ctx.userFunction?.(e.name, args as Json[]);
        if (r === undefined) throw new ExpressionError(inner.unknownFunction(e.name));
        return r;
      }
      const f = lookupFunction(e.name);
      if (!f) throw new ExpressionError(inner.unknownFunction(e.name));
      return f(args, ctx, e.name);
    }
  }
}

function property(t: Value, name: string): Json {
  if (isLambda(t)) throw new ExpressionError(`The language expression property '${name}' can't be evaluated.`);
  if (!isObject(t)) throw new ExpressionError(`The language expression property '${name}' can't be evaluated, property name must be a string.`);
  const k = findKey(t, name);
  if (k === undefined) throw new ExpressionError(`The language expression property '${name}' doesn't exist, available properties are '${Object.keys(t).join(", ")}'.`);
  return t[k]!;
}

/** Evaluates one template string: an expression, or a literal (with `[[` unescaped). */
export function evaluateString(s: string, ctx: EvalContext): Json {
  const c = classify(s);
  if ("literal" in c) return c.literal;
  const v = evaluateExpr(parseCached(c.expression), ctx);
  if (isLambda(v)) throw new ExpressionError("A lambda expression can only be passed to a function that takes one.");
  return v;
}

/**
 * Evaluates a JSON tree: every string, and every object key, that is an expression.
 * `propertyCopy` expands `"copy": [{name, count, input}]` property loops (resource properties).
 * A key or value that evaluates to null is dropped from objects, as ARM does.
 */
export function evaluateTree(v: Json, ctx: EvalContext, opts: { propertyCopy?: (o: JsonObject) => JsonObject } = {}): Json {
  if (typeof v === "string") return evaluateString(v, ctx);
  if (Array.isArray(v)) return v.map((x) => evaluateTree(x, ctx, opts));
  if (isObject(v)) {
    const src = opts.propertyCopy && Array.isArray(v.copy) ? opts.propertyCopy(v) : v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(src)) {
      const key = evaluateString(k, ctx);
      if (typeof key !== "string") throw new ExpressionError(`The template property name '${k}' must evaluate to a string.`);
      out[key] = evaluateTree(x, ctx, opts);
    }
    return out;
  }
  return v;
}

/** Applies a lambda: its parameters become lambdaVariables for the body. */
export function applyLambda(l: Lambda, args: Json[], ctx: EvalContext): Json {
  const vars = new Map(l.vars);
  l.params.forEach((p, i) => vars.set(p, args[i] ?? null));
  const saved = ctx.lambdaVars;
  ctx.lambdaVars = vars;
  try {
    const r = evaluateExpr(l.body, ctx);
    if (isLambda(r)) throw new ExpressionError("A lambda expression can only be passed to a function that takes one.");
    return r;
  } finally {
    ctx.lambdaVars = saved;
  }
}
