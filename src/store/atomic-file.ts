// Whole-file writes into the data directory (keys, certificates) that a crash cannot leave half
// written: write a temporary file beside the target, fsync it, rename it over the target, then
// fsync the directory so the rename itself is durable. Readers see the old file or the new one.
import fs from "node:fs";
import path from "node:path";

export function writeAtomic(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = fs.openSync(tmp, "w", mode);
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const dir = fs.openSync(path.dirname(file), "r");
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}
