import { connection } from "next/server";
import { LabView } from "@/components/lab/lab-view";
import { labRoundTripConfig } from "@/lib/config/runtime-config";
import { currentAccess } from "@/lib/auth/session";

export default async function LabPage() {
  // Whether the dashboard server can run the round trip, read per request (one build, any deployment).
  await connection();
  const access = await currentAccess();
  const admin = access.kind === "viewer" && access.viewer.roles.includes("admin");
  let natsUnavailable: string | undefined;
  try {
    if (labRoundTripConfig(process.env) === undefined)
      natsUnavailable = "The dashboard has no NATS for the lab's round trip (SEQSCOPE_LAB_NATS_URL).";
  } catch (e) {
    natsUnavailable = e instanceof Error ? e.message : String(e);
  }
  if (natsUnavailable === undefined && !admin)
    natsUnavailable = "The round trip runs on the dashboard server: admins only.";
  return <LabView natsUnavailable={natsUnavailable} />;
}
