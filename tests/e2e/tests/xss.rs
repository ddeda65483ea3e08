//! Issue 11: names, emails, group names, resource names and transfer
//! messages that hold HTML and script are shown as text in every view, in
//! headless Chromium on the real server, and the server's security headers
//! hold from the browser's point of view.
//!
//! The hostile data goes in as an operator or a user would put it: a world
//! in the specification's JSON loaded with `custody import` into a fresh
//! database, accounts and a group added with `custody user add` and
//! `custody group add`, and transfer messages typed into the app (which
//! posts `request_transfer` to the HTTP API).
//!
//! Every payload would set `window.__xss` or call `alert` if it ran. After
//! each view the test checks that no alert is open, `window.__xss` is
//! undefined, no element carries an event-handler attribute or a
//! `javascript:` URL, no `img`/`iframe`/`object`/`embed`/`b` element or
//! foreign `svg` was created, no inline script holds a payload, and the
//! payload's literal text is visible.

#![allow(clippy::panic)] // a failed flow fails its test

use custody_e2e::{PASSWORD, Result, Session, Setup};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::Duration;

const OWNER_NAME: &str = r#"Mallory <img src=x onerror="window.__xss=1;alert(1)">"#;
const GROUP_NAME: &str = r#"Group </script><script>window.__xss=2;alert(2)</script>"#;
const PROJECT_NAME: &str = r#"Project "><svg onload="window.__xss=3;alert(3)">"#;
const RUN_NAME: &str = "Run javascript:window.__xss=4;alert(4)";
const SAMPLE_NAME: &str = r#"<a href="javascript:window.__xss=5;alert(5)">sample</a>"#;
const FILE_NAME: &str = r#"<iframe src="javascript:window.__xss=6;alert(6)"></iframe>.bam"#;
const TRENT_NAME: &str = "Trent '><img src=x onerror=window.__xss=7>";
const TRENT_EMAIL: &str = r#"trent"><svg/onload=alert(8)>@evil.example"#;
const INVITE_MESSAGE: &str = r#"<img src=x onerror="window.__xss=9;alert(9)"> Please accept </script><script>alert(10)</script>"#;
const VICTIM_NAME: &str = r#"Victor "><svg onload="window.__xss=11;alert(11)">"#;
const VICTIM_EMAIL: &str = "victor@xss.example";
const EVE_NAME: &str = "Eve <img src=x onerror=window.__xss=12;alert(12)>";
const EVE_EMAIL: &str = "eve@xss.example";
const ADMINS_NAME: &str = r#"<b onmouseover="window.__xss=13">Admins</b>"#;
const OFFER_MESSAGE: &str = r#"javascript:alert(14) <a href="javascript:window.__xss=14">click</a> "><svg onload=alert(15)>"#;

/// Mallory (who has no password) owns a project with a run, a biosample
/// and a file, shares it with a group, and offers it to Victor by email.
fn hostile_world() -> serde_json::Value {
    serde_json::json!({
        "profile": "basespace",
        "principals": [
            {"id": "mallory", "kind": "user", "email": "mallory@evil.example", "name": OWNER_NAME},
            {"id": "trent", "kind": "user", "email": TRENT_EMAIL, "name": TRENT_NAME},
            {"id": "evil-group", "kind": "group", "name": GROUP_NAME, "members": ["mallory", "trent"]}
        ],
        "resources": [
            {"id": "P-EVIL", "kind": "project", "owner": "mallory", "name": PROJECT_NAME},
            {"id": "R-EVIL", "kind": "run", "owner": "mallory", "name": RUN_NAME,
             "projects": ["P-EVIL"], "biosamples": ["B-EVIL"]},
            {"id": "B-EVIL", "kind": "biosample", "owner": "mallory", "name": SAMPLE_NAME,
             "projects": ["P-EVIL"]},
            {"id": "F-EVIL", "kind": "file", "owner": "mallory", "name": FILE_NAME,
             "parent": "R-EVIL", "format": "bam"}
        ],
        "grants": [
            {"resource": "P-EVIL", "principal": "evil-group", "access": "read"}
        ],
        "transfers": [
            {"id": "T-EVIL", "resource": "P-EVIL", "from": "mallory", "to": VICTIM_EMAIL,
             "status": "pending", "message": INVITE_MESSAGE}
        ]
    })
}

