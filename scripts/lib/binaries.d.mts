export * from "../../lib/node/binaries.mjs";
