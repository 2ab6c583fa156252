/**
 * The package as a project installs it: every documented specifier (`django-duet/vite`, ...)
 * goes through package.json's "exports" map to a built file that exists and exports the
 * documented names, for Node's resolver (runtime) and for TypeScript's (types).
 *
 * The package is built afresh into a temporary node_modules/django-duet (the same tsconfig as
 * `npm run build`), so that neither a stale file in dist/ nor a missing build hides a broken map.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PACKAGE_DIR = path.resolve(import.meta.dirname, "..");
const REPO = path.resolve(PACKAGE_DIR, "..");

/** Every specifier the docs, the README and the example import, with the names they rely on. */
const DOCUMENTED: Record<string, { values: string[]; types: string[] }> = {
  "django-duet/vite": { values: ["default", "duet"], types: ["DuetOptions", "DuetDevOptions"] },
  "django-duet/client": {
    values: [
      "csrfFetch",
      "createCsrfFetch",
      "createClient",
      "createTokenClient",
      "requestFetch",
      "DuetApiError",
      "DuetError",
      "onStaleFrontend",
      "reloadOnChunkError",
    ],
    types: ["CsrfFetchOptions", "ClientOptions", "TokenStorage", "Tokens"],
  },
  "django-duet/ssr": { values: ["default", "duetSsr"], types: ["DuetSsrOptions"] },
  "django-duet/ssr/server": { values: ["createRenderer"], types: ["RendererOptions"] },
  "django-duet/ssr/client": { values: ["hydrate"], types: ["HydrateOptions"] },
  "django-duet/ssr/head": { values: ["head"], types: ["HeadTags"] },
  "django-duet/islands": { values: ["registerIslands", "lazyIsland"], types: ["IslandsAdapter", "IslandComponents"] },
  "django-duet/islands/vue": { values: ["registerVueIslands", "vueAdapter"], types: ["VueFunctions", "VueIslandsOptions"] },
  "django-duet/ssr/vue": { values: ["vueRenderer"], types: ["VueServerFunctions", "VueRendererOptions"] },
  "django-duet/islands/svelte": { values: ["registerSvelteIslands", "svelteAdapter"], types: ["SvelteFunctions", "SvelteIslandsOptions"] },
  "django-duet/ssr/svelte": { values: ["svelteRenderer"], types: ["SvelteServerFunctions", "SvelteRendererOptions"] },
};

interface ExportTarget {
  types: string;
  import: string;
}

const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as {
  exports: Record<string, ExportTarget>;
};

let project: string;
let installed: string;

function run(file: string, args: string[], cwd: string): string {
  return execFileSync(process.execPath, [file, ...args], { cwd, encoding: "utf8", stdio: "pipe" });
}

beforeAll(() => {
  project = mkdtempSync(path.join(os.tmpdir(), "duet-exports-"));
  installed = path.join(project, "node_modules", "django-duet");
  mkdirSync(installed, { recursive: true });
  copyFileSync(path.join(PACKAGE_DIR, "package.json"), path.join(installed, "package.json"));
  const tsc = path.join(PACKAGE_DIR, "node_modules", "typescript", "bin", "tsc");
  run(tsc, ["-p", path.join(PACKAGE_DIR, "tsconfig.json"), "--outDir", path.join(installed, "dist")], PACKAGE_DIR);
  // The consumer's own dependencies, for the type check: vite (the peer) and Node's types.
  for (const dep of ["vite", "@types"]) {
    symlinkSync(path.join(PACKAGE_DIR, "node_modules", dep), path.join(project, "node_modules", dep), "dir");
  }
}, 120_000);

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

function exportOf(specifier: string): ExportTarget {
  const key = `.${specifier.slice("django-duet".length)}`;
  const target = manifest.exports[key];
  if (target === undefined) throw new Error(`package.json "exports" has no "${key}" (for ${specifier})`);
  return target;
}

describe("package.json exports", () => {
  it("maps exactly the documented specifiers", () => {
    const keys = Object.keys(manifest.exports).map((key) => `django-duet${key.slice(1)}`);
    expect(keys.sort()).toEqual(Object.keys(DOCUMENTED).sort());
  });

  it.each(Object.keys(DOCUMENTED))("%s: the built files exist", (specifier) => {
    const target = exportOf(specifier);
    expect(target.import).toMatch(/^\.\/dist\/.*\.js$/);
    expect(target.types).toBe(target.import.replace(/\.js$/, ".d.ts"));
    expect(existsSync(path.join(installed, target.import)), target.import).toBe(true);
    expect(existsSync(path.join(installed, target.types)), target.types).toBe(true);
  });

  it("Node resolves every specifier to its file, which exports the documented names", () => {
    // A separate Node process, in a project that has django-duet in node_modules: Node's own
    // ESM resolver (not Vite's) reads the exports map.
    const script = `
      const out = {};
      for (const specifier of ${JSON.stringify(Object.keys(DOCUMENTED))}) {
        const module = await import(specifier);
        out[specifier] = { file: import.meta.resolve(specifier), names: Object.keys(module) };
      }
      console.log(JSON.stringify(out));
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: project,
      encoding: "utf8",
    });
    const found = JSON.parse(output) as Record<string, { file: string; names: string[] }>;
    for (const [specifier, documented] of Object.entries(DOCUMENTED)) {
      const entry = found[specifier];
      expect(entry?.file).toBe(new URL(exportOf(specifier).import, `file://${installed}/`).href);
      expect(entry?.names).toEqual(expect.arrayContaining(documented.values));
    }
  });

  it("TypeScript resolves every specifier's types, with the documented names", () => {
    const lines = Object.entries(DOCUMENTED).flatMap(([specifier, { values, types }], i) => {
      const named = values.filter((name) => name !== "default");
      return [
        `import * as m${i} from ${JSON.stringify(specifier)};`,
        ...named.map((name) => `export const v${i}_${name} = m${i}.${name};`),
        ...(values.includes("default") ? [`export const v${i}_default = m${i}.default;`] : []),
        ...types.map((name) => `export type t${i}_${name} = m${i}.${name};`),
      ];
    });
    writeFileSync(path.join(project, "consumer.ts"), `${lines.join("\n")}\n`);
    writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ["consumer.ts"],
      }),
    );
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
    const tsc = path.join(PACKAGE_DIR, "node_modules", "typescript", "bin", "tsc");
    let output = "";
    try {
      run(tsc, ["-p", "tsconfig.json"], project);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  }, 60_000);
});

/** The `django-duet/<x>` specifiers that the docs, the README and the example import or name. */
function specifiersInRepo(): Set<string> {
  const found = new Set<string>();
  const pattern = /(?:from\s+|import\(\s*|`)["']?(django-duet\/[a-z][a-z/-]*)/g;
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (/\.(md|ts|tsx|js|mjs)$/.test(entry.name)) {
        for (const match of readFileSync(file, "utf8").matchAll(pattern)) found.add(match[1] ?? "");
      }
    }
  };
  visit(path.join(REPO, "docs"));
  visit(path.join(REPO, "example"));
  if (existsSync(path.join(REPO, "README.md"))) {
    for (const match of readFileSync(path.join(REPO, "README.md"), "utf8").matchAll(pattern)) found.add(match[1] ?? "");
  }
  return found;
}

it("every specifier the docs and the example use is in the list above", () => {
  const used = [...specifiersInRepo()].sort();
  expect(used.length).toBeGreaterThan(0);
  for (const specifier of used) expect(Object.keys(DOCUMENTED)).toContain(specifier);
});