/// What every view must satisfy: nothing ran, nothing was injected.
async fn assert_inert(s: &Session, view: &str) -> Result {
    if let Ok(text) = s.c().get_alert_text().await {
        return Err(format!("{view}: an alert is open: {text}"));
    }
    let found = s
        .c()
        .execute(
            r#"
            const injected = [];
            for (const e of document.querySelectorAll('*')) {
                for (const a of e.attributes) {
                    if (a.name.toLowerCase().startsWith('on')) injected.push(`${e.tagName} ${a.name}`);
                    if (/^\s*javascript:/i.test(a.value)) injected.push(`${e.tagName} ${a.name}=${a.value}`);
                }
            }
            for (const e of document.querySelectorAll('img, iframe, object, embed, b, svg:not(.bell-icon)')) {
                injected.push(e.outerHTML);
            }
            for (const e of document.scripts) {
                if (/__xss|alert\(/.test(e.textContent)) injected.push(e.outerHTML);
            }
            return { xss: typeof window.__xss, injected };
            "#,
            Vec::new(),
        )
        .await
        .map_err(|e| format!("{view}: {e}"))?;
    let xss = found["xss"].as_str().unwrap_or("?");
    if xss != "undefined" {
        return Err(format!("{view}: a payload ran (window.__xss is {xss})"));
    }
    match found["injected"].as_array() {
        Some(list) if list.is_empty() => Ok(()),
        _ => Err(format!(
            "{view}: markup was injected: {}",
            found["injected"]
        )),
    }
}

/// Waits until `css` shows `text` literally, then checks the page is inert.
async fn shows(s: &Session, css: &str, text: &str) -> Result {
    s.wait_text(css, text).await?;
    assert_inert(s, css).await
}

/// One hostile organisation, Victor and Eve signed in in turn: every view.
#[tokio::test(flavor = "current_thread")]
async fn hostile_names_and_messages_are_shown_as_text_in_every_view() {
    let world = hostile_world();
    let victor: &[&str] = &[
        "user",
        "add",
        "--id",
        "victor",
        "--email",
        VICTIM_EMAIL,
        "--name",
        VICTIM_NAME,
        "--password",
        PASSWORD,
    ];
    let eve: &[&str] = &[
        "user",
        "add",
        "--id",
        "eve",
        "--email",
        EVE_EMAIL,
        "--name",
        EVE_NAME,
        "--password",
        PASSWORD,
    ];
    let admins: &[&str] = &[
        "group",
        "add",
        "--id",
        "xss-admins",
        "--name",
        ADMINS_NAME,
        "--members",
        "eve,trent",
        "--admins",
        "victor",
    ];
    let setup = Setup::Import {
        world: &world,
        then: &[victor, eve, admins],
    };
    let s = match Session::start_with("basespace", &setup).await {
        Ok(s) => s,
        Err(e) => panic!("xss: cannot start: {e}"),
    };
    let outcome = every_view(&s).await;
    if outcome.is_err() {
        let _ = s.screenshot("xss-failed").await;
    }
    let _ = s.close().await;
    if let Err(e) = outcome {
        panic!("xss: {e}");
    }
}

/// Every view, reached as a person does after signing in: by the app's
/// own links (full page loads are kept to the sign-ins).
async fn every_view(s: &Session) -> Result {
    // Header.
    s.sign_in(VICTIM_EMAIL).await?;
    shows(s, ".me-name", VICTIM_NAME).await?;

    // The invitation on Transfers, with its message.
    s.click_text("a", "Transfers").await?;
    shows(s, ".invitation", OWNER_NAME).await?;
    shows(s, ".invitation", PROJECT_NAME).await?;
    shows(s, ".invitation .message", INVITE_MESSAGE).await?;
    s.screenshot("xss-invitation-card").await?;

    // The invitation dialog: title, sentence, message, preview rows.
    s.click(".invitation button").await?;
    s.find_text("h3", "When you accept").await?;
    shows(s, ".invitation-dialog h2", PROJECT_NAME).await?;
    shows(s, ".invitation-dialog .lede", OWNER_NAME).await?;
    shows(s, ".invitation-dialog .message", INVITE_MESSAGE).await?;
    let rows = s.preview_rows().await?;
    assert!(
        rows.iter().any(|r| r.starts_with(OWNER_NAME)),
        "no preview row names the sender: {rows:?}"
    );
    assert_inert(s, "invitation preview").await?;
    s.click(".preview-row .why-button").await?;
    s.find(".why dd").await?;
    assert_inert(s, "invitation why?").await?;
    s.screenshot("xss-invitation-dialog").await?;
    s.click_text("button", "Accept").await?;
    shows(s, ".notice", "You now own").await?;

    // Resource lists.
    s.click_text("a", "Runs").await?;
    shows(s, "table.resources td a", RUN_NAME).await?;
    s.click_text("a", "Projects").await?;
    shows(s, "table.resources td a", PROJECT_NAME).await?;

    // The project's page and who has access.
    s.click_text("a", PROJECT_NAME).await?;
    shows(s, "h1", PROJECT_NAME).await?;
    shows(
        s,
        ".page-head p.muted",
        &format!("Owner: {VICTIM_NAME} (you)"),
    )
    .await?;
    shows(s, ".who-table td", &format!("{VICTIM_NAME} (you)")).await?;
    shows(s, ".who-table td", OWNER_NAME).await?;
    shows(s, ".who-table td", TRENT_NAME).await?;
    shows(s, ".who-table td", &format!("through group {GROUP_NAME}")).await?;
    shows(s, "table.resources td a", RUN_NAME).await?;
    s.screenshot("xss-resource-page").await?;

    // A run, a biosample and a file: breadcrumbs, headings, contents.
    s.click_text("a", RUN_NAME).await?;
    shows(s, "h1", RUN_NAME).await?;
    shows(s, ".crumbs a", PROJECT_NAME).await?;
    shows(s, "table.resources td a", SAMPLE_NAME).await?;
    s.click_text("a", SAMPLE_NAME).await?;
    shows(s, "h1", SAMPLE_NAME).await?;
    s.c().back().await.map_err(|e| e.to_string())?;
    shows(s, "h1", RUN_NAME).await?;
    s.click_text("button", "Files (1)").await?;
    s.click_text("a", FILE_NAME).await?;
    shows(s, "h1", FILE_NAME).await?;
    shows(s, ".crumbs a", RUN_NAME).await?;
    s.click_text("a", RUN_NAME).await?;
    s.click_text("a", PROJECT_NAME).await?;
    shows(s, "h1", PROJECT_NAME).await?;

    // The share dialog: entries, type-ahead, preview rows, why?, save.
    s.click_text("button", "Share").await?;
    shows(s, ".share-dialog h2", PROJECT_NAME).await?;
    shows(
        s,
        ".entries .entry-name",
        &format!("{GROUP_NAME} (group, 2 members)"),
    )
    .await?;
    s.type_into(".picker-input", "trent").await?;
    shows(
        s,
        ".picker-option",
        &format!("{TRENT_NAME} · {TRENT_EMAIL}"),
    )
    .await?;
    s.type_into(".picker-input", &"\u{e003}".repeat(5)).await?;
    s.add_principal("admins", "xss-admins").await?;
    shows(s, ".entries .entry-name", ADMINS_NAME).await?;
    let rows = s.preview_rows().await?;
    assert!(
        rows.iter()
            .any(|r| r.starts_with(&format!("{EVE_NAME} gains read on 1 project"))),
        "{rows:?}"
    );
    assert_inert(s, "share preview").await?;
    s.click(".preview-row .why-button").await?;
    shows(s, ".why dd", &format!("through group {ADMINS_NAME}")).await?;
    s.click(".preview-row .details-button").await?;
    shows(s, ".people-list li", EVE_NAME).await?;
    s.screenshot("xss-share-dialog").await?;
    s.click_text("button", "Save").await?;
    shows(s, ".notice", "Saved.").await?;
    shows(s, ".who-table td", EVE_NAME).await?;

    // Offer the project to Eve with a hostile message.
    s.click_text("button", "Transfer ownership").await?;
    s.type_into("input[name=email]", EVE_EMAIL).await?;
    s.type_into("textarea[name=message]", OFFER_MESSAGE).await?;
    s.click_text("button", "Continue").await?;
    s.find_text("h3", &format!("When {EVE_EMAIL} accepts"))
        .await?;
    let rows = s.preview_rows().await?;
    assert!(
        rows.iter()
            .any(|r| r.starts_with(&format!("{EVE_NAME} becomes the owner of 1 project"))),
        "{rows:?}"
    );
    assert_inert(s, "transfer preview").await?;
    s.click_text("button", "Transfer now").await?;
    shows(s, "h1 .tag", "Pending approval").await?;
    shows(s, "h1", PROJECT_NAME).await?;

    // Transfers sent, and the history.
    s.click_text("a", "Transfers").await?;
    shows(s, ".card", &format!("{PROJECT_NAME} to {EVE_EMAIL}")).await?;
    s.click_text("a", "Transfer history").await?;
    shows(s, "dd", VICTIM_NAME).await?;
    shows(s, "table.history tr", &format!("Project {PROJECT_NAME}")).await?;
    shows(s, "table.history td", OWNER_NAME).await?;
    shows(s, "table.history tr", "Pending approval").await?;
    s.screenshot("xss-history").await?;
    s.sign_out().await?;

    // Eve: header, notifications, the invitation with its message.
    s.sign_in(EVE_EMAIL).await?;
    shows(s, ".me-name", EVE_NAME).await?;
    s.click("a.bell").await?;
    shows(
        s,
        ".notification",
        &format!("{VICTIM_NAME} shared project “{PROJECT_NAME}” with you"),
    )
    .await?;
    shows(
        s,
        ".notification",
        &format!("{VICTIM_NAME} offers you the ownership of project “{PROJECT_NAME}”"),
    )
    .await?;
    s.screenshot("xss-notifications").await?;
    s.click_text("a", "Transfers").await?;
    shows(s, ".invitation", VICTIM_NAME).await?;
    shows(s, ".invitation .message", OFFER_MESSAGE).await?;
    s.click(".invitation button").await?;
    s.find_text("h3", "When you accept").await?;
    shows(s, ".invitation-dialog .message", OFFER_MESSAGE).await?;
    shows(s, ".invitation-dialog .lede", VICTIM_NAME).await?;
    s.preview_rows().await?;
    assert_inert(s, "Eve's invitation preview").await?;
    s.click_text("button", "Decline").await?;
    shows(s, ".notice", "You declined").await?;
    s.sign_out().await?;

    // Victor is told, in Eve's name.
    s.sign_in(VICTIM_EMAIL).await?;
    s.click("a.bell").await?;
    shows(
        s,
        ".notification",
        &format!("{EVE_NAME} declined the transfer of project “{PROJECT_NAME}”"),
    )
    .await?;
    Ok(())
}

/// A plain HTTP/1.1 GET on 127.0.0.1: the status, the headers (lowercase
/// names) and the body.
fn http_get(base: &str, path: &str) -> Result<(u16, BTreeMap<String, String>, String)> {
    let host = base.trim_start_matches("http://");
    let mut stream =
        std::net::TcpStream::connect(host).map_err(|e| format!("cannot connect to {host}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no headers in the answer to {path}"))?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status line in the answer to {path}"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers, body.to_string()))
}

/// The CSP's directives: name to its sources.
fn directives(csp: &str) -> BTreeMap<String, Vec<String>> {
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_string).collect()))
        })
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn security_headers_hold_and_the_browser_enforces_them() {
    let s = match Session::start("basespace").await {
        Ok(s) => s,
        Err(e) => panic!("headers: cannot start: {e}"),
    };
    let outcome = headers_and_csp(&s).await;
    if outcome.is_err() {
        let _ = s.screenshot("headers-failed").await;
    }
    let _ = s.close().await;
    if let Err(e) = outcome {
        panic!("headers: {e}");
    }
}

