// Where the emulator's same-user Unix socket lives (server/local-socket.ts serves it, azl finds
// it): pure, so azl reads it without loading the server's modules.
import path from "node:path";

/** Linux and macOS keep 108 and 104 bytes for a socket path (sun_path), NUL included. */
export const MAX_SOCKET_PATH = 103;

/** The socket of the emulator listening on `port` with this data directory. */
export function localSocketPath(dataDir: string, port: number): string {
  return path.join(dataDir, "run", `arm-${port}.sock`);
}
