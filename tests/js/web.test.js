// The `web` build (an ES module with `init()`) loaded by a page in headless
// Chromium, as a site without a bundler uses it. The page runs a preview and
// writes the answer into the DOM, which Chromium prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { spawn } from "node:child_process";
import { join, dirname, normalize } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "node_modules", "@custody", "policy", "dist", "web");
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";

const page = `<!doctype html><html><body><pre id="out">loading</pre>
<script type="module">
import init, { preview, Engine } from "./pkg/custody_policy.js";
await init();
const world = { profile: "basespace",
  principals: [{ id: "alice", kind: "user", email: "alice@lab.example" }, { id: "bob", kind: "user", email: "bob@core.example" }],
  resources: [{ id: "P1", kind: "project", owner: "alice" }, { id: "D1", kind: "dataset", owner: "alice", projects: ["P1"] }] };
const answer = preview(world, { type: "share", actor: "alice", resource: "P1", principal: "bob", access: "write" });
const loaded = Engine.load({ profile: "nowhere" });
document.getElementById("out").textContent = "answer:" + JSON.stringify({ answer, load: loaded.error });
</script></body></html>`;

const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

function serve() {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    try {
      if (path === "/") {
        res.writeHead(200, { "content-type": "text/html" }).end(page);
        return;
      }
      const file = normalize(join(web, path.replace(/^\/pkg\//, "")));
      if (!path.startsWith("/pkg/") || !file.startsWith(web)) throw new Error("not found");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function dumpDom(url, profile) {
  const args = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", `--user-data-dir=${profile}`,
    "--virtual-time-budget=10000", "--dump-dom", url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(chromium, args, { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

test("the web build previews in a page in headless Chromium", async () => {
  const server = await serve();
  const profile = await mkdtemp(join(tmpdir(), "custody-chromium-"));
  try {
    const dom = await dumpDom(`http://127.0.0.1:${server.address().port}/`, profile);
    const text = dom.match(/answer:([^<]*)/)?.[1];
    assert.ok(text, `the page did not answer: ${dom.slice(0, 500)}`);
    const { answer, load } = JSON.parse(text.replaceAll("&quot;", '"').replaceAll("&gt;", ">").replaceAll("&amp;", "&"));
    assert.deepEqual(
      answer.changes.map((c) => [c.principal, c.resource, c.before, c.after]),
      [["bob", "D1", "none", "read"], ["bob", "P1", "none", "write"]],
    );
    assert.equal(load, "invalid_world");
  } finally {
    server.close();
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
});
