// The Node render server of bench_ssr_load.py: node:http and React's renderToString, on the
// example's own server bundle (the script Django runs in V8), loaded once into this process.
//   node ssr_load_node.mjs <bundle.js> <port>
// POST /<Component> with the props as JSON text; the answer is the bundle's JSON text
// ({ok, html, head, logs}), as Django's V8 gets it.
import http from "node:http";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const [bundle, port] = process.argv.slice(2);
vm.runInThisContext(readFileSync(bundle, "utf8"), { filename: bundle });
const runtime = globalThis.__duetSsr;
if (!runtime) throw new Error(`${bundle} installed no globalThis.__duetSsr`);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const answer = runtime.render(req.url.slice(1), Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), "127.0.0.1");
