// Benchmark of the byte-level ingest scanner (lib/audit/json-scan.ts) against
// the path it short-cuts, on the messages scripts/bench-engine.ts uses:
//
//   (a) fatal TextDecoder + JSON.parse + scanParsed  (what AuditLog.scan does today)
//   (b) scanBytes, falling back to (a) when it says false
//
// All run in the same process on the same buffers, taking turns on slices of
// 5,000 messages, 5 rounds; the figures are medians, so they mean something on
// a busy machine too.
//
//   npx tsx scripts/bench-json-scan.ts [events=300000]

import { createHash } from "node:crypto";
import { scanBytes } from "../lib/audit/json-scan";
import { newScanned, scanParsed, type Scanned } from "../lib/audit/scan";
import { generateWorkload } from "../lib/audit/testing";
import { packLikeNetwork } from "./lib/bench-util";

const N = Number(process.argv[2] ?? 300_000);
const ROUNDS = 5;

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const gen = generateWorkload({
  seed: 42,
  executions: Math.ceil(N / 38),
  concurrency: 64,
  faultRate: 0.03,
  hash: (line) => createHash("sha256").update(line).digest("hex"),
});
const messages = packLikeNetwork(gen.messages.slice(0, N));
gen.messages.length = 0;
const datas: Uint8Array[] = messages.map((m) => m.data);
const payloadBytes = datas.reduce((s, d) => s + d.length, 0);
console.log(`${fmt(datas.length)} messages, ${fmt(payloadBytes / datas.length)} B avg`);

const decoder = new TextDecoder("utf-8", { fatal: true });
const out: Scanned = newScanned();

/** What AuditLog.scan does before its parseMessage fallback. */
function viaParse(data: Uint8Array): boolean {
  let o: unknown;
  try {
    o = JSON.parse(decoder.decode(data));
  } catch {
    return false;
  }
  return typeof o === "object" && o !== null && !Array.isArray(o) && scanParsed(o, out);
}

// Each pass returns a checksum of what it read, so nothing can be optimised away.
function passA(ds: readonly Uint8Array[], lo: number, hi: number): number {
  let x = 0;
  for (let k = lo; k < hi; k++) {
    if (viaParse(ds[k]!)) x += out.seq + (out.event.length & 7);
  }
  return x;
}

let fallbacks = 0;
function passB(ds: readonly Uint8Array[], lo: number, hi: number): number {
  let x = 0;
  for (let k = lo; k < hi; k++) {
    const d = ds[k]!;
    let ok = scanBytes(d, out);
    if (!ok) {
      fallbacks++;
      ok = viaParse(d);
    }
    if (ok) x += out.seq + (out.event.length & 7);
  }
  return x;
}

/** The bare decode + parse bench-engine.ts compares against, for scale. */
function passBare(ds: readonly Uint8Array[], lo: number, hi: number): number {
  let x = 0;
  for (let k = lo; k < hi; k++) {
    try {
      const o = JSON.parse(decoder.decode(ds[k]!)) as { workflow_execution_id?: string };
      if (o.workflow_execution_id !== undefined) x++;
    } catch {
      x--;
    }
  }
  return x;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const passes = [passA, passB, passBare];
/**
 * One round: every message once through each pass. The passes take turns on
 * slices of CHUNK messages (in rotating order), so that a busy machine slows
 * them alike; returns events/s of each (wall clock) and the CPU time of each.
 */
const CHUNK = 5_000;
function round(ds: readonly Uint8Array[]): { rate: number[]; cpu: number[]; sums: number[] } {
  const wall = [0, 0, 0];
  const cpu = [0, 0, 0];
  const sums = [0, 0, 0];
  fallbacks = 0;
  for (let lo = 0, turn = 0; lo < ds.length; lo += CHUNK, turn++) {
    const hi = Math.min(ds.length, lo + CHUNK);
    for (let j = 0; j < passes.length; j++) {
      const p = (j + turn) % passes.length;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      sums[p]! += passes[p]!(ds, lo, hi);
      wall[p]! += performance.now() - t0;
      const c1 = process.cpuUsage(c0);
      cpu[p]! += (c1.user + c1.system) / 1000;
    }
  }
  return { rate: wall.map((ms) => (ds.length / ms) * 1000), cpu, sums };
}

// Before timing: (b) must give exactly what (a) gives, message by message.
{
  const viaScan = newScanned();
  for (const d of datas) {
    const fastOk = scanBytes(d, viaScan);
    const slowOk = viaParse(d);
    const same = (Object.keys(out) as (keyof Scanned)[]).every((k) =>
      typeof out[k] === "object" && out[k] !== null
        ? JSON.stringify(out[k]) === JSON.stringify(viaScan[k])
        : Object.is(out[k], viaScan[k]),
    );
    if (fastOk && (!slowOk || !same)) throw new Error(`scanBytes disagrees on ${new TextDecoder().decode(d)}`);
  }
}

// Warm up on a slice so all three run optimised code.
const warm = datas.slice(0, 50_000);
for (let r = 0; r < 2; r++) round(warm);

const ra: number[] = [];
const rb: number[] = [];
const rbare: number[] = [];
const cpuRatio: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const { rate, cpu, sums } = round(datas);
  if (sums[0] !== sums[1]) throw new Error(`checksums differ: (a) ${sums[0]} vs (b) ${sums[1]}`);
  const [a, b, bare] = rate as [number, number, number];
  ra.push(a);
  rb.push(b);
  rbare.push(bare);
  cpuRatio.push(cpu[0]! / cpu[1]!);
  console.log(
    `  round ${r + 1}: (a) ${fmt(a).padStart(9)}/s  (b) ${fmt(b).padStart(9)}/s  ${fmt(b / a, 2)}x` +
      `   (CPU time ${fmt(cpu[0]! / cpu[1]!, 2)}x)   bare ${fmt(bare)}/s`,
  );
}
const a = median(ra);
const b = median(rb);
const bare = median(rbare);
console.log("");
console.log(`(a) TextDecoder + JSON.parse + scanParsed   ${fmt(a).padStart(9)} events/s  (median of ${ROUNDS})`);
console.log(`(b) scanBytes, (a) on false                 ${fmt(b).padStart(9)} events/s`);
console.log(
  `    (b)/(a)                                 ${fmt(b / a, 2)}x   target >= 2x  (median of the per-round ratios ${fmt(median(rb.map((x, k) => x / ra[k]!)), 2)}x; by CPU time ${fmt(median(cpuRatio), 2)}x)`,
);
console.log(
  `    fallbacks                               ${fmt(fallbacks)} of ${fmt(datas.length)} (${fmt((fallbacks / datas.length) * 100, 2)} %)`,
);
console.log(
  `    for scale: bare TextDecoder + JSON.parse ${fmt(bare).padStart(8)} events/s; (b)/bare ${fmt(b / bare, 2)}x`,
);
