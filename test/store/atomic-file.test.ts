// writeAtomic: the whole new content or the old one, owner-only, and no temporary file left
// behind, also when the write fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeAtomic } from "../../src/store/atomic-file.js";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-atomic-"));
}

test("writeAtomic creates and replaces a file with mode 0600, leaving no temporary file", () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "key.pem");
    writeAtomic(file, "one");
    assert.equal(fs.readFileSync(file, "utf8"), "one");
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    writeAtomic(file, "two");
    assert.equal(fs.readFileSync(file, "utf8"), "two");
    assert.deepEqual(fs.readdirSync(dir), ["key.pem"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("writeAtomic that cannot rename keeps the old content and removes its temporary file", () => {
  const dir = tempDir();
  try {
    // The target is a non-empty directory: rename(2) over it fails after the temp file was written.
    const target = path.join(dir, "busy");
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "inside"), "x");
    assert.throws(() => writeAtomic(target, "new"));
    assert.deepEqual(fs.readdirSync(dir), ["busy"]);
    assert.deepEqual(fs.readdirSync(target), ["inside"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
