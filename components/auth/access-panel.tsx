import { Suspense } from "react";
import type { Access } from "@/lib/auth/access";
import { SignInButton } from "./sign-in-button";
import { SignOutButton } from "./sign-out-button";

/** What a request that may not see the dashboard gets instead of it: sign in, no role (403), or why nothing is served. */
export function AccessPanel({ access }: { access: Exclude<Access, { kind: "viewer" }> }) {
  switch (access.kind) {
    case "anonymous":
      return (
        <section aria-labelledby="signin-title" data-testid="signin-panel" className="max-w-lg space-y-3">
          <h1 id="signin-title" className="text-lg font-semibold">
            Sign in to seqscope
          </h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Audit events are shown to signed-in users with a seqscope role only.
          </p>
          <Suspense>
            <SignInButton />
          </Suspense>
        </section>
      );
    case "forbidden":
      return (
        <section aria-labelledby="forbidden-title" data-testid="forbidden-panel" className="max-w-lg space-y-3">
          <h1 id="forbidden-title" className="text-lg font-semibold">
            403 — no access to seqscope
          </h1>
          <p className="text-sm">
            You are signed in as <strong>{access.user.name ?? access.user.email ?? access.user.id}</strong>, but your
            account has no seqscope role. Ask your identity provider&apos;s administrator to add you to a viewer or
            admin group, then sign in again.
          </p>
          <SignOutButton />
        </section>
      );
    case "refused":
      return (
        <section aria-labelledby="refused-title" data-testid="refused-panel" className="max-w-2xl space-y-3">
          <h1 id="refused-title" className="text-lg font-semibold">
            seqscope serves nothing until sign-in is set up
          </h1>
          <p role="alert" className="text-red-700 dark:text-red-400">
            {access.error}
          </p>
        </section>
      );
  }
}
