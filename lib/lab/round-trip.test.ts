// Integration: the lab through a real nats-server scores every cell exactly as in
// memory — publish with acks, the dashboard's stream reader, redeliveries added on
// top — so its answer holds through the transport.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { connectNode, type NatsConnection } from "../nats/node-connection";
import { natsTransport } from "./round-trip";
import { DEFAULT_LAB_FAULTS, LabRunner, type LabOptions } from "./run-lab";

const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNode(server.url);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe("the lab's round trip through NATS", () => {
  it("scores the same cells as in memory", async () => {
    // Every scenario on (redelivery too), two contracts, two runs of three executions.
    const opts: LabOptions = {
      seed: 9,
      runs: 2,
      executions: 3,
      scenarioRuns: 0,
      faults: DEFAULT_LAB_FAULTS,
      contracts: [
        "agents=per-invocation,orchestrator=per-execution,producer-field=on",
        "agents=per-execution,orchestrator=per-execution,producer-field=off",
      ],
    };
    const memory = new LabRunner(opts, { sha256Hex });
    while (memory.step());
    const wire = new LabRunner(opts, { sha256Hex });
    const transport = natsTransport(nc, { prefix: "LAB_IT" });
    while (await wire.stepVia(transport));
    const strip = (r: ReturnType<LabRunner["result"]>) => r.cells.map((c) => ({ ...c, representative: undefined }));
    expect(strip(wire.result())).toEqual(strip(memory.result()));
    expect(wire.result().done).toBe(4);
  }, 60_000);
});
