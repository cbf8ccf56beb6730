import { describe, expect, it } from "vitest";
import { accessFor, hostName } from "./access";
import { authMode } from "./auth-mode";

const local = authMode({});

describe("access without sign-in", () => {
  it("is the local viewer's when the request names a loopback host", async () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "localhost"]) {
      expect((await accessFor(local, new Headers({ host }))).kind, host).toBe("viewer");
    }
  });

  it("is refused under any other name (a LAN address, a DNS-rebinding site resolving to 127.0.0.1)", async () => {
    for (const host of ["evil.example", "evil.example:3000", "192.168.1.5:3000", "127.0.0.1.evil.example", ""]) {
      const a = await accessFor(local, new Headers(host ? { host } : {}));
      expect(a.kind, host).toBe("refused");
    }
  });

  it("reads the host name out of a Host header", () => {
    expect(hostName("[::1]:3000")).toBe("[::1]");
    expect(hostName("localhost:3000")).toBe("localhost");
    expect(hostName(null)).toBe("");
  });
});
