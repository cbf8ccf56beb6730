import { currentAccess } from "@/lib/auth/session";

/** Where the proxy sends a viewer who opened an admin-only page (with status 403). */
export default async function ForbiddenPage() {
  const access = await currentAccess();
  const who = access.kind === "viewer" ? (access.viewer.name ?? access.viewer.id) : undefined;
  return (
    <section aria-labelledby="admin-only-title" data-testid="admin-only-panel" className="max-w-lg space-y-2">
      <h1 id="admin-only-title" className="text-lg font-semibold">
        403 — admins only
      </h1>
      <p className="text-sm">
        This page needs the admin role{who ? `, and ${who} is a viewer` : ""}. Admins are the members of
        SEQSCOPE_OIDC_ADMIN_GROUPS.
      </p>
    </section>
  );
}
