// Small ports of Python standard-library behaviour that az's output depends on:
// textwrap.TextWrapper.fill (help layout) and difflib.get_close_matches (suggestions).

// ---------------------------------------------------------------------------------- textwrap
// Python 3 textwrap.TextWrapper.wordsep_re, ASCII flavour (\w and letters as in ASCII text).
const WS = "[\\t\\n\\x0b\\x0c\\r ]";
const NWS = "[^\\t\\n\\x0b\\x0c\\r ]";
const WP = "[\\w!\"'&.,?]";
const LT = "[A-Za-z_]";
const WORDSEP_RE = new RegExp(
  `(${WS}+` +
    `|(?<=${WP})-{2,}(?=\\w)` +
    `|${NWS}+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})|(?=${WS}|$)|(?<=${WP})(?=-{2,}\\w)))`,
  "g",
);

function splitChunks(text: string): string[] {
  // re.split with a capturing group keeps the separators; empty strings are dropped by textwrap.
  const chunks: string[] = [];
  let last = 0;
  WORDSEP_RE.lastIndex = 0;
  for (let m = WORDSEP_RE.exec(text); m; m = WORDSEP_RE.exec(text)) {
    if (m[0] === "") {
      WORDSEP_RE.lastIndex++;
      continue;
    }
    if (m.index > last) chunks.push(text.slice(last, m.index));
    chunks.push(m[0]);
    last = m.index + m[0].length;
  }
  if (last < text.length) chunks.push(text.slice(last));
  return chunks.filter((c) => c !== "");
}

export interface WrapOptions {
  width: number;
  initialIndent?: string;
  subsequentIndent?: string;
}

/** textwrap.TextWrapper(replace_whitespace=False, ...).wrap(text) */
export function pyWrap(text: string, opts: WrapOptions): string[] {
  const initialIndent = opts.initialIndent ?? "";
  const subsequentIndent = opts.subsequentIndent ?? "";
  text = text.replace(/\t/g, "        ");
  const chunks = splitChunks(text).reverse();
  const lines: string[] = [];
  while (chunks.length) {
    const curLine: string[] = [];
    let curLen = 0;
    const indent = lines.length ? subsequentIndent : initialIndent;
    const width = opts.width - indent.length;
    if (chunks[chunks.length - 1]!.trim() === "" && lines.length) chunks.pop();
    while (chunks.length) {
      const l = chunks[chunks.length - 1]!.length;
      if (curLen + l <= width) {
        curLine.push(chunks.pop()!);
        curLen += l;
      } else break;
    }
    if (chunks.length && chunks[chunks.length - 1]!.length > width) {
      // _handle_long_word (break_long_words and break_on_hyphens are on)
      const spaceLeft = width < 1 ? 1 : width - curLen;
      const chunk = chunks[chunks.length - 1]!;
      let end = spaceLeft;
      if (chunk.length > spaceLeft) {
        const hyphen = chunk.lastIndexOf("-", spaceLeft - 1);
        if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) end = hyphen + 1;
      }
      curLine.push(chunk.slice(0, end));
      chunks[chunks.length - 1] = chunk.slice(end);
      curLen = curLine.reduce((a, c) => a + c.length, 0);
    }
    if (curLine.length && curLine[curLine.length - 1]!.trim() === "") {
      curLen -= curLine[curLine.length - 1]!.length;
      curLine.pop();
    }
    if (curLine.length) lines.push(indent + curLine.join(""));
  }
  return lines;
}

export function pyFill(text: string, opts: WrapOptions): string {
  return pyWrap(text, opts).join("\n");
}

// ----------------------------------------------------------------------------------- difflib
function matchingBlocksCount(a: string, b: string): number {
  // SequenceMatcher without junk (autojunk only matters for len(b) >= 200).
  const b2j = new Map<string, number[]>();
  for (let i = 0; i < b.length; i++) {
    const ch = b[i]!;
    const arr = b2j.get(ch);
    if (arr) arr.push(i);
    else b2j.set(ch, [i]);
  }
  const findLongest = (alo: number, ahi: number, blo: number, bhi: number): [number, number, number] => {
    let besti = alo;
    let bestj = blo;
    let bestsize = 0;
    let j2len = new Map<number, number>();
    for (let i = alo; i < ahi; i++) {
      const newj2len = new Map<number, number>();
      for (const j of b2j.get(a[i]!) ?? []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) ?? 0) + 1;
        newj2len.set(j, k);
        if (k > bestsize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestsize = k;
        }
      }
      j2len = newj2len;
    }
    return [besti, bestj, bestsize];
  };
  let total = 0;
  const queue: Array<[number, number, number, number]> = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop()!;
    const [i, j, k] = findLongest(alo, ahi, blo, bhi);
    if (k) {
      total += k;
      if (alo < i && blo < j) queue.push([alo, i, blo, j]);
      if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
    }
  }
  return total;
}

/** difflib.SequenceMatcher(None, a, b).ratio() */
export function seqRatio(a: string, b: string): number {
  const t = a.length + b.length;
  return t ? (2 * matchingBlocksCount(a, b)) / t : 1;
}

/** difflib.get_close_matches(word, possibilities, n, cutoff) */
export function getCloseMatches(word: string, possibilities: Iterable<string>, n = 3, cutoff = 0.6): string[] {
  const result: Array<[number, string]> = [];
  for (const x of possibilities) {
    // SequenceMatcher.set_seq2(word), set_seq1(x): ratio is symmetric in the total but the
    // matching-block search is not; keep difflib's orientation (a = x, b = word).
    const r = seqRatio(x, word);
    if (r >= cutoff) result.push([r, x]);
  }
  result.sort((p, q) => (q[0] - p[0]) || (q[1] < p[1] ? -1 : q[1] > p[1] ? 1 : 0));
  return result.slice(0, n).map((p) => p[1]);
}
