// A tab whose credential can no longer be renewed says so with its status, in words
// that say what to do, and in its connection log; and stops saying it once renewed.
import { describe, expect, it } from "vitest";
import { freePort } from "../node/nats-server";
import { waitUntil } from "../nats/fault-testing";
import { AuditFeed } from "./audit-feed";

describe("a credential that cannot be renewed", () => {
  it("is named in the status of a tab that is not connected, and in the connection log", async () => {
    // Nothing listens there: the tab stays unconnected (status "error", retrying).
    const feed = new AuditFeed(
      { servers: [`ws://127.0.0.1:${await freePort()}`], stream: "S", subject: "s", historyLimit: 0 },
      (flush) => void setTimeout(flush, 0),
    );
    void feed.start();
    try {
      await waitUntil("the connect failed", () => feed.getSnapshot().status.phase === "error", 10_000);
      feed.credentialProblem("your sign-in has ended: reload the page to sign in again");
      await waitUntil("the status says why", () =>
        (feed.getSnapshot().status.reason ?? "").endsWith("— your sign-in has ended: reload the page to sign in again"),
      );
      expect(feed.getSnapshot().connectionLog.map((e) => e.kind)).toContain("credential_failed");
      feed.credentialProblem(undefined);
      await waitUntil("and stops saying it", () => !(feed.getSnapshot().status.reason ?? "").includes("sign-in"));
      expect(feed.getSnapshot().connectionLog.map((e) => e.kind)).toContain("credential_renewed");
    } finally {
      await feed.stop();
    }
  });
});
