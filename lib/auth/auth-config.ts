// The variables that decide sign-in, listed once (same shape as ENV_VARS in
// lib/config/runtime-config.ts, which merges them).
import { AUTH_DEFAULTS, MIN_SECRET_LENGTH } from "./auth-mode";

export const AUTH_ENV_VARS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  {
    name: "SEQSCOPE_HOST",
    default: AUTH_DEFAULTS.host,
    meaning:
      "Address the dashboard listens on. Loopback (`127.0.0.0/8`, `::1`, `localhost`): sign-in may be off. Any other address: sign-in is required (set `SEQSCOPE_OIDC_ISSUER`), else every page shows why and serves nothing.",
  },
  {
    name: "SEQSCOPE_OIDC_ISSUER",
    default: "(unset: no sign-in, loopback only)",
    meaning:
      "OpenID Connect issuer URL (`https://…`; `http://` only on loopback). Set: every page and API requires a signed-in user with a seqscope role.",
  },
  {
    name: "SEQSCOPE_OIDC_CLIENT_ID",
    default: "",
    meaning: "Client id registered at the issuer (required with the issuer).",
  },
  {
    name: "SEQSCOPE_OIDC_CLIENT_SECRET",
    default: "",
    meaning: "Client secret registered at the issuer (required with the issuer; server only).",
  },
  {
    name: "SEQSCOPE_AUTH_SECRET",
    default: "",
    meaning: `Encrypts and signs the session cookie; at least ${MIN_SECRET_LENGTH} characters (\`openssl rand -base64 32\`). Required with the issuer; changing it signs everyone out.`,
  },
  {
    name: "SEQSCOPE_PUBLIC_URL",
    default: "",
    meaning:
      "The dashboard's external base URL (`https://seqscope.example.com`); the issuer redirects to `<it>/api/auth/callback/seqscope`. Required with the issuer.",
  },
  {
    name: "SEQSCOPE_OIDC_SCOPES",
    default: "openid profile email",
    meaning:
      "Scopes requested at sign-in, space-separated; add the one your issuer needs to release the roles claim (e.g. `groups`).",
  },
  {
    name: "SEQSCOPE_OIDC_ROLES_CLAIM",
    default: AUTH_DEFAULTS.rolesClaim,
    meaning:
      "Claim (ID token or userinfo) listing the user's groups or roles; an array or a space/comma-separated string; a dotted name reaches into objects (`realm_access.roles`).",
  },
  {
    name: "SEQSCOPE_OIDC_VIEWER_GROUPS",
    default: AUTH_DEFAULTS.viewerGroups,
    meaning: "Claim values (comma-separated) that make a user a viewer: reads executions, the lab, exports.",
  },
  {
    name: "SEQSCOPE_OIDC_ADMIN_GROUPS",
    default: AUTH_DEFAULTS.adminGroups,
    meaning:
      "Claim values (comma-separated) that make a user an admin: a viewer who may also open the benchmark pages (`/bench/*`).",
  },
  {
    name: "SEQSCOPE_OIDC_ORG_CLAIM",
    default: "(unset: no tenant)",
    meaning: "Claim naming the user's tenant (`org_id`); carried on the session for tenant isolation.",
  },
];
