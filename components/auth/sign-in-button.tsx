"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useState } from "react";
import { signIn } from "@/lib/auth/auth-client";

/** Starts the OpenID Connect flow; back to the page that asked (or /signin's callbackURL) afterwards. */
export function SignInButton() {
  const pathname = usePathname();
  const params = useSearchParams();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const returned = params.get("error");
  const back = pathname === "/signin" ? params.get("callbackURL") : `${pathname}${params.size ? `?${params}` : ""}`;
  return (
    <div className="flex flex-col items-start gap-2">
      {(error ?? returned) && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          Sign-in failed: {error ?? returned}
        </p>
      )}
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          const e = await signIn(back ?? "/");
          if (e) {
            setError(e);
            setBusy(false);
          }
        }}
        className="rounded bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900"
      >
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </div>
  );
}
