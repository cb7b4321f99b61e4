// az's long-running-operation spinner: humanfriendly's frames on a terminal, nothing otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Spinner, withProgress } from "../../src/cli/azl/progress.js";

test("the spinner writes ' - Running ..' frames at most every 0.2 s and erases its line", () => {
  const out: string[] = [];
  const s = new Spinner((x) => out.push(x));
  s.step("Starting", 1000);
  s.step("Running", 1100); // within 0.2 s: not drawn
  s.step("Running", 1300);
  s.step("Running", 1600);
  s.clear();
  assert.deepEqual(out, ["\r\x1b[K - Starting ..\r", "\r\x1b[K \\ Running ..\r", "\r\x1b[K | Running ..\r", "\r\x1b[K"]);
});

test("withProgress: frames and a final erase on a terminal, nothing when stderr is not one", async () => {
  const tty: string[] = [];
  assert.equal(await withProgress(true, (x) => tty.push(x), new Promise((r) => setTimeout(() => r(42), 700))), 42);
  assert.equal(tty[0], "\r\x1b[K - Starting ..\r");
  assert.ok(tty.some((x) => x.includes(" Running ..")), tty.join("|"));
  assert.equal(tty.at(-1), "\r\x1b[K");
  const piped: string[] = [];
  assert.equal(await withProgress(false, (x) => piped.push(x), Promise.resolve(7)), 7);
  assert.deepEqual(piped, []);
  const failed: string[] = [];
  await assert.rejects(withProgress(true, (x) => failed.push(x), Promise.reject(new Error("boom"))), /boom/);
  assert.equal(failed.at(-1), "\r\x1b[K", "the line is erased before the error prints");
});
