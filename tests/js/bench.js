// Times @custody/policy in Node on a generated deployment (the L world by
// default): loading a world into an Engine, and one preview of each
// benchmark action. Prints medians; not a test (timings on shared machines
// are noisy). Usage: node bench.js world-L.json
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Engine, preview } from "@custody/policy";

const file = process.argv[2];
if (!file) {
  console.error("usage: node bench.js WORLD.json   (cargo run --release --example world -- L > WORLD.json)");
  process.exit(2);
}
const text = readFileSync(file, "utf8");
const world = JSON.parse(text);

function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(label, runs, fn) {
  fn(); // warm up
  const times = [];
  let answer;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    answer = fn();
    times.push(performance.now() - start);
  }
  console.log(`${label}: median ${median(times).toFixed(2)} ms over ${runs} runs`);
  return answer;
}

const actions = {
  share_project_with_group_of_1000: { type: "share", actor: "u0000", resource: "P0", principal: "g00", access: "read" },
  transfer_project: { type: "request_transfer", actor: "u0000", resource: "P0", to: "u1998@core.example" },
  transfer_run: { type: "request_transfer", actor: "u0000", resource: "R00000", to: "u1998@core.example" },
};

console.log(`world: ${world.principals.length} principals, ${world.resources.length} resources`);
time("Engine.load (from objects)", 5, () => Engine.load(world));
const loaded = time("Engine.fromJson (from JSON text)", 5, () => Engine.fromJson(text));
if ("error" in loaded) {
  console.error(loaded);
  process.exit(1);
}
const engine = loaded.engine;
for (const [name, action] of Object.entries(actions)) {
  const summary = time(`engine.summary ${name}`, 30, () => engine.summary(action));
  if ("error" in summary) {
    console.error(name, summary);
    process.exit(1);
  }
  console.log(`  ${summary.total} changed pairs in ${summary.blocks.length} summaries`);
  time(`engine.changesPage ${name} (first 100)`, 30, () => engine.changesPage(action, 0, 100));
}
time("preview(world, action) one-shot, run transfer (converts and indexes the world)", 3, () => preview(world, actions.transfer_run));
