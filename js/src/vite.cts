/**
 * `django-duet/vite` for a Vite config that is loaded with `require`: a `vite.config.js` or
 * `vite.config.ts` in a package without `"type": "module"` (a webpack-era frontend), which Vite
 * bundles to CommonJS. Vite 5 refuses to `require` an ES module file, so the exports map's
 * `require` condition points here; Node.js 20.19+ and 22.12+ then load the ES module itself with
 * `require` (it has no top-level await). Same exports as `vite.ts`.
 */
type DuetVite = typeof import("./vite.js");

function load(): DuetVite {
  try {
    return require("./vite.js") as DuetVite;
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_REQUIRE_ESM") throw error;
    throw new Error(
      `[django-duet] this Vite config is loaded as CommonJS (its package.json has no "type": ` +
        `"module"), and this Node.js (${process.version}) cannot require the ES module plugin: ` +
        `require(esm) is on by default from Node.js 20.19 and 22.12 (off with ` +
        `--no-experimental-require-module). Rename the config to vite.config.mjs ` +
        `(vite.config.mts for TypeScript), or add "type": "module" to package.json, or use a ` +
        `newer Node.js.`,
      { cause: error },
    );
  }
}

const vite: DuetVite = load();

export = vite;
