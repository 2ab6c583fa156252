// Node's side of the SSR benchmark (bench_ssr.py), with the same components as Django renders:
//   node ssr_node.mjs pipe <project> <jobs.json>   renderToString in this process, timed on demand
//   node ssr_node.mjs serve <project> <port>       a render server over HTTP (the sidecar)
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

if (mode === "pipe") {
  // jobs: {key: {name, json}}. Each stdin line "<key> <number>" runs `number` renders of that
  // job and answers the ms per render, so that the benchmark can interleave Node's timings with
  // Django's on a shared machine (a load spike then hits both, not one of them).
  const jobs = JSON.parse(readFileSync(arg, "utf8"));
  for (const job of Object.values(jobs)) for (let i = 0; i < 3; i++) render(job.name, job.json); // JIT warm-up
  process.stdout.write("ready\n");
  let pending = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => {
    pending += chunk;
    let cut;
    while ((cut = pending.indexOf("\n")) >= 0) {
      const [key, number] = pending.slice(0, cut).split(" ");
      pending = pending.slice(cut + 1);
      const job = jobs[key];
      const start = process.hrtime.bigint();
      for (let i = 0; i < Number(number); i++) render(job.name, job.json);
      process.stdout.write(`${Number(process.hrtime.bigint() - start) / 1e6 / Number(number)}\n`);
    }
  });
  // React's MessageChannel keeps the loop alive: leave when the benchmark closes stdin.
  process.stdin.on("end", () => process.exit(0));
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
