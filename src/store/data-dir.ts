// The data directory is private and has one owner at a time. It holds every cluster's keys
// and tokens, so it is 0700 and every file in it 0600 (older versions left them world-readable:
// tightened on start). An exclusive SQLite lock on `aksemu.lock`, held for the life of the
// process, makes a second `aksemu start` on the same directory refuse; the OS drops the lock
// when the holder dies, kill -9 included, so no stale PID is ever trusted.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export const LOCK_FILE = "aksemu.lock";
/** Files the process creates from now on: owner-only. */
export const PRIVATE_UMASK = 0o077;

/**
 * Create the directory (0700) or tighten an existing one: directories 0700, files 0600, recursively.
 * Returns the paths whose mode was looser than that. Symbolic links are left alone (never followed).
 */
export function securePrivateDir(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const loosened: string[] = [];
  const walk = (p: string, isDir: boolean) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    const want = isDir ? 0o700 : 0o600;
    if ((st.mode & 0o777 & ~want) !== 0) {
      fs.chmodSync(p, want);
      loosened.push(p);
    }
    if (isDir) for (const e of fs.readdirSync(p, { withFileTypes: true })) walk(path.join(p, e.name), e.isDirectory());
  };
  walk(dir, true);
  return loosened;
}

export class DataDirLockedError extends Error {
  constructor(readonly dir: string, readonly holderPid?: number) {
    super(`the data directory ${dir} is in use by another aksemu process${holderPid ? ` (pid ${holderPid})` : ""}`);
  }
}

function isBusy(e: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code ?? ""));
}

export class DataDirLock {
  private constructor(private readonly db: Database.Database) {}

  /** Take the directory's lock for this process, or throw DataDirLockedError. */
  static acquire(dir: string): DataDirLock {
    const db = new Database(path.join(dir, LOCK_FILE));
    try {
      // A brief wait covers a concurrent `aksemu status` probe; a live owner never lets go.
      db.pragma("busy_timeout = 2000");
      db.pragma("locking_mode = EXCLUSIVE");
      // The first write in EXCLUSIVE mode takes the exclusive lock and keeps it until close.
      db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)");
      db.transaction(() => {
        db.exec("DELETE FROM holder");
        db.prepare("INSERT INTO holder (pid) VALUES (?)").run(process.pid);
      }).exclusive();
      return new DataDirLock(db);
    } catch (e) {
      db.close();
      if (isBusy(e)) throw new DataDirLockedError(dir);
      throw e;
    }
  }

  /** Is a live process holding the directory's lock? (Reads nothing the holder wrote.) */
  static isHeld(dir: string): boolean {
    const file = path.join(dir, LOCK_FILE);
    if (!fs.existsSync(file)) return false;
    const db = new Database(file, { fileMustExist: true });
    try {
      db.pragma("busy_timeout = 0");
      db.prepare("SELECT count(*) FROM sqlite_master").get();
      return false;
    } catch (e) {
      if (isBusy(e)) return true;
      throw e;
    } finally {
      db.close();
    }
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
