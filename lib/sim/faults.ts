// Fault planning. Decided when an execution is planned, from the seeded PRNG,
// at most one fault per event so the ground truth names exactly one fate.
import type { Rng } from "../random";
import type { FaultAmount, FaultOptions } from "./options";

export type LineFault = "none" | "drop" | "duplicate" | "reorder" | "malformed";
export type MalformedKind = "truncated" | "wrong-type";

export interface FaultSlot {
  fault: LineFault;
  /** reorder: lines the event is published late by; duplicate: lines after the original the copy comes. */
  shift: number;
  malformed?: MalformedKind;
  /** truncated: where the line is cut, as a fraction of its length. */
  cut: number;
}

export function noFault(): FaultSlot {
  return { fault: "none", shift: 0, cut: 0 };
}

/** Indices of `count` items to hit: each with probability p, or exactly n of the eligible ones. */
export function pickTargets(rng: Rng, amount: FaultAmount, eligible: readonly number[]): number[] {
  if (amount <= 0 || eligible.length === 0) return [];
  if (amount < 1) return eligible.filter(() => rng.chance(amount));
  const pool = [...eligible];
  const out: number[] = [];
  const n = Math.min(amount, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.next() * (pool.length - i));
    const tmp = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = tmp;
    out.push(pool[i] as number);
  }
  return out.sort((a, b) => a - b);
}

/** Assigns line faults to `slots` in place (one execution's planned events). */
export function planLineFaults(rng: Rng, faults: FaultOptions, slots: FaultSlot[]): void {
  const kinds: [Exclude<LineFault, "none">, FaultAmount][] = [
    ["drop", faults.drop],
    ["duplicate", faults.duplicate],
    ["reorder", faults.reorder.rate],
    ["malformed", faults.malformed],
  ];
  for (const [fault, amount] of kinds) {
    if (amount <= 0) continue;
    const free: number[] = [];
    slots.forEach((s, i) => s.fault === "none" && free.push(i));
    for (const i of pickTargets(rng, amount, free)) {
      const slot = slots[i] as FaultSlot;
      slot.fault = fault;
      if (fault === "reorder" || fault === "duplicate") slot.shift = rng.int(1, faults.reorder.window);
      if (fault === "malformed") {
        slot.malformed = rng.chance(0.5) ? "truncated" : "wrong-type";
        slot.cut = 0.2 + rng.next() * 0.6;
      }
    }
  }
}

/** A producer bug that writes a field with the wrong JSON type (mutates `wire`). */
export function breakTypes(wire: Record<string, unknown>): void {
  if (typeof wire.seq === "number") wire.seq = String(wire.seq);
  else wire.ts = Date.parse(String(wire.ts));
}

/** A line cut short (a partial write): never valid JSON, at least one byte kept, at least one lost. */
export function truncate(bytes: Uint8Array, cut: number): Uint8Array {
  const at = Math.min(bytes.length - 1, Math.max(1, Math.floor(bytes.length * cut)));
  return bytes.subarray(0, at);
}
