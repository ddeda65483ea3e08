//! Measures the web app as people meet it: the real `custody serve` with
//! the demo data, serving the Trunk-built app from `--dist`, in headless
//! Chromium. Not a test (nothing is asserted about timings), but any error
//! on the way (a page error, a refused preview) fails the run.
//!
//! ```text
//! trunk build --release --dist DIR
//! cargo build --release -p custody-server --bin custody
//! cargo run --release -p custody-e2e --example app_bench -- --dist DIR --out FILE [--runs N]
//! # or on a generated world:
//! cargo run --release -p custody-policy --example world -- L basespace 1 tidy > WORLD
//! cargo run --release -p custody-e2e --example app_bench -- --dist DIR --out FILE \
//!     --world WORLD --world-label tidy --size L [--runs N]
//! ```
//!
//! Signed in as Alice, on the demo's large project (P-ATLAS, shared with
//! the institute-wide group); or, with `--world`, as the owner of the
//! generated world's project P0 (the world loaded with `custody import`,
//! its owner given a password with `custody user set-password`), the edits
//! changing two of P0's grants (groups first) between Read and Write. It
//! measures, inside the page with `performance.now()` (zero at the
//! navigation's start), so no WebDriver round trip is counted:
//!
//! - `navigate_to_share_button`: from navigation to the Share button (the
//!   app loaded, the project's access context fetched and its engine built);
//! - `navigate_to_share_dialog`: to the share dialog open, ready for edits
//!   (the button is clicked the moment it shows);
//! - `navigate_to_first_preview`: to the preview of a first edit rendered
//!   (the institute's access set to Write the moment the dialog shows; on
//!   a world, the first grant's level changed between Read and Write);
//! - `context_fetch`: the context request, from Resource Timing;
//! - `context_to_share_button`: from the last of the page's two requests
//!   (context and holders) answering to the Share button: reading the
//!   context, building its engine and rendering;
//! - `edit_to_preview`: from an edit in the dialog to its rendered preview,
//!   as the app writes it (`data-preview-ms`), over several edits.
//!
//! A script installed through the DevTools protocol before each navigation
//! watches the page (a MutationObserver) and takes these times. One
//! navigation warms up first; each case is the median of `--runs`. It also
//! writes the sizes of the app's assets in `--dist` (wasm, JS, CSS; raw and
//! gzipped at level 9). Every timed edit must render a preview with rows.
//! Output: readable lines, and JSON lines appended to `--out` (suite "app",
//! world "demo" and size "-", or the `--world-label` and `--size` given).
//! With `--context-out DIR` (demo only) it also writes the project's
//! context as a world and the first edit as an action, for the package's
//! runners (tests/js/bench.js, `--world-label demo --size -`).

use custody_e2e::{Browser, PASSWORD, Result, Server, Session, Setup};
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The demo's large project and its owner.
const PROJECT: &str = "P-ATLAS";
const OWNER: &str = "alice@lab-a.example";

/// The generated world's large project (`generate::ids::PROJECT`; its
/// owner is read from the world).
const WORLD_PROJECT: &str = "P0";

/// How long one navigation or one series of edits may take.
const PATIENCE: Duration = Duration::from_secs(60);

