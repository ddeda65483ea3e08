//! Issue 8, the `direct` profile in a real browser on the real server with
//! the demo organisation (crates/server/src/seed.rs): Leave, and shares
//! with permissions (Edit + Share) that let the grantee share in turn.
//!
//! Alice owns Tumor WGS, shared with her lab (lab-a) and Dan; Erin and
//! Frank (lab-b) have no access to it until Alice shares it.
//!
//! Each test starts its own server and database; run them one at a time
//! (`--test-threads=1`) on small machines.

#![allow(clippy::panic)] // a failed flow fails its test

use custody_e2e::{Result, Session, flow};
use fantoccini::Locator;

/// Alice shares Tumor WGS with Erin directly (Read), and saves.
async fn alice_shares_with_erin(s: &Session) -> Result {
    s.sign_in("alice@lab-a.example").await?;
    s.goto("/resources/P-TUMOR").await?;
    s.click_text("button", "Share").await?;
    s.find(".share-dialog .entries").await?;
    s.add_principal("erin", "erin").await?;
    let rows = s.preview_rows().await?;
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Erin Novak gains read on 1 project")),
        "{rows:?}"
    );
    s.click_text("button", "Save").await?;
    s.wait_text(".notice", "Saved.").await?;
    s.wait_text(".who-table td", "Erin Novak").await?;
    s.sign_out().await
}

#[tokio::test(flavor = "current_thread")]
async fn direct_profile_leave_a_project_shared_with_you_and_it_is_gone() {
    flow("direct-leave", "direct", |s| async move {
        alice_shares_with_erin(&s).await?;

        s.sign_in("erin@lab-b.example").await?;
        s.wait_text("table.resources td a", "Tumor WGS").await?;
        s.click_text("a", "Tumor WGS").await?;
        s.wait_text(".page-head p.muted", "Your access: Read")
            .await?;
        // Erin cannot share (no Share permission): she views the
        // collaborators, and her own row offers Leave.
        s.click_text("button", "View collaborators").await?;
        s.find_text("h2", "Collaborators on “Tumor WGS”").await?;
        s.click(".entry[data-principal='erin'] button.leave")
            .await?;
        s.wait_text(".entry.removed[data-principal='erin']", "removed")
            .await?;
        let rows = s.preview_rows().await?;
        assert!(
            rows[0].starts_with("You lose read on 1 project"),
            "{rows:?}"
        );
        s.screenshot("direct-leave-preview").await?;
        s.click_text("button", "Save").await?;
        s.wait_gone(".share-dialog").await?;

        // The project is gone for her: not listed, and its page is closed.
        s.goto("/projects").await?;
        s.wait_text("table.resources td a", "Gut microbiome cohort")
            .await?;
        let projects = s.texts("table.resources td a").await?;
        assert!(
            !projects.iter().any(|p| p.contains("Tumor WGS")),
            "{projects:?}"
        );
        s.goto("/resources/P-TUMOR").await?;
        s.wait_text(".error", "Not found, or you no longer have access")
            .await?;
        s.screenshot("direct-left-project").await?;
        s.sign_out().await?;

        // Alice sees that Erin left.
        s.sign_in("alice@lab-a.example").await?;
        s.goto("/resources/P-TUMOR").await?;
        s.wait_text(".who-table td", "Dan Reyes").await?;
        let people = s.texts(".who-table td:first-child").await?;
        assert!(
            !people.iter().any(|p| p.contains("Erin Novak")),
            "{people:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn direct_profile_share_with_edit_and_share_then_the_grantee_shares() {
    flow("direct-permissions", "direct", |s| async move {
        s.sign_in("alice@lab-a.example").await?;
        s.goto("/resources/P-TUMOR").await?;
        s.click_text("button", "Share").await?;
        s.find(".share-dialog .entries").await?;
        s.add_principal("erin", "erin").await?;
        let select = s.find(".entry[data-principal='erin'] select").await?;
        select
            .select_by_value("write")
            .await
            .map_err(|e| e.to_string())?;
        s.wait_text(
            ".preview-row .sentence",
            "Erin Novak gains write on 1 project",
        )
        .await?;
        // The permissions sit behind the row's gear.
        s.click(".entry[data-principal='erin'] details.permissions summary")
            .await?;
        let share = s
            .c()
            .wait()
            .at_most(custody_e2e::PATIENCE)
            .for_element(Locator::XPath(
                "//li[@data-principal='erin']//label[normalize-space()='Share']/input",
            ))
            .await
            .map_err(|e| format!("no Share checkbox: {e}"))?;
        share.click().await.map_err(|e| e.to_string())?;
        let rows = s.preview_rows().await?;
        assert!(
            rows.iter()
                .any(|r| r.starts_with("Erin Novak gains write + share on 1 project")),
            "{rows:?}"
        );
        let summary = s
            .find(".entry[data-principal='erin'] details.permissions summary")
            .await?;
        assert_eq!(
            summary
                .attr("aria-label")
                .await
                .map_err(|e| e.to_string())?
                .as_deref(),
            Some("Permissions: write + share")
        );
        s.screenshot("direct-permissions-preview").await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "Saved.").await?;
        s.wait_text(".who-table tr[data-principal='erin']", "Write + share")
            .await?;
        s.sign_out().await?;

        // Erin can now share the project herself.
        s.sign_in("erin@lab-b.example").await?;
        s.goto("/resources/P-TUMOR").await?;
        s.wait_text(".page-head p.muted", "Your access: Write + share")
            .await?;
        s.click_text("button", "Share").await?;
        s.find_text("h2", "Share “Tumor WGS”").await?;
        s.add_principal("frank", "frank").await?;
        let rows = s.preview_rows().await?;
        assert!(
            rows.iter()
                .any(|r| r.starts_with("Frank Osei gains read on 1 project")),
            "{rows:?}"
        );
        s.screenshot("direct-grantee-shares").await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "Saved.").await?;
        s.wait_text(".who-table tr[data-principal='frank']", "Read")
            .await?;
        s.sign_out().await?;

        // Frank has it.
        s.sign_in("frank@lab-b.example").await?;
        s.wait_text("table.resources td a", "Tumor WGS").await?;
        Ok(())
    })
    .await;
}
