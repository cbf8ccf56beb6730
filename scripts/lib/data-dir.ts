// Where `npm start` keeps its state: SEQSCOPE_DATA_DIR, relative to the project
// folder unless it is absolute. Every path under it is made here, once.
import { join, resolve } from "node:path";

export interface DataDirPaths {
  /** The data folder itself, absolute. */
  dataDir: string;
  /** The embedded nats-server's JetStream store. */
  storeDir: string;
  /** The instance lock of `npm start` (its pid and its children's). */
  lockPath: string;
}

/** `dataDir` as configured (`.seqscope`, `../state`, `/var/lib/seqscope`) under the project folder `root`. */
export function dataDirPaths(root: string, dataDir: string): DataDirPaths {
  const dir = resolve(root, dataDir);
  return { dataDir: dir, storeDir: join(dir, "jetstream"), lockPath: join(dir, "start.lock") };
}
