import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { connection } from "next/server";
import { readBrowserConfig } from "@/lib/config/server-config";
import { describeTarget } from "@/lib/config/runtime-config";
import { currentAccess } from "@/lib/auth/session";
import { AccessPanel } from "@/components/auth/access-panel";
import { AuthBadge } from "@/components/auth/auth-badge";
import { ConnectionStatus } from "@/components/live/connection-status";
import { FileSource } from "@/components/files/file-source";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "seqscope",
  description: "Seq collisions and missing events per producer, per workflow execution, live from NATS.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Read the sign-in rule and the NATS target per request, not at build time: one build, any deployment.
  await connection();
  // Nothing of the dashboard — not the page, not the NATS config — renders for a request that is not a
  // viewer's, whatever its path: the proxy turns such requests away first, this is the second line.
  const access = await currentAccess();
  if (access.kind !== "viewer") {
    return (
      <html lang="en">
        <body className="min-h-screen">
          <header className="border-b border-slate-200 px-6 py-3 dark:border-slate-800">
            <span className="text-lg font-semibold tracking-tight">seqscope</span>
          </header>
          <main className="px-6 py-6">
            <AccessPanel access={access} />
          </main>
        </body>
      </html>
    );
  }
  const cfg = readBrowserConfig();
  return (
    <html lang="en">
      <body className="min-h-screen">
        {cfg.ok ? (
          <Providers config={cfg.config}>
            <header className="flex items-start justify-between gap-4 border-b border-slate-200 px-6 py-3 dark:border-slate-800">
              <div>
                <nav className="flex items-baseline gap-4">
                  <Link href="/" className="text-lg font-semibold tracking-tight">
                    seqscope
                  </Link>
                  <Link href="/" className="text-sm text-slate-600 hover:underline dark:text-slate-400">
                    Executions
                  </Link>
                  <Link href="/producers" className="text-sm text-slate-600 hover:underline dark:text-slate-400">
                    Producers
                  </Link>
                  <Link href="/lab" className="text-sm text-slate-600 hover:underline dark:text-slate-400">
                    Decision lab
                  </Link>
                  <AuthBadge viewer={access.viewer} />
                </nav>
                <p className="text-xs text-slate-500">{describeTarget(cfg.config)}</p>
              </div>
              <FileSource />
              <ConnectionStatus stream={cfg.config.stream} />
            </header>
            <main className="px-6 py-4">{children}</main>
          </Providers>
        ) : (
          <main className="p-6">
            <h1 className="text-lg font-semibold">seqscope is not configured correctly</h1>
            <p className="mt-2 text-red-700 dark:text-red-400" role="alert">
              {cfg.error}
            </p>
          </main>
        )}
      </body>
    </html>
  );
}