async fn headers_and_csp(s: &Session) -> Result {
    let url = s.server.url.clone();
    let (status, headers, body) = http_get(&url, "/")?;
    assert_eq!(status, 200, "{headers:?}");
    let header = |name: &str| headers.get(name).cloned().unwrap_or_default();
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("x-frame-options"), "DENY");
    let csp = header("content-security-policy");
    let d = directives(&csp);
    let sources = |name: &str| d.get(name).cloned().unwrap_or_default();
    assert_eq!(sources("default-src"), ["'self'"], "{csp}");
    assert_eq!(sources("object-src"), ["'none'"], "{csp}");
    assert_eq!(sources("base-uri"), ["'none'"], "{csp}");
    assert_eq!(sources("frame-ancestors"), ["'none'"], "{csp}");
    assert_eq!(sources("form-action"), ["'self'"], "{csp}");
    assert_eq!(sources("connect-src"), ["'self'"], "{csp}");
    // Scripts: this origin, the wasm, and the inline loader by its hash only.
    let script = sources("script-src");
    assert!(script.contains(&"'self'".to_string()), "{csp}");
    assert!(script.contains(&"'wasm-unsafe-eval'".to_string()), "{csp}");
    let hashes = script.iter().filter(|s| s.starts_with("'sha256-")).count();
    assert!(hashes >= 1, "no hash for the inline loader: {csp}");
    assert_eq!(
        script.len(),
        hashes + 2,
        "script-src allows more than the app's own scripts: {csp}"
    );

    // The app's own JS and wasm are served with types nosniff accepts.
    let asset = |ext: &str| {
        body.split(['"', '\''])
            .find(|part| part.starts_with('/') && part.ends_with(ext))
            .map(str::to_string)
            .ok_or_else(|| format!("index.html names no {ext}: {body}"))
    };
    let (status, wasm_headers, _) = http_get(&url, &asset(".wasm")?)?;
    assert_eq!(status, 200);
    assert_eq!(
        wasm_headers.get("content-type").map(String::as_str),
        Some("application/wasm")
    );
    let (status, js_headers, _) = http_get(&url, &asset(".js")?)?;
    assert_eq!(status, 200);
    assert!(
        js_headers.get("content-type").is_some_and(
            |t| t.starts_with("text/javascript") || t.starts_with("application/javascript")
        ),
        "{js_headers:?}"
    );

    // In the browser: the app runs under this policy (its scripts and
    // wasm are allowed), it sees the same header, and markup that gets
    // into the page cannot run script.
    s.sign_in("alice@lab-a.example").await?;
    s.wait_text("table.resources td a", "Tumor WGS").await?;
    let seen = s
        .c()
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            const violations = [];
            document.addEventListener('securitypolicyviolation', e => violations.push(e.effectiveDirective));
            document.body.insertAdjacentHTML('beforeend', '<img id="probe" src="x" onerror="window.__probe = 1">');
            const inline = document.createElement('script');
            inline.textContent = 'window.__probe2 = 1';
            document.body.appendChild(inline);
            const csp = fetch('/').then(r => r.headers.get('content-security-policy'));
            // Framing the app, even from its own origin: the frame loads
            // the browser's error page (opaque: no document to read).
            const frame = document.createElement('iframe');
            frame.onload = () => setTimeout(async () => {
                done({ probe: typeof window.__probe, probe2: typeof window.__probe2,
                       violations, csp: await csp, framed: frame.contentDocument === null ? 'blocked'
                           : frame.contentDocument.querySelectorAll('script').length + ' scripts' });
            }, 500);
            frame.src = '/';
            document.body.appendChild(frame);
            "#,
            Vec::new(),
        )
        .await
        .map_err(|e| e.to_string())?;
    println!("in the browser: {seen}");
    assert_eq!(seen["probe"], "undefined", "an inline handler ran: {seen}");
    assert_eq!(seen["probe2"], "undefined", "an inline script ran: {seen}");
    assert_eq!(seen["csp"].as_str(), Some(csp.as_str()));
    let violations: Vec<&str> = seen["violations"]
        .as_array()
        .map(|v| v.iter().filter_map(|d| d.as_str()).collect())
        .unwrap_or_default();
    assert!(
        violations.contains(&"script-src-attr") && violations.contains(&"script-src-elem"),
        "the browser reported no refusal: {seen}"
    );
    assert_eq!(
        seen["framed"], "blocked",
        "the app loaded in a frame: {seen}"
    );
    Ok(())
}
