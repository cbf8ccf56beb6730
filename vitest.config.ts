import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

// The 3-node cluster suites time elections and failovers under load: on a 2-core box they run
// after everything else, one file at a time, rather than beside CPU-heavy suites. nats-server.test.ts
// takes a whole cluster down and up again (its leader election failed once beside the rest).
const CLUSTER = ["lib/**/*-cluster.test.ts", "lib/node/nats-server.test.ts"];

const shared = {
  // Integration tests spawn a real nats-server each; give them room on a 2-core box.
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // The browser reads NATS over WebSocket; Node 20 only has a global WebSocket behind this flag,
  // and the integration tests run the very same reader.
  execArgv: typeof WebSocket === "undefined" ? ["--experimental-websocket"] : [],
};

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          ...shared,
          name: "main",
          include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.ts"],
          exclude: ["**/node_modules/**", ...CLUSTER],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { ...shared, name: "cluster", include: CLUSTER, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
