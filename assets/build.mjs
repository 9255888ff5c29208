// Builds pb/static/build/: the branded CSS (only the GOV.UK Frontend components we use), our
// scripts bundled and minified (each page's script is one request, with only the GOV.UK
// Frontend components it uses), and a Brotli and a gzip copy of every text file beside it, so
// the app serves them compressed without compressing on each request (pb/web/static_files.py
// gives them content-hashed URLs and a year's immutable caching).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { buildSync } from "esbuild";

const out = "pb/static/build";
const dist = "node_modules/govuk-frontend/dist/govuk";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync("node_modules/.bin/sass", [
  "--pkg-importer=node", "--style=compressed", "--no-source-map", "--quiet-deps",
  "assets/app.scss", `${out}/app.min.css`,
], { stdio: "inherit" });
buildSync({
  entryPoints: ["assets/js/init.js", "assets/js/ballot.js"],
  outdir: `${out}/js`,
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  legalComments: "none",
  logLevel: "warning",
});
cpSync(`${dist}/assets/images`, `${out}/images`, { recursive: true });

const TEXT = /\.(css|js|svg|json)$/;
const compress = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      compress(path);
    } else if (TEXT.test(name)) {
      const data = readFileSync(path);
      writeFileSync(`${path}.br`, brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }));
      writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
    }
  }
};
compress(out);
// the favicon lives outside build/: compressed beside it too
for (const name of ["pb/static/favicon.svg"]) {
  const data = readFileSync(name);
  writeFileSync(`${name}.br`, brotliCompressSync(data));
  writeFileSync(`${name}.gz`, gzipSync(data, { level: 9 }));
}
