//! Many full page loads in a row keep the app responsive.
//!
//! Every page holds a live-notifications stream open. Chromium keeps the
//! pages a person navigated away from in its back/forward cache, and a
//! stream left open there holds one of the browser's six connections to
//! the server: after a handful of page loads the app's own requests
//! waited about forty seconds for one to close. The app closes the
//! stream when its page is hidden and opens it again when shown
//! (web/src/live.rs); this test loads twelve pages, each of which must
//! answer from the server within the usual patience.

use std::time::Duration;

use custody_e2e::flow;

/// How long a page may take to answer before the app counts as stuck.
const LIVELY: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "current_thread")]
async fn twelve_page_loads_in_a_row_all_answer() {
    flow("navigation", "basespace", |s| async move {
        s.sign_in("alice@lab-a.example").await?;
        let pages = [
            ("/projects", "table.resources td a"),
            ("/runs", "table.resources td a"),
            ("/resources/P-TUMOR", "h1"),
            ("/groups", "h1"),
            ("/groups/lab-a", "h1"),
            ("/transfers", "h1"),
            ("/account", "h1"),
            ("/notifications", "h1"),
            ("/projects", "table.resources td a"),
            ("/resources/P-ATLAS", "h1"),
            ("/runs", "table.resources td a"),
            ("/groups", "h1"),
        ];
        for (path, ready) in pages {
            let started = std::time::Instant::now();
            s.goto(path).await?;
            // The header's account needs `/api/me`: a request to the server.
            s.find(".me-name").await?;
            s.find(ready).await?;
            // Not a speed check: a page answers in well under a second here,
            // and a page stuck behind the cached pages' streams took 15 to
            // 40 seconds. The bound sits far from both.
            let took = started.elapsed();
            if took > LIVELY {
                return Err(format!(
                    "{path} took {took:?} to answer; requests are stuck"
                ));
            }
        }
        // And the page can still talk to the server.
        s.sign_out().await
    })
    .await;
}
