import { redirect } from "next/navigation";
import { currentAccess } from "@/lib/auth/session";
import { safeCallbackPath } from "@/lib/auth/auth-paths";

/**
 * Sign-in. The root layout renders the sign-in (or 403) panel for anyone who is not a viewer, on every
 * path; a viewer who lands here goes on to where they were headed.
 */
export default async function SignInPage({ searchParams }: PageProps<"/signin">) {
  const access = await currentAccess();
  if (access.kind === "viewer") {
    const { callbackURL } = await searchParams;
    redirect(safeCallbackPath(typeof callbackURL === "string" ? callbackURL : undefined));
  }
  return null;
}