/// Runs in every new document before the app's scripts, called with
/// `{project, principal, level}` (see [`Plan::watch_source`]): on the project's
/// page, clicks Share as soon as it shows, sets the principal's access to
/// `level` as soon as the dialog shows, and notes each moment in
/// `window.__bench` (with errors the page raises, a first preview without
/// rows, and what Resource Timing says of its requests).
const WATCH: &str = r#"
({ project, principal, level }) => {
  if (location.pathname !== `/resources/${project}`) return;
  const bench = (window.__bench = { errors: [] });
  addEventListener("error", (e) => bench.errors.push(String(e.message)));
  addEventListener("unhandledrejection", (e) => bench.errors.push(String(e.reason)));
  const request = (part) =>
    performance.getEntriesByType("resource").find((r) => r.name.includes(part));
  const step = () => {
    const alert = document.querySelector("[role=alert]");
    if (alert) bench.errors.push("the page says: " + alert.textContent.trim());
    if (bench.button === undefined) {
      const button = [...document.querySelectorAll(".page-head .actions button")]
        .find((b) => b.textContent.trim() === "Share");
      if (!button) return;
      bench.button = performance.now();
      button.click();
    }
    if (bench.dialog === undefined) {
      const select = document.querySelector(`.share-dialog .entry[data-principal='${principal}'] select`);
      if (!select || !document.querySelector(".share-dialog .preview-wrap")) return;
      bench.dialog = performance.now();
      select.value = level;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (bench.preview === undefined) {
      const shown = document.querySelector(".share-dialog .preview-wrap[data-preview-ms]");
      if (!shown) return;
      if (!shown.querySelector(".preview-rows")) {
        if (shown.querySelector(".preview-empty, .preview-refused")) {
          bench.errors.push(`setting ${principal} to ${level} previews no rows`);
        }
        return;
      }
      bench.preview = performance.now();
      const context = request(`/api/resources/${project}/context`);
      const access = request(`/api/resources/${project}/access`);
      if (!context || !access) {
        bench.errors.push("Resource Timing lists no context or access request");
      } else {
        bench.context_requested = context.startTime;
        bench.context_fetch = context.responseEnd - context.startTime;
        bench.context_bytes = context.decodedBodySize;
        bench.context_wire_bytes = context.encodedBodySize;
        bench.context_answered = Math.max(context.responseEnd, access.responseEnd);
      }
      const wasm = request(".wasm");
      bench.wasm_loaded = wasm ? wasm.responseEnd : null;
      bench.done = true;
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(step);
  observer.observe(document, { childList: true, subtree: true, attributes: true });
}
"#;

/// Makes `arguments[0]` edits that show a preview, in the open dialog,
/// cycling through `arguments[1]` (`[principal, level, timed]`, see
/// [`Plan::cycle`]), and answers `{times}` (each timed edit's
/// `data-preview-ms`) or `{error}`. A timed edit must preview rows; an
/// untimed one (back to the saved access: nothing to preview) is waited for.
const EDITS: &str = r#"
const [count, cycle, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const panel = document.querySelector(".share-dialog .preview-wrap");
const select = (p) => document.querySelector(`.share-dialog .entry[data-principal='${p}'] select`);
const until = (ready) => new Promise((resolve, reject) => {
  const start = performance.now();
  const look = () => {
    if (ready()) return resolve();
    if (performance.now() - start > 30000) return reject(new Error("no preview after 30 s"));
    requestAnimationFrame(look);
  };
  look();
});
(async () => {
  const times = [];
  for (let i = 0; times.length < count; i++) {
    const [principal, level, timed] = cycle[i % cycle.length];
    const el = select(principal);
    if (!panel || !el) throw new Error(`no access menu for ${principal} in the share dialog`);
    panel.removeAttribute("data-preview-ms");
    el.value = level;
    el.dispatchEvent(new Event("change", { bubbles: true }));
    if (timed) {
      await until(() => panel.hasAttribute("data-preview-ms"));
      if (panel.querySelector(".preview-refused")) throw new Error("the preview was refused");
      if (!panel.querySelector(".preview-rows")) {
        throw new Error(`setting ${principal} to ${level} previewed no rows`);
      }
      times.push(parseFloat(panel.getAttribute("data-preview-ms")));
    } else {
      await until(() => !panel.querySelector(".preview-rows"));
    }
  }
  return times;
})().then((times) => done({ times }), (e) => done({ error: String(e) }));
"#;

/// A DevTools protocol command through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

struct Args {
    dist: PathBuf,
    out: PathBuf,
    runs: usize,
    /// Where to write the project's context as a world and its edit as an
    /// action, for bench.js and bench-browser.js (`--world-label demo`).
    context_out: Option<PathBuf>,
    /// A generated world to measure instead of the demo, with its label
    /// (`tidy`, `irregular`) and size (`S` to `XL`) for the JSON lines.
    world: Option<(PathBuf, String, String)>,
}

fn args() -> Result<Args> {
    let usage = "usage: app_bench --dist DIR --out FILE [--runs N] \
                 [--context-out DIR | --world FILE --world-label tidy|irregular --size S|M|L|XL]";
    let (mut dist, mut out, mut runs, mut context_out) = (None, None, 10, None);
    let (mut world, mut label, mut size) = (None, None, None);
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let value = given
            .next()
            .ok_or(format!("`{flag}` needs a value\n{usage}"))?;
        match flag.as_str() {
            "--dist" => dist = Some(PathBuf::from(value)),
            "--out" => out = Some(PathBuf::from(value)),
            "--context-out" => context_out = Some(PathBuf::from(value)),
            "--world" => world = Some(PathBuf::from(value)),
            "--world-label" if ["tidy", "irregular"].contains(&value.as_str()) => {
                label = Some(value)
            }
            "--size" if ["S", "M", "L", "XL"].contains(&value.as_str()) => size = Some(value),
            "--world-label" | "--size" => {
                return Err(format!("unknown {flag} `{value}`\n{usage}"));
            }
            "--runs" => {
                runs = value.parse().ok().filter(|n| *n >= 1).ok_or(format!(
                    "--runs must be a whole number of at least 1\n{usage}"
                ))?
            }
            other => return Err(format!("unknown option `{other}`\n{usage}")),
        }
    }
    let world = match (world, label, size) {
        (None, None, None) => None,
        (Some(_), _, _) if context_out.is_some() => {
            return Err(format!(
                "--context-out is for the demo (a generated world is a file already)\n{usage}"
            ));
        }
        (Some(file), Some(label), Some(size)) => Some((file, label, size)),
        _ => {
            return Err(format!(
                "--world, --world-label and --size go together\n{usage}"
            ));
        }
    };
    Ok(Args {
        dist: dist.ok_or(format!("--dist is missing\n{usage}"))?,
        out: out.ok_or(format!("--out is missing\n{usage}"))?,
        runs,
        context_out,
        world,
    })
}

/// One edit of a grant in the share dialog: a principal's access from
/// what is saved to the other of Read and Write.
struct Edit {
    principal: String,
    saved: &'static str,
    edited: &'static str,
}

impl Edit {
    fn new(principal: &str, saved: &'static str) -> Edit {
        let edited = if saved == "read" { "write" } else { "read" };
        Edit {
            principal: principal.to_string(),
            saved,
            edited,
        }
    }
}

/// What is measured: where, as whom, with which edits.
struct Plan {
    /// `demo`, or the `--world-label`.
    label: String,
    /// `-` for the demo, or the `--size`.
    size: String,
    /// The database's setup: the world to import (none for the demo).
    world: Option<Value>,
    profile: String,
    project: String,
    /// The login that signs in (its password is [`custody_e2e::PASSWORD`]).
    login: String,
    /// The edit made the moment the dialog shows (timed to its preview).
    first: Edit,
    /// The other grant edited in the series of timed edits.
    second: Edit,
}

impl Plan {
    fn demo() -> Plan {
        Plan {
            label: "demo".to_string(),
            size: "-".to_string(),
            world: None,
            profile: "basespace".to_string(),
            project: PROJECT.to_string(),
            login: OWNER.to_string(),
            first: Edit::new("institute", "read"),
            second: Edit::new("lab-a-bioinf", "write"),
        }
    }

    /// On a generated world: its project P0, as its owner, editing two of
    /// P0's grants (groups first, as they change most people's access).
    fn world(file: &Path, label: &str, size: &str) -> Result<Plan> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let world: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", file.display()))?;
        let list = |key: &str| {
            world[key]
                .as_array()
                .cloned()
                .ok_or(format!("{} lists no {key}", file.display()))
        };
        let (principals, resources, grants) =
            (list("principals")?, list("resources")?, list("grants")?);
        let owner = resources
            .iter()
            .find(|r| r["id"] == WORLD_PROJECT)
            .and_then(|r| r["owner"].as_str())
            .ok_or(format!(
                "{} has no project {WORLD_PROJECT} with an owner",
                file.display()
            ))?
            .to_string();
        let kind = |id: &str| {
            principals
                .iter()
                .find(|p| p["id"] == id)
                .and_then(|p| p["kind"].as_str())
                .unwrap_or_default()
                .to_string()
        };
        // P0's grants at Read or Write (the menu's levels), groups first.
        let mut held: Vec<(String, &'static str)> = grants
            .iter()
            .filter(|g| g["resource"] == WORLD_PROJECT)
            .filter_map(|g| {
                let principal = g["principal"].as_str()?;
                let level = g["access"].as_str().or(g["access"]["level"].as_str())?;
                let level = ["read", "write"].into_iter().find(|l| *l == level)?;
                Some((principal.to_string(), level))
            })
            .collect();
        held.sort_by_key(|(p, _)| kind(p) != "group");
        let [(a, a_level), (b, b_level), ..] = held.as_slice() else {
            return Err(format!(
                "{} gives fewer than two grants at Read or Write on {WORLD_PROJECT}: {held:?}",
                file.display()
            ));
        };
        println!(
            "app {label} {size}: {owner} on {WORLD_PROJECT}, edits {a} ({a_level}, {}) and {b} ({b_level}, {}) of its {} grants",
            kind(a),
            kind(b),
            held.len()
        );
        Ok(Plan {
            label: label.to_string(),
            size: size.to_string(),
            profile: world["profile"].as_str().unwrap_or("basespace").to_string(),
            project: WORLD_PROJECT.to_string(),
            first: Edit::new(a, a_level),
            second: Edit::new(b, b_level),
            login: owner,
            world: Some(world),
        })
    }

    /// The script installed before each navigation: [`WATCH`], called.
    fn watch_source(&self) -> String {
        let config = json!({ "project": self.project, "principal": self.first.principal,
            "level": self.first.edited });
        format!("({})({config});", WATCH.trim())
    }

    /// The edits [`EDITS`] cycles through, after the first edit: the
    /// second principal to its other level and back, the first back to
    /// its saved access (nothing left to preview: not timed) and to the
    /// edited one again.
    fn cycle(&self) -> Value {
        let (a, b) = (&self.first, &self.second);
        json!([
            [b.principal, b.edited, true],
            [b.principal, b.saved, true],
            [a.principal, a.saved, false],
            [a.principal, a.edited, true],
        ])
    }
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    match times.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => times[mid],
        _ => (times[mid - 1] + times[mid]) / 2.0,
    }
}

/// Prints and keeps the JSON lines for `--out`, of one world and size.
struct Report {
    world: String,
    size: String,
    lines: Vec<Value>,
}

impl Report {
    fn new(plan: &Plan) -> Report {
        Report {
            world: plan.label.clone(),
            size: plan.size.clone(),
            lines: Vec::new(),
        }
    }

    /// How the readable lines begin: `app demo`, `app tidy L`.
    fn prefix(&self) -> String {
        if self.size == "-" {
            format!("app {}", self.world)
        } else {
            format!("app {} {}", self.world, self.size)
        }
    }

    fn time(&mut self, case: &str, times: Vec<f64>, what: &str) {
        let runs = times.len();
        let low = times.iter().copied().fold(f64::INFINITY, f64::min);
        let high = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ms = median(times);
        println!(
            "{} {case}: median {ms:.1} ms over {runs} runs, {low:.1} to {high:.1} ({what})",
            self.prefix()
        );
        self.lines.push(
            json!({ "suite": "app", "world": self.world, "size": self.size,
            "case": case, "ms": ms, "runs": runs }),
        );
    }

    fn size(&mut self, case: &str, bytes: u64, gzip_bytes: u64) {
        println!(
            "{} {case}: {bytes} B, {gzip_bytes} B gzipped (level 9)",
            self.prefix()
        );
        self.lines.push(
            json!({ "suite": "app", "world": self.world, "size": self.size,
            "case": case, "bytes": bytes, "gzip_bytes": gzip_bytes }),
        );
    }

    fn append_to(&self, out: &Path) -> Result {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .map_err(|e| format!("cannot open {}: {e}", out.display()))?;
        for line in &self.lines {
            writeln!(file, "{line}").map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        }
        Ok(())
    }
}

/// The raw and gzipped (level 9) bytes of the files in `dist` whose name
/// ends in `.{ext}`, summed.
fn asset_size(dist: &Path, ext: &str) -> Result<(u64, u64)> {
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot list {}: {e}", dist.display()))?;
    let (mut raw, mut gzip, mut found) = (0, 0, false);
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_none_or(|e| e != ext) {
            continue;
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
        encoder.write_all(&bytes).map_err(|e| e.to_string())?;
        let zipped = encoder.finish().map_err(|e| e.to_string())?;
        raw += bytes.len() as u64;
        gzip += zipped.len() as u64;
        found = true;
    }
    if found {
        Ok((raw, gzip))
    } else {
        Err(format!("{} holds no .{ext} file", dist.display()))
    }
}

/// One measured navigation to the project: what `WATCH` noted.
async fn navigate(s: &Session, project: &str) -> Result<Value> {
    s.goto(&format!("/resources/{project}")).await?;
    let start = Instant::now();
    loop {
        let bench = s
            .c()
            .execute("return window.__bench ?? null;", vec![])
            .await
            .map_err(|e| format!("cannot read the page's times: {e}"))?;
        if let Some(errors) = bench["errors"].as_array().filter(|e| !e.is_empty()) {
            return Err(format!("the page failed: {errors:?}"));
        }
        if bench["done"] == true {
            return Ok(bench);
        }
        if start.elapsed() > PATIENCE {
            return Err(format!("the share dialog did not preview in time: {bench}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn number(bench: &Value, key: &str) -> Result<f64> {
    bench[key]
        .as_f64()
        .ok_or(format!("the page noted no `{key}`: {bench}"))
}

/// Writes the project's access context, as the app fetches it, into `dir`:
/// `demo-world.json` (its world) and `demo-actions.json` (the edit the
/// benchmark makes first: the institute's access to Write).
async fn write_context(s: &Session, dir: &Path) -> Result {
    let context = s
        .c()
        .execute_async(
            "fetch(arguments[0]).then((r) => r.json()).then(arguments[1], (e) => arguments[1]({ error: String(e) }));",
            vec![json!(format!("/api/resources/{PROJECT}/context"))],
        )
        .await
        .map_err(|e| format!("cannot fetch the context: {e}"))?;
    if context.get("world").is_none() {
        return Err(format!("the context request answered {context}"));
    }
    let actions = json!({ "share_project_with_institute_write": {
        "type": "share", "actor": context["actor"], "resource": PROJECT,
        "principal": "institute", "access": "write" } });
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, value) in [
        ("demo-world.json", &context["world"]),
        ("demo-actions.json", &actions),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("app demo: wrote {}", path.display());
    }
    Ok(())
}

async fn measure(s: &Session, args: &Args, plan: &Plan, report: &mut Report) -> Result {
    let runs = args.runs;
    s.sign_in(&plan.login).await?;
    if let Some(dir) = &args.context_out {
        write_context(s, dir).await?;
    }
    s.c()
        .issue_cmd(Cdp {
            cmd: "Page.addScriptToEvaluateOnNewDocument",
            params: json!({ "source": plan.watch_source() }),
        })
        .await
        .map_err(|e| format!("cannot install the page's watch: {e}"))?;
    navigate(s, &plan.project).await?; // warm-up
    let mut noted = Vec::new();
    for _ in 0..runs {
        noted.push(navigate(s, &plan.project).await?);
    }
    let series =
        |f: &dyn Fn(&Value) -> Result<f64>| noted.iter().map(f).collect::<Result<Vec<f64>>>();
    report.time(
        "navigate_to_share_button",
        series(&|b| number(b, "button"))?,
        "navigation to the Share button: app loaded, context fetched, engine built",
    );
    report.time(
        "navigate_to_share_dialog",
        series(&|b| number(b, "dialog"))?,
        "navigation to the share dialog open",
    );
    report.time(
        "navigate_to_first_preview",
        series(&|b| number(b, "preview"))?,
        "navigation to the first edit's preview rendered",
    );
    report.time(
        "context_fetch",
        series(&|b| number(b, "context_fetch"))?,
        "the context request, Resource Timing",
    );
    report.time(
        "context_to_share_button",
        series(&|b| Ok(number(b, "button")? - number(b, "context_answered")?))?,
        "reading the context, building its engine, rendering",
    );
    let last = noted.last().ok_or("no navigation measured")?;
    // Where a navigation's time goes, on the last one.
    println!(
        "{}: last navigation: the wasm arrived at {:.1} ms, the context was requested at {:.1} ms; \
         the context is {} B ({} B on the wire)",
        report.prefix(),
        last["wasm_loaded"].as_f64().unwrap_or(f64::NAN),
        last["context_requested"].as_f64().unwrap_or(f64::NAN),
        last["context_bytes"],
        last["context_wire_bytes"],
    );

    let mut timeouts = s.c().get_timeouts().await.map_err(|e| e.to_string())?;
    timeouts.set_script(Some(PATIENCE));
    s.c()
        .update_timeouts(timeouts)
        .await
        .map_err(|e| e.to_string())?;
    let answer = s
        .c()
        .execute_async(EDITS, vec![json!(runs), plan.cycle()])
        .await
        .map_err(|e| format!("the edits did not run: {e}"))?;
    if let Some(e) = answer["error"].as_str() {
        return Err(format!("the edits failed: {e}"));
    }
    let times = answer["times"]
        .as_array()
        .ok_or(format!("the edits answered {answer}"))?
        .iter()
        .map(|t| t.as_f64().ok_or(format!("not a time: {t}")))
        .collect::<Result<Vec<f64>>>()?;
    report.time(
        "edit_to_preview",
        times,
        "an edit in the share dialog to its rendered preview",
    );
    Ok(())
}

async fn run() -> Result {
    let args = args()?;
    if !args.dist.join("index.html").exists() {
        return Err(format!(
            "`{}` holds no built app: run `trunk build --release --dist {}`",
            args.dist.display(),
            args.dist.display()
        ));
    }
    let plan = match &args.world {
        None => Plan::demo(),
        Some((file, label, size)) => Plan::world(file, label, size)?,
    };
    let mut report = Report::new(&plan);
    for (case, ext) in [
        ("asset_wasm", "wasm"),
        ("asset_js", "js"),
        ("asset_css", "css"),
    ] {
        let (raw, gzip) = asset_size(&args.dist, ext)?;
        report.size(case, raw, gzip);
    }
    let server = match &plan.world {
        None => Server::serving(&plan.profile, &Setup::Demo, &args.dist)?,
        Some(world) => {
            // The world's people have no passwords: its owner gets one.
            let setup = Setup::Import {
                world,
                then: &[&[
                    "user",
                    "set-password",
                    "--id",
                    &plan.login,
                    "--password",
                    PASSWORD,
                    "--fast-hashes",
                ]],
            };
            let start = Instant::now();
            let server = Server::serving(&plan.profile, &setup, &args.dist)?;
            println!(
                "{}: imported the world and started the server in {:.1} s",
                report.prefix(),
                start.elapsed().as_secs_f64()
            );
            server
        }
    };
    let session = Session {
        server: std::sync::Arc::new(server),
        browser: Browser::start().await?,
    };
    let measured = measure(&session, &args, &plan, &mut report).await;
    if measured.is_err() {
        let _ = session.screenshot("app-bench-failed").await;
    }
    let closed = session.close().await;
    measured?;
    closed?;
    report.append_to(&args.out)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("app_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
