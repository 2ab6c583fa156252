// Node's side of the SSR benchmark (bench_ssr.py), with the same components as Django renders:
//   node ssr_node.mjs inprocess <project> <jobs.json>   renderToString in this process, medians
//   node ssr_node.mjs serve <project> <port>            a render server over HTTP (the sidecar)
// Both parse the props from JSON text, as Django's path does.
import http from "node:http";
import path from "node:path";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [mode, project, arg] = process.argv.slice(2);
const { createRequire } = await import("node:module");
const require = createRequire(path.join(project, "package.json"));
const { createElement } = require("react");
const { renderToString } = require("react-dom/server");
const components = await import(pathToFileURL(path.join(project, "src/components.js")).href);

function render(name, json) {
  return renderToString(createElement(components[name], JSON.parse(json)));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

if (mode === "inprocess") {
  // jobs: [{name, json, number, repeat}]: the median over `repeat` runs of ms per call.
  const jobs = JSON.parse(readFileSync(arg, "utf8"));
  const out = {};
  for (const job of jobs) {
    for (let i = 0; i < 3; i++) render(job.name, job.json); // warm up the JIT
    const runs = [];
    for (let r = 0; r < job.repeat; r++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < job.number; i++) render(job.name, job.json);
      runs.push(Number(process.hrtime.bigint() - start) / 1e6 / job.number);
    }
    out[job.key] = median(runs);
  }
  process.stdout.write(JSON.stringify(out));
} else if (mode === "serve") {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const name = req.url.slice(1);
      try {
        const html = render(name, Buffer.concat(chunks).toString("utf8"));
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(html);
      } catch (error) {
        res.writeHead(500);
        res.end(String(error));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(arg), "127.0.0.1");
} else {
  throw new Error(`unknown mode ${mode}`);
}
