import { describe, expect, it } from "vitest";
import { authMode, isLoopbackHost, orgFromClaims, rolesFromClaims } from "./auth-mode";
import { safeCallbackPath } from "./auth-paths";

const OIDC = {
  SEQSCOPE_OIDC_ISSUER: "https://id.example.com/realms/ops/",
  SEQSCOPE_OIDC_CLIENT_ID: "seqscope",
  SEQSCOPE_OIDC_CLIENT_SECRET: "s3cret",
  SEQSCOPE_AUTH_SECRET: "x".repeat(32),
  SEQSCOPE_PUBLIC_URL: "https://seqscope.example.com/",
};

describe("authMode", () => {
  it("needs no configuration on loopback: the default bind is 127.0.0.1", () => {
    expect(authMode({})).toEqual({ mode: "local", host: "127.0.0.1" });
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"]) {
      expect(authMode({ SEQSCOPE_HOST: host }).mode).toBe("local");
    }
  });

  it("refuses to serve without sign-in on any other address, and says how to fix it", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.5", "seqscope.example.com", "128.0.0.1"]) {
      const m = authMode({ SEQSCOPE_HOST: host });
      expect(m.mode).toBe("refused");
      if (m.mode === "refused") {
        expect(m.error).toContain("SEQSCOPE_OIDC_ISSUER");
        expect(m.error).toContain("loopback");
      }
    }
  });

  it("signs in through the issuer when it is set, whatever the bind address", () => {
    for (const host of [undefined, "0.0.0.0"]) {
      const m = authMode({ ...OIDC, SEQSCOPE_HOST: host });
      expect(m).toMatchObject({
        mode: "oidc",
        issuer: "https://id.example.com/realms/ops",
        publicUrl: "https://seqscope.example.com",
        rolesClaim: "groups",
        viewerGroups: ["seqscope-viewer"],
        adminGroups: ["seqscope-admin"],
        scopes: ["openid", "profile", "email"],
      });
      expect(m).not.toHaveProperty("orgClaim");
    }
  });

  it("names every missing companion of the issuer, and serves nothing meanwhile", () => {
    const m = authMode({ SEQSCOPE_OIDC_ISSUER: OIDC.SEQSCOPE_OIDC_ISSUER, SEQSCOPE_OIDC_CLIENT_ID: "x" });
    expect(m.mode).toBe("refused");
    if (m.mode !== "refused") return;
    for (const name of ["SEQSCOPE_OIDC_CLIENT_SECRET", "SEQSCOPE_AUTH_SECRET", "SEQSCOPE_PUBLIC_URL"]) {
      expect(m.error).toContain(name);
    }
    expect(m.error).not.toContain("SEQSCOPE_OIDC_CLIENT_ID,");
  });

  it("rejects a short secret, a plain-http issuer off loopback and URLs that are not", () => {
    const err = (env: Record<string, string>) => {
      const m = authMode({ ...OIDC, ...env });
      return m.mode === "refused" ? m.error : m.mode;
    };
    expect(err({ SEQSCOPE_AUTH_SECRET: "short" })).toContain("at least 32");
    expect(err({ SEQSCOPE_OIDC_ISSUER: "http://id.example.com" })).toContain("https://");
    expect(err({ SEQSCOPE_OIDC_ISSUER: "http://127.0.0.1:9000" })).toBe("oidc");
    expect(err({ SEQSCOPE_OIDC_ISSUER: "not a url" })).toContain("not a URL");
    expect(err({ SEQSCOPE_PUBLIC_URL: "ftp://x" })).toContain("http(s)");
  });

  it("reads the role groups, the claim names and the scopes", () => {
    const m = authMode({
      ...OIDC,
      SEQSCOPE_OIDC_ROLES_CLAIM: "realm_access.roles",
      SEQSCOPE_OIDC_VIEWER_GROUPS: " ops , audit ",
      SEQSCOPE_OIDC_ADMIN_GROUPS: "sre",
      SEQSCOPE_OIDC_ORG_CLAIM: "org_id",
      SEQSCOPE_OIDC_SCOPES: "openid email groups",
    });
    expect(m).toMatchObject({
      rolesClaim: "realm_access.roles",
      viewerGroups: ["ops", "audit"],
      adminGroups: ["sre"],
      orgClaim: "org_id",
      scopes: ["openid", "email", "groups"],
    });
  });
});

describe("isLoopbackHost", () => {
  it("knows 127.0.0.0/8, ::1 and localhost, nothing else", () => {
    expect(
      ["127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1", "localhost", "app.localhost"].every(isLoopbackHost),
    ).toBe(true);
    expect(
      ["0.0.0.0", "::", "", "127.0.0.256", "127.0.0", "10.0.0.1", "localhost.example.com"].some(isLoopbackHost),
    ).toBe(false);
  });
});

describe("rolesFromClaims", () => {
  const s = { rolesClaim: "groups", viewerGroups: ["seqscope-viewer"], adminGroups: ["seqscope-admin"] };
  it("gives viewer to a viewer group, viewer and admin to an admin group, nothing otherwise", () => {
    expect(rolesFromClaims({ groups: ["seqscope-viewer", "other"] }, s)).toEqual(["viewer"]);
    expect(rolesFromClaims({ groups: ["seqscope-admin"] }, s)).toEqual(["viewer", "admin"]);
    expect(rolesFromClaims({ groups: ["other"] }, s)).toEqual([]);
    expect(rolesFromClaims({}, s)).toEqual([]);
    expect(rolesFromClaims({ groups: [1, null, { x: 1 }] }, s)).toEqual([]);
  });
  it("reads a flattened string and a nested claim", () => {
    expect(rolesFromClaims({ groups: "a seqscope-admin,b" }, s)).toEqual(["viewer", "admin"]);
    expect(
      rolesFromClaims({ realm_access: { roles: ["seqscope-viewer"] } }, { ...s, rolesClaim: "realm_access.roles" }),
    ).toEqual(["viewer"]);
  });
  it("does not take a group that merely contains a configured name", () => {
    expect(rolesFromClaims({ groups: ["seqscope-viewers", "not-seqscope-admin"] }, s)).toEqual([]);
  });
});

describe("orgFromClaims", () => {
  it("reads the tenant only when a claim is configured and holds a value", () => {
    expect(orgFromClaims({ org_id: "acme" }, "org_id")).toBe("acme");
    expect(orgFromClaims({ org_id: 42 }, "org_id")).toBe("42");
    expect(orgFromClaims({ org_id: "acme" }, undefined)).toBeUndefined();
    expect(orgFromClaims({ org_id: ["a"] }, "org_id")).toBeUndefined();
  });
});

describe("safeCallbackPath", () => {
  it("returns to a path on this site only", () => {
    expect(safeCallbackPath("/executions/wfx-1?key=execution")).toBe("/executions/wfx-1?key=execution");
    for (const bad of [
      null,
      "",
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "/signin",
      "/api/auth/x",
    ]) {
      expect(safeCallbackPath(bad)).toBe("/");
    }
  });
});
