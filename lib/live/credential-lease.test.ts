import { describe, expect, it } from "vitest";
import { CredentialError, CredentialLease } from "./credential-lease";
import type { NatsGrant } from "../config/nats-grant";

/** A clock and timers the test moves by hand. */
function fakeTime() {
  let now = 1_000_000;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const id = ++ids;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      timers = timers.filter((t) => t.id !== id);
    },
    /** Moves the clock, firing due timers in order; lets each renewal's promise settle. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        now = t.at;
        t.fn();
        for (let i = 0; i < 5; i++) await Promise.resolve();
      }
      now = end;
    },
    pending: () => timers.map((t) => t.at - now),
  };
}

function jwtGrant(n: number, now: number, ttlMs = 60_000): NatsGrant {
  return { kind: "jwt", jwt: `jwt-${n}`, expiresAtMs: now + ttlMs, inboxPrefix: "_INBOX_me" };
}

describe("a tab's credential lease", () => {
  it("renews a minted credential halfway through its life, and the connection sees the new one", async () => {
    const t = fakeTime();
    let fetched = 0;
    const lease = new CredentialLease({ fetchGrant: async () => jwtGrant(++fetched, t.now()), ...t });
    const auth = await lease.connectionAuth();
    expect(auth.inboxPrefix).toBe("_INBOX_me");
    expect(auth.jwt?.()).toBe("jwt-1");
    await t.advance(29_000);
    expect(fetched).toBe(1);
    await t.advance(1_000);
    expect(fetched).toBe(2);
    expect(auth.jwt?.()).toBe("jwt-2");
    await t.advance(30_000);
    expect(auth.jwt?.()).toBe("jwt-3");
    lease.stop();
    expect(t.pending()).toEqual([]);
  });

  it("retries a failed renewal with backoff, says so once, and recovers", async () => {
    const t = fakeTime();
    let fail = false;
    let fetched = 0;
    const problems: string[] = [];
    let recovered = 0;
    const lease = new CredentialLease({
      fetchGrant: async () => {
        fetched++;
        if (fail) throw new CredentialError("your sign-in has ended");
        return jwtGrant(fetched, t.now());
      },
      onProblem: (r) => problems.push(r),
      onRecovered: () => recovered++,
      ...t,
    });
    const auth = await lease.connectionAuth();
    fail = true;
    await t.advance(30_000); // the renewal: fails
    await t.advance(2_000); // retry 1
    await t.advance(4_000); // retry 2
    expect(fetched).toBe(4);
    expect(problems).toEqual(["your sign-in has ended"]);
    expect(auth.jwt?.()).toBe("jwt-1");
    fail = false;
    await t.advance(8_000);
    expect(fetched).toBe(5);
    expect(recovered).toBe(1);
    expect(auth.jwt?.()).toBe("jwt-5");
  });

  it("renews at once when asked for a credential that expired while the tab slept", async () => {
    const t = fakeTime();
    let fetched = 0;
    const lease = new CredentialLease({
      fetchGrant: async () => jwtGrant(++fetched, t.now()),
      now: t.now,
      // Timers that never fire: a sleeping tab.
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    const auth = await lease.connectionAuth();
    await t.advance(120_000);
    expect(auth.jwt?.()).toBe("jwt-1"); // presented once more (refused), and a renewal starts
    await Promise.resolve();
    await Promise.resolve();
    expect(fetched).toBe(2);
    expect(auth.jwt?.()).toBe("jwt-2");
    // And a new connection waits for a valid one rather than presenting an expired one.
    await t.advance(120_000);
    expect((await lease.connectionAuth()).jwt?.()).toBe("jwt-3");
  });

  it("passes a dedicated browser user through and never renews it", async () => {
    const t = fakeTime();
    let fetched = 0;
    const lease = new CredentialLease({
      fetchGrant: async () => {
        fetched++;
        return { kind: "user", user: "tab", pass: "pw" };
      },
      ...t,
    });
    expect(await lease.connectionAuth()).toEqual({ user: "tab", pass: "pw" });
    await t.advance(10 * 3_600_000);
    expect(await lease.connectionAuth()).toEqual({ user: "tab", pass: "pw" });
    expect(fetched).toBe(1);
    expect(t.pending()).toEqual([]);
  });

  it("fails a first connect with the dashboard's reason", async () => {
    const lease = new CredentialLease({
      fetchGrant: async () => {
        throw new CredentialError("your account may not read audit events (no seqscope role)");
      },
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    await expect(lease.connectionAuth()).rejects.toThrow(/no seqscope role/);
  });
});
