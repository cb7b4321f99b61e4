// azl loads only the command modules a command line's first word needs (commands/lazy.ts). The
// runner must see the same commands under that word as with the whole table loaded, or a command
// would be missing, its group's help would list fewer commands, or a misspelling would get other
// suggestions: every top-level word of the whole table must map to exactly its commands.
import { test } from "node:test";
import assert from "node:assert/strict";
import { COMMANDS, GROUPS } from "../../src/cli/azl/commands/index.js";
import { loadTree, MODULES_BY_WORD } from "../../src/cli/azl/commands/lazy.js";
import { renderGroupHelp } from "../../src/cli/azl/help.js";
import { buildTree } from "../../src/cli/azl/commands/index.js";

const words = [...new Set(COMMANDS.map((c) => c.name.split(" ")[0]!))].sort();

test("every top-level word loads all of its commands", async () => {
  assert.deepEqual(Object.keys(MODULES_BY_WORD).sort(), words, "MODULES_BY_WORD names every top-level word of the command table, and no other");
  for (const w of words) {
    const t = await loadTree([w, "x"]);
    const mine = [...t.commands.keys()].filter((n) => n.split(" ")[0] === w).sort();
    assert.deepEqual(mine, COMMANDS.filter((c) => c.name.split(" ")[0] === w).map((c) => c.name).sort(), w);
    for (const n of mine) assert.equal(t.commands.get(n), COMMANDS.find((c) => c.name === n), n);
    assert.deepEqual([...t.groups.keys()], GROUPS.map((g) => g.name));
    assert.equal(renderGroupHelp(t, w), renderGroupHelp(buildTree(), w), `${w}: group help`);
  }
});

test("a command line without a known first word loads the whole table", async () => {
  for (const argv of [[], ["--version"], ["-h"], ["gruop", "show"], ["@args.txt"]]) {
    const t = await loadTree(argv);
    assert.deepEqual([...t.commands.keys()].sort(), COMMANDS.map((c) => c.name).sort(), argv.join(" "));
  }
});

test("a top-level word loads fewer commands than the whole table", async () => {
  const t = await loadTree(["group", "show"]);
  assert.deepEqual([...t.commands.keys()].sort(), ["group create", "group delete", "group exists", "group list", "group show"]);
});
