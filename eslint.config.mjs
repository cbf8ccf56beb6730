import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// One façade per system: only lib/nats imports the NATS client. lib/ never
// imports React or views, so it runs in the browser, in Node and in tests alike.
const NATS = { group: ["@nats-io/*"], message: "Import NATS only in lib/nats/ (one façade per system)." };
const VIEWS = {
  group: ["react", "react-dom", "next", "next/*", "@/components/*", "@/hooks/*", "@/app/*"],
  message: "lib/ stays free of React and views.",
};
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
  { files: ["lib/**/*.ts"], rules: restrict(NATS, VIEWS) },
  { files: ["lib/nats/**/*.ts"], rules: restrict(VIEWS) },
];

export default config;
