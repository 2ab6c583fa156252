import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { build, createServer } from "vite";
import type { InlineConfig, Logger } from "vite";
import duet from "../../src/vite.js";
import type { DuetOptions } from "../../src/vite.js";
import { checkApiUrl, configFileName } from "../../src/vite/spa-config.js";

let root: string;
// Variables a test sets: removed after each, so none leaks into the next.
const ENV_NAMES = ["VITE_API_URL", "VITE_BACKEND", "DUET_STATIC_URL", "DUET_HOT_FILE"];

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "duet-spa-"));
  // What the SPA does with the variable: the build must inline it.
  write("src/main.ts", "document.title = `API: ${import.meta.env.VITE_API_URL}`;\n");
  write(
    "index.html",
    '<!doctype html>\n<html><head><title>spa</title></head><body><div id="root"></div>' +
      '<script type="module" src="/src/main.ts"></script></body></html>\n',
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  for (const name of ENV_NAMES) delete process.env[name];
  rmSync(path.join(root, ".env.production"), { force: true });
});

function quietLogger(warnings: string[]): Logger {
  return {
    hasWarned: false,
    info: () => undefined,
    warn: (msg) => void warnings.push(msg),
    warnOnce: (msg) => void warnings.push(msg),
    error: (msg) => void warnings.push(msg),
    clearScreen: () => undefined,
    hasErrorLogged: () => false,
  };
}

function config(options: DuetOptions, outDir: string, extra: InlineConfig = {}, warnings: string[] = []): InlineConfig {
  return {
    root,
    configFile: false,
    customLogger: quietLogger(warnings),
    plugins: [duet(options)],
    build: { outDir, emptyOutDir: true },
    ...extra,
  };
}

/** `vite build` of the fixture SPA into a fresh folder; returns that folder. */
async function runBuild(options: DuetOptions, extra: InlineConfig = {}): Promise<string> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), "duet-spa-out-"));
  await build(config(options, outDir, extra));
  return outDir;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => f.split(path.sep).join("/")).sort();
}

describe("duet({ spa: true }) builds", () => {
  it("an index.html under base / with the API's URL inlined, and nothing for Django", async () => {
    process.env.VITE_API_URL = "http://api.example.test:8000";
    process.env.DUET_STATIC_URL = "/static/"; // Django's variable: not the SPA's business
    const out = await runBuild({ spa: true });
    const html = readFileSync(path.join(out, "index.html"), "utf8");
    const script = /<script type="module" crossorigin src="([^"]+)"><\/script>/.exec(html)?.[1];
    expect(script).toMatch(/^\/assets\/index-[\w-]+\.js$/); // base "/", not STATIC_URL
    const code = readFileSync(path.join(out, script!.slice(1)), "utf8");
    expect(code).toContain("http://api.example.test:8000");
    // No Django manifest, no duet.json, no config file: a plain static site.
    expect(files(out)).toEqual(["assets", script!.slice(1), "index.html"]);
  });

  it("reads the variable from .env.production, as Vite does", async () => {
    write(".env.production", "VITE_API_URL=https://api.example.com/\n");
    const out = await runBuild({ spa: true });
    const js = files(out).find((f) => f.endsWith(".js"))!;
    expect(readFileSync(path.join(out, js), "utf8")).toContain("https://api.example.com/");
  });

  it("keeps a base the Vite config sets (an SPA under a path of its host)", async () => {
    process.env.VITE_API_URL = "https://api.example.com/";
    const out = await runBuild({ spa: true }, { base: "/shop/" });
    expect(readFileSync(path.join(out, "index.html"), "utf8")).toMatch(/src="\/shop\/assets\/index-/);
  });

  it("fails without the API's URL, saying how to give it", async () => {
    await expect(runBuild({ spa: true })).rejects.toThrow(
      /VITE_API_URL is not set: the SPA would not know where the API is\. Build with VITE_API_URL=https:\/\/api\.example\.com\/ npm run build/,
    );
  });

  it("fails on a URL that is not absolute http(s)", async () => {
    process.env.VITE_API_URL = "api.example.com";
    await expect(runBuild({ spa: true })).rejects.toThrow(
      /VITE_API_URL is "api\.example\.com": write the API's absolute URL, e\.g\. VITE_API_URL=https:\/\/api\.example\.com\//,
    );
  });

  it("takes another variable, but only one Vite exposes", async () => {
    process.env.VITE_BACKEND = "https://api.example.com";
    const out = await runBuild({ spa: { apiUrlEnv: "VITE_BACKEND" } });
    expect(existsSync(path.join(out, "index.html"))).toBe(true);
    await expect(runBuild({ spa: { apiUrlEnv: "API_URL" } })).rejects.toThrow(
      /spa\.apiUrlEnv is "API_URL", which Vite does not expose to the app \(envPrefix: \["VITE_"\]\)/,
    );
  });

  it("refuses input: the SPA's entry is index.html", () => {
    expect(() => duet({ spa: true, input: "src/main.ts" })).toThrow(/duet\(\{ spa \}\) takes no input/);
  });
});

