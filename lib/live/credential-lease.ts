// A tab's NATS credential over time: fetched from the dashboard server before the
// first connect, renewed halfway through its life (and at once when found expired —
// a tab that slept past it), so that the server's disconnect at expiry is followed by
// a reconnect that already holds the next one. The connection asks `current()` on
// every (re)connect; nothing here is stored beyond the tab's memory.
import type { ConnectionAuth } from "../nats/browser-connection";
import { parseGrant, type NatsGrant } from "../config/nats-grant";

export interface CredentialLeaseOptions {
  fetchGrant: () => Promise<NatsGrant>;
  /** A renewal failed (the session ended, the server is away): said once per failure streak. */
  onProblem?: (reason: string) => void;
  /** A renewal worked after failures. */
  onRecovered?: () => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export interface TabCredential {
  auth: ConnectionAuth;
  /** Restricted to this tenant's part of the index: the tab reads nothing else. */
  tenant?: string;
}

/** The dashboard gave no credential: the reason is for the person at the tab, as is. */
export class CredentialError extends Error {}

const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 60_000;

export class CredentialLease {
  private grant: NatsGrant | undefined;
  private issuedAtMs = 0;
  private timer: unknown;
  private renewing: Promise<NatsGrant> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly opts: CredentialLeaseOptions) {
    this.now = opts.now ?? Date.now;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** What to connect with, and the tenant the credential keeps the tab to (absent: none). */
  async credential(): Promise<TabCredential> {
    const auth = await this.connectionAuth();
    const g = this.grant;
    return g?.kind === "jwt" && g.tenant !== undefined ? { auth, tenant: g.tenant } : { auth };
  }

  /** The credential to connect with: the held one while it is valid, else a new one (throws why not). */
  async connectionAuth(): Promise<ConnectionAuth> {
    this.stopped = false;
    const g = this.valid() ? (this.grant as NatsGrant) : await this.renew();
    if (g.kind === "none") return {};
    if (g.kind === "user") return { user: g.user, pass: g.pass };
    if (g.kind === "token") return { token: g.token };
    // The server gives a viewer the same inbox prefix in every grant: a connection keeps the one it was made with.
    return { jwt: () => this.current(), inboxPrefix: g.inboxPrefix };
  }

  /** The JWT to present now; starts a renewal when it has expired (the reconnect after that gets the new one). */
  current(): string {
    const g = this.grant;
    if (g?.kind !== "jwt") return "";
    if (g.expiresAtMs <= this.now()) void this.renew().catch(() => undefined);
    return g.jwt;
  }

  /** No more renewals until the next connect asks for a credential (React may stop and start a feed). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
  }

  private valid(): boolean {
    const g = this.grant;
    return g !== undefined && (g.kind !== "jwt" || g.expiresAtMs > this.now());
  }

  private renew(): Promise<NatsGrant> {
    this.renewing ??= this.opts.fetchGrant().then(
      (g) => {
        this.renewing = undefined;
        if (this.failures > 0) this.opts.onRecovered?.();
        this.failures = 0;
        this.grant = g;
        this.issuedAtMs = this.now();
        this.schedule();
        return this.grant;
      },
      (e: unknown) => {
        this.renewing = undefined;
        const reason = e instanceof Error ? e.message : String(e);
        if (this.failures === 0) this.opts.onProblem?.(reason);
        this.failures++;
        this.scheduleIn(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures - 1, 5)));
        throw e instanceof CredentialError ? e : new CredentialError(reason);
      },
    );
    return this.renewing;
  }

  /** Halfway through the grant's life; static grants are never renewed. */
  private schedule(): void {
    const g = this.grant;
    if (g?.kind !== "jwt") return;
    this.scheduleIn(Math.max(0, (g.expiresAtMs - this.issuedAtMs) / 2 - (this.now() - this.issuedAtMs)));
  }

  private scheduleIn(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      if (!this.stopped) void this.renew().catch(() => undefined);
    }, ms);
  }
}

/** The browser's fetcher: the dashboard's route, with a reason a person can act on when it says no. */
export async function fetchGrantFromDashboard(url = "/api/nats/credentials"): Promise<NatsGrant> {
  let res: Response;
  try {
    res = await fetch(url, { cache: "no-store", credentials: "same-origin" });
  } catch (e) {
    throw new CredentialError(
      `cannot reach the dashboard for a NATS credential (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (res.status === 401) throw new CredentialError("your sign-in has ended: reload the page to sign in again");
  if (res.status === 403) throw new CredentialError("your account may not read audit events (no seqscope role)");
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const why = (body as { error?: unknown } | undefined)?.error;
    throw new CredentialError(
      `the dashboard could not make a NATS credential (${res.status}${typeof why === "string" ? `: ${why}` : ""})`,
    );
  }
  try {
    return parseGrant(body);
  } catch (e) {
    throw new CredentialError((e as Error).message);
  }
}
