import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "vite";
import type { ConfigPluginContext, Plugin, UserConfig } from "vite";
import duet from "../../src/vite.js";
import { devBase, hotUrl } from "../../src/vite/dev.js";
import type { DuetHotFile } from "../../src/vite/dev.js";

let root: string;
const ENV_NAMES = ["DUET_STATIC_URL", "DUET_HOT_FILE", "DUET_DEV_ORIGINS", "DUET_DEV_HOSTS", "DUET_DEV_HMR", "DUET_DEV_URL"];

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "duet-dev-"));
  mkdirSync(path.join(root, "src"));
  writeFileSync(path.join(root, "src/main.ts"), 'export const answer = 42;\n');
  writeFileSync(
    path.join(root, "index.html"),
    '<!doctype html><html><head><link rel="icon" href="/favicon.svg"></head><body>' +
      '<script type="module" src="/src/main.ts"></script></body></html>\n',
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  for (const name of ENV_NAMES) delete process.env[name];
});

function serveConfig(plugin: Plugin, user: UserConfig, viteVersion = "8.3.0"): UserConfig {
  const hook = plugin.config;
  if (typeof hook !== "function") throw new Error("config hook is not a function");
  const context = { meta: { viteVersion } } as unknown as ConfigPluginContext;
  return hook.call(context, { root, ...user }, { command: "serve", mode: "development" }) as UserConfig;
}

describe("dev server config", () => {
  it("serves under STATIC_URL, behind Django's origin, with the HMR socket on Vite's port", () => {
    const config = serveConfig(duet({ input: "src/main.ts" }), {});
    expect(config.base).toBe("/static/");
    expect(config.appType).toBe("mpa");
    expect(config.html).toEqual({ cspNonce: "DUET_CSP_NONCE" });
    expect(config.server).toEqual({
      strictPort: true,
      cors: { origin: ["http://127.0.0.1:8000", "http://localhost:8000"] },
      ws: { clientPort: 5173 },
    });
  });

  it("takes Django's origins, hosts and HMR route from `manage.py duet dev`", () => {
    process.env.DUET_STATIC_URL = "https://cdn.example.com/assets";
    process.env.DUET_DEV_ORIGINS = "http://app.example.test:8001";
    process.env.DUET_DEV_HOSTS = "app.example.test,.example.test";
    process.env.DUET_DEV_HMR = "django";
    const config = serveConfig(duet({ input: "src/main.ts", staticPrefix: "front" }), {});
    expect(config.base).toBe("/assets/front/");
    expect(config.server).toEqual({
      strictPort: true,
      cors: { origin: ["http://app.example.test:8001"] },
      allowedHosts: ["app.example.test", ".example.test"],
    });
  });

  it("leaves what the Vite config sets, and uses server.hmr before Vite 8", () => {
    const config = serveConfig(
      duet({ input: "src/main.ts" }),
      { base: "/mine/", appType: "spa", server: { port: 6000, cors: false, strictPort: false } },
      "7.1.0",
    );
    expect(config.base).toBeUndefined();
    expect(config.appType).toBeUndefined();
    expect(config.server).toEqual({ hmr: { clientPort: 6000 } });
    const own = serveConfig(duet({ input: "src/main.ts" }), { server: { ws: { clientPort: 443 } } });
    expect(own.server?.ws).toBeUndefined();
  });

  it("opens Django's URL, not Vite's, when the Vite config asks for server.open", () => {
    expect(serveConfig(duet({ input: "src/main.ts" }), {}).server?.open).toBeUndefined();
    expect(serveConfig(duet({ input: "src/main.ts" }), { server: { open: true } }).server?.open).toBe("http://127.0.0.1:8000/");
    process.env.DUET_DEV_URL = "http://localhost:9000/";
    expect(serveConfig(duet({ input: "src/main.ts" }), { server: { open: "/app/items?x=1" } }).server?.open).toBe(
      "http://localhost:9000/app/items?x=1",
    );
    delete process.env.DUET_DEV_URL;
    const plugin = duet({ input: "src/main.ts", dev: { djangoOrigins: ["http://[::1]:8001"] } });
    expect(serveConfig(plugin, { server: { open: "app/" } }).server?.open).toBe("http://[::1]:8001/app/");
  });

  it("refuses an unknown HMR route", () => {
    process.env.DUET_DEV_HMR = "both";
    expect(() => serveConfig(duet({ input: "src/main.ts" }), {})).toThrow(/write "vite".*or "django"/);
  });

  it("maps listening addresses to what this machine reaches", () => {
    expect(hotUrl({ address: "0.0.0.0", family: "IPv4", port: 5173 }, false)).toBe("http://127.0.0.1:5173");
    expect(hotUrl({ address: "::", family: "IPv6", port: 5173 }, false)).toBe("http://[::1]:5173");
    expect(hotUrl({ address: "127.0.0.1", family: "IPv4", port: 1 }, true)).toBe("https://127.0.0.1:1");
    expect(devBase("/static/", "")).toBe("/static/");
    expect(devBase("//cdn.example.com/s/", "x/")).toBe("/s/x/");
  });
});

describe("the hot file", () => {
  it("is written while the dev server listens and removed when it stops", async () => {
    const hot = path.join(root, "run", ".duet-hot");
    process.env.DUET_HOT_FILE = hot;
    const server = await createServer({
      root,
      configFile: false,
      logLevel: "silent",
      plugins: [duet({ input: ["src/main.ts", "index.html"] })],
      server: { host: "127.0.0.1", port: 0 },
    });
    try {
      await server.listen();
      const info = JSON.parse(readFileSync(hot, "utf8")) as DuetHotFile;
      const address = server.httpServer?.address();
      const port = typeof address === "object" && address !== null ? address.port : -1;
      expect(info).toEqual({ version: 1, url: `http://127.0.0.1:${port}`, base: "/static/", reactRefresh: false });

      const html = await (await fetch(`${info.url}/static/index.html`, { headers: { accept: "text/html" } })).text();
      expect(html).toContain('<script type="module" src="/static/@vite/client" nonce="DUET_CSP_NONCE"></script>');
      expect(html).toContain('src="/static/src/main.ts"');
      // "mpa": what Vite lacks is a 404 that Django's proxy hands back, not index.html.
      const miss = await fetch(`${info.url}/static/admin/css/base.css`, { headers: { accept: "text/css,*/*" } });
      expect(miss.status).toBe(404);
    } finally {
      await server.close();
    }
    expect(existsSync(hot)).toBe(false);
  });

  it("leaves a file that another server wrote meanwhile", async () => {
    const hot = path.join(root, "run2", ".duet-hot");
    process.env.DUET_HOT_FILE = hot;
    const server = await createServer({
      root,
      configFile: false,
      logLevel: "silent",
      plugins: [duet({ input: "src/main.ts" })],
      server: { host: "127.0.0.1", port: 0 },
    });
    await server.listen();
    writeFileSync(hot, '{"url": "http://127.0.0.1:1"}\n');
    await server.close();
    expect(readFileSync(hot, "utf8")).toBe('{"url": "http://127.0.0.1:1"}\n');
  });
});
