import { describe, expect, it } from "vitest";
import { dataDirPaths } from "./data-dir";

describe("dataDirPaths", () => {
  it("puts a relative data folder under the project folder", () => {
    expect(dataDirPaths("/work/seqscope", ".seqscope")).toEqual({
      dataDir: "/work/seqscope/.seqscope",
      storeDir: "/work/seqscope/.seqscope/jetstream",
      lockPath: "/work/seqscope/.seqscope/start.lock",
    });
    expect(dataDirPaths("/work/seqscope/", "../state").dataDir).toBe("/work/state");
  });

  it("keeps an absolute one where it is, not under the project folder", () => {
    expect(dataDirPaths("/work/seqscope", "/var/lib/seqscope")).toEqual({
      dataDir: "/var/lib/seqscope",
      storeDir: "/var/lib/seqscope/jetstream",
      lockPath: "/var/lib/seqscope/start.lock",
    });
  });
});
