//! # custody-e2e
//!
//! End-to-end tests of Custody as people use it: the real `custody serve`
//! binary on a fresh SQLite database seeded with the demo, serving the
//! Trunk-built app (`dist/`), driven in headless Chromium through
//! chromedriver (fantoccini, plain http on 127.0.0.1).
//!
//! Nothing is mocked: the browser runs the wasm app, which previews with
//! custody-policy and posts to the server, which checks and applies with
//! the same crate. Each test saves a screenshot of its key screen under
//! `<target>/e2e-screenshots/`.
//!
//! What the harness needs: the `custody` binary built next to the test
//! binary (`cargo build -p custody-server --bin custody`, or set
//! `CUSTODY_BIN`), the built app (`trunk build --release` writes `dist/`,
//! or set `CUSTODY_DIST`), and chromedriver with Chromium
//! (`cargo xtask setup`; `CHROMEDRIVER` overrides `/usr/bin/chromedriver`).

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub type Result<T = ()> = std::result::Result<T, String>;

/// The demo accounts' password (crates/server/src/seed.rs).
pub const PASSWORD: &str = "custody-demo";

/// How long to wait for anything the app shows.
pub const PATIENCE: Duration = Duration::from_secs(20);

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The cargo target directory this test binary was built into
/// (`<target>/debug/deps/<test>`).
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| root().join("target"))
}

fn custody_bin() -> Result<PathBuf> {
    let path = match std::env::var_os("CUSTODY_BIN") {
        Some(p) => PathBuf::from(p),
        None => std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.parent()?.join("custody")))
            .ok_or("cannot tell where the test binary is")?,
    };
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "`{}` is missing: build it with `cargo build -p custody-server --bin custody` (or set CUSTODY_BIN)",
            path.display()
        ))
    }
}

