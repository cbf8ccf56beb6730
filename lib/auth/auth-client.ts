"use client";
// The browser's side of sign-in: start the issuer's flow, sign out. Nothing else
// of the session is read in the browser (the server renders who is signed in).
import { createAuthClient } from "better-auth/client";
import { AUTH_BASE_PATH, OIDC_PROVIDER_ID, SIGN_IN_PATH, safeCallbackPath } from "./auth-paths";

const client = createAuthClient({ basePath: AUTH_BASE_PATH });

export async function signIn(callbackPath: string): Promise<string | undefined> {
  const r = await client.signIn.social({
    provider: OIDC_PROVIDER_ID,
    callbackURL: safeCallbackPath(callbackPath),
    errorCallbackURL: SIGN_IN_PATH,
  });
  return r.error ? (r.error.message ?? r.error.statusText ?? "sign-in could not start") : undefined;
}

export async function signOut(): Promise<void> {
  await client.signOut();
  // A full load, not a client navigation: the tab's NATS connection and everything it read go with it.
  window.location.replace(new URL(SIGN_IN_PATH, window.location.origin).href);
}