describe("the deploy-time config file", () => {
  it("is written from the variable, next to index.html", async () => {
    process.env.VITE_API_URL = "https://api.example.com";
    const out = await runBuild({ spa: { configFile: "config.json" } });
    expect(JSON.parse(readFileSync(path.join(out, "config.json"), "utf8"))).toEqual({
      apiUrl: "https://api.example.com/",
    });
  });

  it("leaves a file of that name in public/ as it is", async () => {
    process.env.VITE_API_URL = "https://api.example.com";
    write("public/config.json", '{"apiUrl": "https://staging.example.com/"}\n');
    try {
      const out = await runBuild({ spa: { configFile: "config.json" } });
      expect(readFileSync(path.join(out, "config.json"), "utf8")).toBe('{"apiUrl": "https://staging.example.com/"}\n');
    } finally {
      rmSync(path.join(root, "public"), { recursive: true, force: true });
    }
  });

  it("lets the build go without the variable: the deploy writes the file", async () => {
    const out = await runBuild({ spa: { configFile: "/config.json" } });
    expect(existsSync(path.join(out, "index.html"))).toBe(true);
    expect(existsSync(path.join(out, "config.json"))).toBe(false);
  });

  it("is served by the dev server, which keeps Vite's SPA fallback", async () => {
    process.env.VITE_API_URL = "http://localhost:8000";
    process.env.DUET_HOT_FILE = path.join(root, "hot-file-of-django-mode");
    const server = await createServer({
      ...config({ spa: { configFile: "config.json" } }, "dist"),
      server: { port: 0, host: "127.0.0.1" },
    });
    await server.listen();
    try {
      const address = server.httpServer?.address();
      if (address === null || address === undefined || typeof address === "string") throw new Error("no address");
      const origin = `http://127.0.0.1:${address.port}`;
      const answer = await fetch(`${origin}/config.json`);
      expect(answer.headers.get("content-type")).toBe("application/json");
      expect(await answer.json()).toEqual({ apiUrl: "http://localhost:8000/" });
      const deepLink = await fetch(`${origin}/notes/42`, { headers: { Accept: "text/html" } });
      expect(deepLink.status).toBe(200);
      expect(await deepLink.text()).toContain('<div id="root"></div>');
      expect(existsSync(process.env.DUET_HOT_FILE)).toBe(false); // Django's dev server is not involved
    } finally {
      await server.close();
    }
  });

  it("warns in development when the variable is missing, and serves no file", async () => {
    const warnings: string[] = [];
    const server = await createServer({
      ...config({ spa: { configFile: "config.json" } }, "dist", {}, warnings),
      server: { port: 0, host: "127.0.0.1" },
    });
    await server.listen();
    try {
      expect(warnings.join("\n")).toContain(
        "VITE_API_URL is not set (or public/config.json): the SPA does not know where the API is. " +
          "Put VITE_API_URL=http://localhost:8000/ in .env.development.local.",
      );
      const address = server.httpServer?.address();
      if (address === null || address === undefined || typeof address === "string") throw new Error("no address");
      const answer = await fetch(`http://127.0.0.1:${address.port}/config.json`, { headers: { Accept: "application/json" } });
      expect(answer.headers.get("content-type")).not.toBe("application/json");
    } finally {
      await server.close();
    }
  });

  it("refuses a name outside the build", () => {
    expect(() => configFileName("../config.json", "django-duet")).toThrow(/name a file next to index\.html/);
    expect(configFileName("/env/config.json", "django-duet")).toBe("env/config.json");
  });
});

describe("checkApiUrl", () => {
  it("adds the trailing slash createClient resolves against", () => {
    expect(checkApiUrl(" https://api.example.com ", "VITE_API_URL", "p")).toBe("https://api.example.com/");
    expect(checkApiUrl("http://localhost:8000/v2", "VITE_API_URL", "p")).toBe("http://localhost:8000/v2/");
  });

  it("refuses other schemes, queries, fragments and credentials", () => {
    for (const bad of ["ftp://api.example.com/", "//api.example.com", "/api/"]) {
      expect(() => checkApiUrl(bad, "VITE_API_URL", "p")).toThrow(/write the API's absolute URL/);
    }
    for (const bad of ["https://api.example.com/?v=1", "https://api.example.com/#x", "https://u:p@api.example.com/"]) {
      expect(() => checkApiUrl(bad, "VITE_API_URL", "p")).toThrow(/takes no query, fragment or credentials/);
    }
  });
});
