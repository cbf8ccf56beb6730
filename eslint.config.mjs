import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// One façade per system: only lib/nats imports the NATS client. lib/ never
// imports React or views, so it runs in the browser, in Node and in tests alike.
const NATS = { group: ["@nats-io/*"], message: "Import NATS only in lib/nats/ (one façade per system)." };
const VIEWS = {
  group: ["react", "react-dom", "next", "next/*", "@/components/*", "@/hooks/*", "@/app/*"],
  message: "lib/ stays free of React and views.",
};
// lib/ is what scripts/ build on, never the other way round.
const SCRIPTS = {
  group: ["**/scripts/**", "@/scripts/*"],
  message: "lib/ never imports scripts/ (move the code into lib/).",
};
// A hook reads a data source; views import hooks, not the reverse (contexts live in hooks/ or lib/).
const COMPONENTS = {
  group: ["**/components/**", "@/components/*", "@/app/*"],
  message: "hooks/ never import components/ or app/ (put shared contexts in hooks/).",
};
// Views (app, components, hooks) read the stream through the feed in lib/live, as plain data.
const NATS_LIB = {
  group: ["@/lib/nats/*", "**/lib/nats/*"],
  message: "Views never import lib/nats: read it through the feed (lib/live).",
};
// Flat config does not merge the options of one rule across blocks: each block lists all its patterns.
const restrict = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".seqscope/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
    ],
  },
  { files: ["**/*.{ts,tsx,mjs}"], rules: restrict(NATS) },
  { files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"], rules: restrict(NATS, NATS_LIB) },
  // Route handlers are the server's edge, not views: they may use lib/nats's server side (minting credentials).
  { files: ["app/api/**/route.ts"], rules: restrict(NATS) },
  { files: ["hooks/**/*.{ts,tsx}"], rules: restrict(NATS, NATS_LIB, COMPONENTS) },
  { files: ["lib/**/*.{ts,mjs}"], rules: restrict(NATS, VIEWS, SCRIPTS) },
  { files: ["lib/nats/**/*.ts"], rules: restrict(VIEWS, SCRIPTS) },
];

export default config;