fn dist_dir() -> Result<PathBuf> {
    let dist = std::env::var_os("CUSTODY_DIST").map_or_else(|| root().join("dist"), PathBuf::from);
    if dist.join("index.html").exists() {
        Ok(dist)
    } else {
        Err(format!(
            "`{}` holds no built app: run `trunk build --release` at the workspace root (or set CUSTODY_DIST)",
            dist.display()
        ))
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) -> Result {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{what} exited early ({status})"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("{what} did not listen on port {port}"))
}

/// A scratch folder removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(label: &str) -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!(
            "custody-e2e-{label}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `custody serve` on a fresh SQLite database with the demo data.
pub struct Server {
    child: Child,
    pub url: String,
    _dir: Scratch,
}

/// How a test's database is filled before `custody serve` starts.
pub enum Setup<'a> {
    /// `custody seed demo`: the demo organisation.
    Demo,
    /// `custody import` of a world (the specification's JSON) into the
    /// fresh database, then each admin command in turn (e.g. `user add
    /// --id erin ... --password ...`), exactly as an operator types them.
    Import {
        world: &'a serde_json::Value,
        then: &'a [&'a [&'a str]],
    },
}

/// Runs `custody --database-url DB --profile P ARGS...`.
fn admin(bin: &Path, database: &str, profile: &str, args: &[&str]) -> Result {
    let out = Command::new(bin)
        .args(["--database-url", database, "--profile", profile])
        .args(args)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "custody {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl Server {
    /// Seeds the demo (`basespace` or `direct`) and serves the built app.
    pub fn start(profile: &str) -> Result<Server> {
        Server::start_with(profile, &Setup::Demo)
    }

    /// Fills a fresh database as `setup` says and serves the built app.
    pub fn start_with(profile: &str, setup: &Setup) -> Result<Server> {
        Server::serving(profile, setup, &dist_dir()?)
    }

    /// Fills a fresh database as `setup` says and serves the app built
    /// into `dist` (the benchmarks name their own build).
    pub fn serving(profile: &str, setup: &Setup, dist: &Path) -> Result<Server> {
        let bin = custody_bin()?;
        let dir = Scratch::new("db")?;
        let database = format!("sqlite://{}", dir.0.join("custody.db").display());
        match setup {
            Setup::Demo => admin(&bin, &database, profile, &["seed", "demo", "--fast-hashes"])?,
            Setup::Import { world, then } => {
                let file = dir.0.join("world.json");
                std::fs::write(&file, world.to_string())
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                let file = file.display().to_string();
                admin(&bin, &database, profile, &["import", &file])?;
                for args in *then {
                    admin(&bin, &database, profile, args)?;
                }
            }
        }
        let port = free_port()?;
        let mut child = Command::new(&bin)
            .args(["--database-url", &database, "--profile", profile, "serve"])
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .arg("--dist")
            .arg(dist)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start custody serve: {e}"))?;
        wait_for_port(port, &mut child, "custody serve")?;
        Ok(Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headless Chromium driven through its own chromedriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: Scratch,
}

impl Browser {
    pub async fn start() -> Result<Browser> {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_string());
        let port = free_port()?;
        let mut driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {chromedriver}: {e} (run `cargo xtask setup`)"))?;
        wait_for_port(port, &mut driver, "chromedriver")?;
        let profile = Scratch::new("chromium")?;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_string(),
            serde_json::json!({
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.0.display()),
                ]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("cannot open a Chromium session: {e}"))?;
        Ok(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Closes the session (the browser quits).
    pub async fn close(mut self) -> Result {
        let closed = self.client.clone().close().await.map_err(|e| e.to_string());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        closed
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// A browser on a server: the steps the tests are written in.
pub struct Session {
    /// Shared by the sessions of one test (two people at once).
    pub server: std::sync::Arc<Server>,
    pub browser: Browser,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// An XPath string literal for `text`.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        format!(
            "concat('{}')",
            text.split('\'').collect::<Vec<_>>().join("', \"'\", '")
        )
    }
}

impl Session {
    pub async fn start(profile: &str) -> Result<Session> {
        Session::start_with(profile, &Setup::Demo).await
    }

    /// A browser on a server whose database `setup` filled.
    pub async fn start_with(profile: &str, setup: &Setup<'_>) -> Result<Session> {
        let server = std::sync::Arc::new(Server::start_with(profile, setup)?);
        let browser = Browser::start().await?;
        Ok(Session { server, browser })
    }

    /// A second browser on the same server: another person at the same time.
    pub async fn another(&self) -> Result<Session> {
        Ok(Session {
            server: self.server.clone(),
            browser: Browser::start().await?,
        })
    }

    pub fn c(&self) -> &Client {
        &self.browser.client
    }

    pub async fn close(self) -> Result {
        self.browser.close().await
    }

    /// Opens a path of the app.
    pub async fn goto(&self, path: &str) -> Result {
        self.c()
            .goto(&format!("{}{path}", self.server.url))
            .await
            .map_err(err)
    }

    /// Waits for an element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Result<Element> {
        self.c()
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("no `{css}`: {e}"))
    }

    /// Waits for a `tag` whose text (trimmed) is `text`.
    pub async fn find_text(&self, tag: &str, text: &str) -> Result<Element> {
        let xpath = format!("//{tag}[normalize-space()={}]", xpath_literal(text));
        self.c()
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&xpath))
            .await
            .map_err(|e| format!("no {tag} saying `{text}`: {e}"))
    }

    /// Clicks the `tag` whose text is `text` (a button, a link).
    pub async fn click_text(&self, tag: &str, text: &str) -> Result {
        let el = self.find_text(tag, text).await?;
        self.wait_enabled(&el).await?;
        el.click()
            .await
            .map_err(|e| format!("cannot click `{text}`: {e}"))
    }

    pub async fn click(&self, css: &str) -> Result {
        let el = self.find(css).await?;
        self.wait_enabled(&el).await?;
        el.click()
            .await
            .map_err(|e| format!("cannot click `{css}`: {e}"))
    }

    async fn wait_enabled(&self, el: &Element) -> Result {
        let start = Instant::now();
        while !el.is_enabled().await.map_err(err)? {
            if start.elapsed() > PATIENCE {
                return Err("the control stayed disabled".to_string());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// Types into the field matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) -> Result {
        let el = self.find(css).await?;
        el.send_keys(text)
            .await
            .map_err(|e| format!("cannot type into `{css}`: {e}"))
    }

    /// The texts of every element matching `css`, now (read in one script,
    /// so a re-render in between cannot leave a stale element).
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        let value = self
            .c()
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim());",
                vec![serde_json::Value::String(css.to_string())],
            )
            .await
            .map_err(err)?;
        Ok(value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits until some element matching `css` has text containing `part`,
    /// and returns that text.
    pub async fn wait_text(&self, css: &str, part: &str) -> Result<String> {
        let start = Instant::now();
        loop {
            let texts = self.texts(css).await?;
            if let Some(t) = texts.iter().find(|t| t.contains(part)) {
                return Ok(t.clone());
            }
            if start.elapsed() > PATIENCE {
                return Err(format!("no `{css}` says `{part}`; they say: {texts:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until nothing matches `css` any more.
    pub async fn wait_gone(&self, css: &str) -> Result {
        let start = Instant::now();
        while !self
            .c()
            .find_all(Locator::Css(css))
            .await
            .map_err(err)?
            .is_empty()
        {
            if start.elapsed() > PATIENCE {
                return Err(format!("`{css}` is still there"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Signs in from the sign-in form with a demo account.
    pub async fn sign_in(&self, email: &str) -> Result {
        self.goto("/").await?;
        self.type_into("input[name=login]", email).await?;
        self.type_into("input[name=password]", PASSWORD).await?;
        self.click_text("button", "Sign in").await?;
        self.find(".me-name").await.map(drop)
    }

    pub async fn sign_out(&self) -> Result {
        self.click_text("button", "Sign out").await?;
        self.find("input[name=login]").await.map(drop)
    }

    /// Picks a principal in the share dialog's type-ahead.
    pub async fn add_principal(&self, query: &str, id: &str) -> Result {
        self.type_into(".picker-input", query).await?;
        self.click(&format!(".picker-option[data-id='{id}']")).await
    }

    /// The preview rows' sentences, once the preview shows rows.
    pub async fn preview_rows(&self) -> Result<Vec<String>> {
        self.find(".preview-row .sentence").await?;
        self.texts(".preview-row .sentence").await
    }

    /// Saves a PNG of the page under `<target>/e2e-screenshots/`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.c().screenshot().await.map_err(err)?;
        let dir = target_dir().join("e2e-screenshots");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("screenshot: {}", path.display());
        Ok(path)
    }
}

/// Runs one flow of a test in a fresh browser on a fresh server of
/// `profile` with the demo data; on failure, saves a screenshot of where
/// it stopped (`<name>-failed.png`) and fails the test with the step's
/// message.
#[allow(clippy::panic)] // a failed flow fails its test
pub async fn flow<F, Fut>(name: &str, profile: &str, body: F)
where
    F: FnOnce(std::rc::Rc<Session>) -> Fut,
    Fut: std::future::Future<Output = Result>,
{
    let session = match Session::start(profile).await {
        Ok(s) => std::rc::Rc::new(s),
        Err(e) => panic!("{name}: cannot start: {e}"),
    };
    let outcome = body(session.clone()).await;
    if outcome.is_err() {
        let _ = session.screenshot(&format!("{name}-failed")).await;
    }
    if let Ok(s) = std::rc::Rc::try_unwrap(session) {
        let _ = s.close().await;
    }
    if let Err(e) = outcome {
        panic!("{name}: {e}");
    }
}
