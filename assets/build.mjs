// Builds pb/static/build/: the branded CSS, GOV.UK Frontend's JS and its images.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";

const out = "pb/static/build";
const dist = "node_modules/govuk-frontend/dist/govuk";
mkdirSync(out, { recursive: true });
execFileSync("node_modules/.bin/sass", [
  "--pkg-importer=node", "--style=compressed", "--no-source-map", "--quiet-deps",
  "assets/app.scss", `${out}/app.min.css`,
], { stdio: "inherit" });
cpSync(`${dist}/govuk-frontend.min.js`, `${out}/govuk-frontend.min.js`);
cpSync(`${dist}/assets/images`, `${out}/images`, { recursive: true });
cpSync("assets/js", `${out}/js`, { recursive: true });
