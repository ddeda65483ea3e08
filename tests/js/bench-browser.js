// Times @custody/policy's `web` build (release wasm) in a page in headless
// Chromium: the same cases as bench.js, by the same code (bench/timing.js),
// with the same options and output (suite "chromium").
//
// A small HTTP server on 127.0.0.1 serves the page, the package's web build,
// the timing module and the world and actions as text. The page times the
// cases and posts its results (or its error) back; Chromium is then closed.
// The server sends cross-origin isolation headers so that the page's
// performance.now() has its fine resolution (5 µs instead of 100 µs).
//
//   node bench-browser.js --world W.json --actions A.json --world-label irregular --size L --out FILE [--runs N]
import { createServer } from "node:http";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { spawn } from "node:child_process";
import { join, dirname, normalize } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { options, report } from "./bench/cli.js";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "node_modules", "@custody", "policy", "dist", "web");
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Generous: an XL world with many runs takes minutes; a broken page is
// usually reported at once through /error.
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60_000);

const opts = options("bench-browser.js");

// The page: loads the package and the timing module, fetches the inputs,
// runs the cases and posts what happened. Errors of any kind go to /error.
const page = `<!doctype html><html><body><p>benchmark running</p>
<script type="module">
const send = (path, body) => fetch(path, { method: "POST", body: JSON.stringify(body) });
const fail = (e) => send("/error", { message: String(e?.stack ?? e?.message ?? e) });
addEventListener("error", (e) => fail(e.error ?? e.message));
addEventListener("unhandledrejection", (e) => fail(e.reason));
try {
  const { default: init, Engine } = await import("./pkg/custody_policy.js");
  const { measure } = await import("./bench/timing.js");
  await init();
  const [text, actions] = await Promise.all([
    fetch("/world.json").then((r) => r.text()),
    fetch("/actions.json").then((r) => r.json()),
  ]);
  const runs = Number(new URLSearchParams(location.search).get("runs"));
  const results = measure({ Engine, text, actions, runs, now: () => performance.now() });
  await send("/result", { results, isolated: crossOriginIsolated });
} catch (e) {
  await fail(e);
}
</script></body></html>`;

const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".json": "application/json" };
// Cross-origin isolation: the page and everything it loads come from here.
const isolation = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

/** Serves the page and its files; calls `done` with the page's answer. */
function serve(done) {
  const fixed = {
    "/": [page, "text/html"],
    "/world.json": [opts.text, "application/json"],
    "/actions.json": [opts.actionsText, "application/json"],
  };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (req.method === "POST") {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        res.writeHead(204).end();
        done(path, JSON.parse(body));
      });
      return;
    }
    try {
      if (path in fixed) {
        const [body, type] = fixed[path];
        res.writeHead(200, { "content-type": type, ...isolation }).end(body);
        return;
      }
      const file = path.startsWith("/pkg/")
        ? normalize(join(web, path.slice("/pkg/".length)))
        : path === "/bench/timing.js"
          ? join(here, "bench", "timing.js")
          : null;
      // Only the web build's own files (no path out of it) and the timing module.
      if (!file || !(file.startsWith(web + "/") || file === join(here, "bench", "timing.js"))) throw new Error("not found");
      const body = await readFile(file);
      const type = types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream";
      res.writeHead(200, { "content-type": type, ...isolation }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Starts headless Chromium on `url`; it runs until killed. */
function launch(url, profile) {
  const args = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", `--user-data-dir=${profile}`,
    "--remote-debugging-port=0", url,
  ];
  return spawn(chromium, args, { stdio: ["ignore", "ignore", "ignore"] });
}

const profile = await mkdtemp(join(tmpdir(), "custody-bench-chromium-"));
// Settles with the page's results, or fails on a page error, Chromium
// exiting early or the timeout.
let settle;
const answer = new Promise((resolve, reject) => (settle = { resolve, reject }));
const server = await serve((path, body) =>
  path === "/result" ? settle.resolve(body) : settle.reject(new Error(`the page failed: ${body.message}`)),
);
const child = launch(`http://127.0.0.1:${server.address().port}/?runs=${opts.runs}`, profile);
const exited = new Promise((resolve) => child.on("close", resolve));
child.on("error", (e) => settle.reject(new Error(`cannot start ${chromium}: ${e.message}`)));
exited.then((code) => settle.reject(new Error(`Chromium exited (${code}) before the page answered`)));
const timer = setTimeout(() => settle.reject(new Error(`no answer from the page in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);

let failed = false;
try {
  const { results, isolated } = await answer;
  if (!isolated) console.log("note: the page was not cross-origin isolated; performance.now() is coarse (100 µs)");
  report("chromium", opts, results);
} catch (e) {
  console.error(`bench-browser.js: ${e.message}`);
  failed = true;
} finally {
  clearTimeout(timer);
  child.kill("SIGKILL");
  await exited;
  server.close();
  // Chromium's helper processes may still be writing to the profile for a
  // moment after the browser is killed: retry, and a profile left behind
  // in the temporary folder is only worth a note, not a failed run.
  await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch((e) =>
    console.log(`note: could not remove ${profile}: ${e.message}`),
  );
}
process.exit(failed ? 1 : 0);
