// The timing code shared by the Node runner (../bench.js) and the page that
// headless Chromium runs (../bench-browser.js): plain JavaScript with no
// Node or browser imports, so both load it as it is.
//
// What is timed, on one generated world:
// - `load_from_json_text`: `Engine.fromJson(text)`, the world's JSON text
//   parsed and indexed into an engine (what a page does with the server's
//   answer);
// - each benchmark action: `engine.summary(action)`, the preview in block
//   form with its summaries (what the share dialog computes on every edit).
//
// Each case runs once to warm up, then `runs` times; the median is kept.
// A load is timed up to the engine it returns: freeing that engine (which
// makes room for the next) is not part of loading, and is timed apart
// (`free_engine`).
// Any rejection (the world or an action refused) throws: a benchmark of a
// refusal would time the wrong thing.

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Times `fn` once to warm up and then `runs` times; `check` sees each answer. */
function time(now, runs, fn, check) {
  check(fn());
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = now();
    const answer = fn();
    times.push(now() - start);
    check(answer);
  }
  return median(times);
}

/** Throws when a call answered `{error, message}`. */
function accepted(what) {
  return (answer) => {
    if (answer && typeof answer === "object" && "error" in answer) {
      throw new Error(`${what} was refused: ${answer.error}: ${answer.message}`);
    }
  };
}

/**
 * Runs every case and returns `[{case, ms, runs, note}]` in order.
 * - `Engine`: the package's `Engine` class (Node or web build);
 * - `text`: the world as JSON text; `actions`: an object name → action;
 * - `now`: a clock in milliseconds (`performance.now`).
 */
export function measure({ Engine, text, actions, runs, now }) {
  const results = [];
  // Every load's engine is freed once its time is taken, so the wasm memory
  // stays that of one world.
  const loadedWorld = accepted("the world");
  const ms = time(now, runs, () => Engine.fromJson(text), (loaded) => {
    loadedWorld(loaded);
    loaded.engine?.free();
  });
  results.push({ case: "load_from_json_text", ms, runs, note: `${text.length} bytes of JSON` });
  const frees = [];
  for (let i = 0; i < runs; i++) {
    const loaded = Engine.fromJson(text);
    loadedWorld(loaded);
    const start = now();
    loaded.engine.free();
    frees.push(now() - start);
  }
  results.push({ case: "free_engine", ms: median(frees), runs, note: "an engine loaded from that text, freed" });

  const loaded = Engine.fromJson(text);
  accepted("the world")(loaded);
  const engine = loaded.engine;
  try {
    for (const [name, action] of Object.entries(actions)) {
      let summary;
      const ms = time(now, runs, () => engine.summary(action), (answer) => {
        accepted(`action ${name}`)(answer);
        summary = answer;
      });
      const note = `${summary.total} changed pairs in ${summary.blocks.length} summaries`;
      results.push({ case: name, ms, runs, note });
    }
  } finally {
    engine.free();
  }
  return results;
}
