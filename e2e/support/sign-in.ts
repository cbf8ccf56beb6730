// Signing in through the real issuer in Chromium, shared by the sign-in specs.
import { expect, type BrowserContext, type Page } from "@playwright/test";
import type { OidcIssuer } from "./oidc-issuer";

/** The issuer's pages load a web font from the internet, which these machines cannot reach: only loopback goes. */
export async function loopbackOnly(context: BrowserContext) {
  await context.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === "localhost" || host === "127.0.0.1" ? route.continue() : route.abort();
  });
}

/** From the dashboard's sign-in page through the issuer's login form and back. */
export async function signIn(page: Page, issuer: OidcIssuer, appUrl: string, login: string) {
  await expect(page.getByTestId("signin-panel")).toBeVisible();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.origin === issuer.url);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((u) => u.origin === appUrl);
}
