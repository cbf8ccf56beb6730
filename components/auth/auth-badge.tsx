import type { Viewer } from "@/lib/auth/access";
import { SignOutButton } from "./sign-out-button";

/** Who the header says is looking: nobody signed in on a local-only dashboard, or the user and their roles. */
export function AuthBadge({ viewer }: { viewer: Viewer }) {
  if (viewer.local) {
    return (
      <span
        data-testid="auth-badge"
        data-mode="local"
        title="Sign-in is off because the dashboard listens on loopback only (SEQSCOPE_HOST). Bind another address and sign-in is required (SEQSCOPE_OIDC_ISSUER)."
        className="rounded-full border border-amber-400 bg-amber-50 px-2 py-0.5 text-xs whitespace-nowrap text-amber-900 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-200"
      >
        no sign-in: local only
      </span>
    );
  }
  return (
    <div data-testid="auth-badge" data-mode="oidc" className="flex items-center gap-2 text-xs whitespace-nowrap">
      <span className="font-medium" data-testid="auth-user">
        {viewer.name ?? viewer.email ?? viewer.id}
      </span>
      <span className="text-slate-500" data-testid="auth-roles">
        {viewer.roles.join(", ")}
      </span>
      <SignOutButton />
    </div>
  );
}
