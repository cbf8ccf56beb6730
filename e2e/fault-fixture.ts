// Browser-level fault tests need servers they can break: the global setup's app points at
// the global nats-server, which no test may restart. `faultRig` starts a private server (or
// cluster) with the stream and a private `next start` pointed at it, per test, and stops
// both after it (see scripts/lib/chaos-rig.ts, which `npm run chaos` uses too).
// `hideableBrowser` is a Chromium whose tabs can really be hidden.
import { test as base } from "@playwright/test";
import {
  launchHideableBrowser,
  startFaultRig,
  type FaultRig,
  type HideableBrowser,
  type RigOptions,
} from "../scripts/lib/chaos-rig";

export { expect } from "@playwright/test";
export * from "../scripts/lib/chaos-rig";

export interface FaultFixtures {
  /** Starts a rig for this test; every rig it started is stopped after the test. */
  faultRig(opts?: RigOptions): Promise<FaultRig>;
  /** Started on first use, closed after the test. */
  hideableBrowser(): Promise<HideableBrowser>;
}

export const test = base.extend<FaultFixtures>({
  // `provide`, not Playwright's usual `use`: the React hooks lint rule would take it for React's use().
  faultRig: async ({}, provide) => {
    const rigs: FaultRig[] = [];
    await provide(async (opts) => {
      const rig = await startFaultRig(opts);
      rigs.push(rig);
      return rig;
    });
    await Promise.all(rigs.map((r) => r.stop()));
  },
  hideableBrowser: async ({}, provide) => {
    let launched: Promise<HideableBrowser> | undefined;
    await provide(() => (launched ??= launchHideableBrowser()));
    if (launched) await (await launched).close();
  },
});
