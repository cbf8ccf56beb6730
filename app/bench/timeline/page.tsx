import { notFound, redirect } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { connection } from "next/server";
import { BenchTimeline } from "@/components/timeline/bench-timeline";

function int(v: string | string[] | undefined, fallback: number, min: number, max: number): number {
  const n = typeof v === "string" ? Number.parseInt(v, 10) : NaN;
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** Benchmark fixture (scripts/bench-timeline.ts): exists only when the server runs with SEQSCOPE_BENCH=1. */
export default async function BenchTimelinePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  // Admins only (the proxy redirects others first; this is the defense in depth).
  if ((await requireAdmin()).ok !== true) redirect("/forbidden");
  if (process.env.SEQSCOPE_BENCH !== "1") notFound();
  const sp = await searchParams;
  return (
    <BenchTimeline
      events={int(sp.events, 1_000, 1, 1_000_000)}
      producers={int(sp.producers, 50, 1, 500)}
      seed={int(sp.seed, 1, 0, 2 ** 31 - 1)}
    />
  );
}
