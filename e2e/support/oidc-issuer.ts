// A real OpenID Connect issuer for the sign-in tests: panva's oidc-provider on
// a free loopback port, one confidential client (id + secret, the app's
// callback), its development login form (any password) and an accounts table
// that decides each user's claims. Consent is granted by itself, as a
// first-party provider would.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";

export interface IssuerAccount {
  name: string;
  email: string;
  groups?: string[];
  org_id?: string;
}

export interface OidcIssuer {
  /** The issuer URL (SEQSCOPE_OIDC_ISSUER). */
  url: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

export interface OidcIssuerOptions {
  /** Where the issuer may send the browser back: `<app>/api/auth/callback/seqscope`. */
  redirectUri: string;
  /** login name → claims; a login not listed is refused. */
  accounts: Record<string, IssuerAccount>;
  clientId?: string;
  clientSecret?: string;
}

const SCOPE = "openid profile email groups";

export async function startOidcIssuer(opts: OidcIssuerOptions): Promise<OidcIssuer> {
  const clientId = opts.clientId ?? "seqscope-e2e";
  const clientSecret = opts.clientSecret ?? "e2e-client-secret-that-is-long-enough";
  // The issuer URL names the port, so the server listens before the provider exists.
  const route: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server: Server = createServer((req, res) => route.handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    scopes: SCOPE.split(" "),
    claims: {
      openid: ["sub"],
      profile: ["name", "org_id"],
      email: ["email", "email_verified"],
      groups: ["groups"],
    },
    async findAccount(_ctx, id) {
      const account = opts.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email_verified: true, ...account };
        },
      };
    },
    features: { devInteractions: { enabled: true } },
    // Skip the consent screen: grant the requested scopes the first time.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope(SCOPE);
      await grant.save();
      return grant;
    },
    cookies: { keys: ["e2e-issuer-cookie-key"] },
  };
  const provider = new Provider(url, configuration);
  provider.on("server_error", (_ctx, err) => process.stderr.write(`oidc issuer: ${String(err)}\n`));
  route.handler = provider.callback();
  return {
    url,
    clientId,
    clientSecret,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
