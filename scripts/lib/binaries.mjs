// Moved to lib/node/binaries.mjs (lib never imports scripts). This re-export stays only
// for scripts/bench-timeline.ts and scripts/bench-open.ts until they import it from lib.
export * from "../../lib/node/binaries.mjs";
