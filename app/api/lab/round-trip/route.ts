// The decision lab's NATS round trip, for the page: a browser's credential is read-only
// by design, so the dashboard server publishes the simulated runs (to scratch streams in
// the account SEQSCOPE_LAB_NATS_URL names — the lab account when embedded), reads them
// back with the dashboard's stream reader, and streams the lab's messages to the page as
// NDJSON, the same messages its Web Worker posts. Admins only: it runs on the server.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { requireAdmin } from "@/lib/auth/session";
import { ConfigError, labRoundTripConfig } from "@/lib/config/runtime-config";
import { LabOptionsError, parseLabOptions, runLabSession, type LabResponse } from "@/lib/lab/lab-session";
import { labCommand, labReport } from "@/lib/lab/report";
import { natsTransport } from "@/lib/lab/round-trip";
import { LabRunner } from "@/lib/lab/run-lab";
import { connectNode } from "@/lib/nats/node-connection";

export const dynamic = "force-dynamic";

const json = (status: number, error: string) =>
  Response.json({ error }, { status, headers: { "Cache-Control": "no-store" } });

export async function POST(request: Request): Promise<Response> {
  const who = await requireAdmin();
  if (!who.ok) return who.response;
  let target: ReturnType<typeof labRoundTripConfig>;
  try {
    target = labRoundTripConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) return json(500, e.message);
    throw e;
  }
  if (target === undefined)
    return json(404, "No NATS for the lab's round trip here: set SEQSCOPE_LAB_NATS_URL (and _CREDS) on the dashboard.");
  let options;
  try {
    options = parseLabOptions(await request.json());
  } catch (e) {
    return json(400, e instanceof LabOptionsError ? e.message : "the body is not JSON lab options");
  }
  const { url, credsPath } = target;
  const abort = new AbortController();
  request.signal.addEventListener("abort", () => abort.abort(), { once: true });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const post = (m: LabResponse) => {
        if (!abort.signal.aborted) controller.enqueue(encoder.encode(`${JSON.stringify(m)}\n`));
      };
      try {
        const nc = await connectNode(
          url,
          "seqscope-lab-page",
          credsPath ? { creds: readFileSync(credsPath, "utf8") } : {},
        );
        try {
          const runner = new LabRunner(options);
          // A prefix of its own: two pages running at once never share a stream.
          const transport = natsTransport(nc, {
            prefix: `SEQSCOPE_LAB_${randomBytes(4).toString("hex").toUpperCase()}`,
          });
          await runLabSession(runner, () => (abort.signal.aborted ? false : runner.stepVia(transport)), post, {
            signal: abort.signal,
            report: (r) =>
              labReport(
                r,
                labCommand(r.options, [`--nats ${url}`, "--report answer.md"]),
                `published to and read back from a nats-server (${url}, through the dashboard server)`,
              ),
          });
        } finally {
          await nc.close().catch(() => undefined);
        }
      } catch (e) {
        post({
          type: "error",
          message: `the round trip through ${url} failed: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
      controller.close();
    },
    cancel() {
      abort.abort();
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" } });
}
