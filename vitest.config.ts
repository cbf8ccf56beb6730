import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.ts"],
    // Integration tests spawn a real nats-server each; give them room on a 2-core box.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The browser reads NATS over WebSocket; Node 20 only has a global WebSocket behind this flag,
    // and the integration tests run the very same reader.
    execArgv: typeof WebSocket === "undefined" ? ["--experimental-websocket"] : [],
  },
});
