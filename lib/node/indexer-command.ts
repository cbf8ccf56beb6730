// How to run the indexer (scripts/indexer.ts) as a process of its own: npm start, the e2e rig and the tests.

/** Arguments after `process.execPath`, from the project's root. */
export function indexerArgs(): string[] {
  // Node < 22 has WebSocket only behind a flag; the indexer speaks WebSocket like the dashboard.
  const ws = Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-websocket"] : [];
  return [...ws, "--import", "tsx", "scripts/indexer.ts"];
}
