//! The flows of issue 8, in a real browser on the real server with the
//! demo organisation (crates/server/src/seed.rs): Alice owns Tumor WGS and
//! the large Cell atlas; lab-b is Erin and Frank; Bob runs the core
//! facility and has a run transfer to Alice pending.
//!
//! Each test starts its own server and database, so they do not depend on
//! each other; run them one at a time (`--test-threads=1`) on small
//! machines.

#![allow(clippy::panic)] // a failed flow fails its test

use custody_e2e::flow;

#[tokio::test(flavor = "current_thread")]
async fn sign_in_share_with_a_group_and_the_member_sees_the_project() {
    flow("share-group", "basespace", |s| async move {
        // A wrong password is said in words.
        s.goto("/").await?;
        s.type_into("input[name=login]", "alice@lab-a.example")
            .await?;
        s.type_into("input[name=password]", "wrong").await?;
        s.click_text("button", "Sign in").await?;
        s.wait_text(".error", "The email or password is wrong")
            .await?;

        s.sign_in("alice@lab-a.example").await?;
        s.wait_text("table.resources td a", "Tumor WGS").await?;
        s.click_text("a", "Tumor WGS").await?;
        s.wait_text(".who-table td", "Alice Moreau").await?;
        s.click_text("button", "Share").await?;
        s.find(".share-dialog .entries").await?;
        s.add_principal("Microbiome", "lab-b").await?;
        let rows = s.preview_rows().await?;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(
            rows[0],
            "Erin Novak and Frank Osei gain read on 1 project, 2 runs, 6 biosamples, 6 libraries, \
             1 pool, 1 lab requeue, 1 analysis, 1 dataset and 12 files"
        );
        s.wait_text(".preview-count", "2 people").await?;
        // why? gives the reasons before and after.
        s.click(".preview-row .why-button").await?;
        s.wait_text(".why dd", "through group Microbiome lab")
            .await?;
        // details lists people and resources a page at a time.
        s.click(".preview-row .details-button").await?;
        s.wait_text(".people-list li", "Frank Osei").await?;
        s.wait_text(".details button.link", "Show 11 more of 11")
            .await?;
        s.screenshot("share-dialog-preview").await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "Saved.").await?;
        s.wait_text(".who-table td", "Erin Novak").await?;
        s.sign_out().await?;

        // A member of lab-b now sees the project, and was told live.
        s.sign_in("erin@lab-b.example").await?;
        s.wait_text("table.resources td a", "Tumor WGS").await?;
        s.find(".badge").await?;
        s.screenshot("member-sees-project").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn transfer_request_pending_then_the_recipient_accepts_and_the_sender_loses_access() {
    flow("transfer-accept", "basespace", |s| async move {
        s.sign_in("alice@lab-a.example").await?;
        s.goto("/resources/R-0101").await?;
        s.click_text("button", "Transfer ownership").await?;
        s.type_into("input[name=email]", "bob@core.example").await?;
        s.type_into("textarea[name=message]", "Your copy of the first run.")
            .await?;
        s.click_text("button", "Continue").await?;
        s.find_text("h3", "When bob@core.example accepts").await?;
        let rows = s.preview_rows().await?;
        assert!(
            rows.iter()
                .any(|r| r.starts_with("Bob Okafor becomes the owner of 1 run and 1 file")),
            "{rows:?}"
        );
        assert!(
            rows.iter()
                .any(|r| r.starts_with("You lose ownership of 1 run")),
            "{rows:?}"
        );
        s.wait_text(
            ".warning",
            "Nothing changes until bob@core.example accepts.",
        )
        .await?;
        s.wait_text(
            ".warning",
            "FASTQ files stay with you: 4 files are not transferred.",
        )
        .await?;
        s.wait_text(
            ".warning",
            "Ownership cannot be taken back once Bob Okafor accepts.",
        )
        .await?;
        s.screenshot("transfer-confirmation").await?;
        // Bob is signed in meanwhile, in his own browser: his badge updates
        // live (server-sent events) when the invitation is sent.
        let bob = s.another().await?;
        bob.sign_in("bob@core.example").await?;
        bob.wait_gone(".badge").await?;
        s.click_text("button", "Transfer now").await?;
        s.wait_text("h1 .tag", "Pending approval").await?;
        s.find_text("button", "Cancel transfer").await?;
        bob.find(".badge[data-count='1']").await?;
        bob.wait_text(".top .sr-only", "offers you the ownership")
            .await?;
        bob.close().await?;
        s.sign_out().await?;

        s.sign_in("bob@core.example").await?;
        s.find(".badge").await?;
        s.goto("/transfers").await?;
        s.wait_text(".invitation", "wants to transfer ownership of run")
            .await?;
        s.click(".invitation button").await?;
        s.find_text("h3", "When you accept").await?;
        let rows = s.preview_rows().await?;
        assert!(
            rows.iter()
                .any(|r| r.starts_with("You become the owner of 1 run and 1 file")),
            "{rows:?}"
        );
        s.wait_text(
            ".warning",
            "FASTQ files stay with Alice Moreau: 4 files are not transferred.",
        )
        .await?;
        s.screenshot("recipient-invitation").await?;
        s.click_text("button", "Accept").await?;
        s.wait_text(".notice", "You now own").await?;
        s.sign_out().await?;

        // The sender lost the run: gone from Runs, and its page is closed.
        s.sign_in("alice@lab-a.example").await?;
        s.goto("/runs").await?;
        s.type_into("input[type=search]", "NovaSeq").await?;
        s.wait_text("table.resources td a", "NovaSeq 2024-03-18")
            .await?;
        let runs = s.texts("table.resources td a").await?;
        assert!(
            !runs.iter().any(|r| r.contains("NovaSeq 2024-03-04")),
            "{runs:?}"
        );
        s.goto("/resources/R-0101").await?;
        s.wait_text(".error", "Not found, or you no longer have access")
            .await?;
        s.goto("/account").await?;
        s.wait_text("table.history tr", "Accepted").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn decline_an_invitation_and_cancel_a_transfer() {
    flow("decline-cancel", "basespace", |s| async move {
        s.sign_in("alice@lab-a.example").await?;
        // Bob's pending run transfer to Alice: decline it.
        s.goto("/transfers").await?;
        s.wait_text(".invitation", "Bob Okafor wants to transfer ownership")
            .await?;
        s.click(".invitation button").await?;
        s.find_text("h3", "When you accept").await?;
        s.click_text("button", "Decline").await?;
        s.wait_text(".notice", "You declined").await?;
        s.wait_text(".empty", "No invitations are waiting for you.")
            .await?;

        // Send one and cancel it.
        s.goto("/resources/R-0102").await?;
        s.click_text("button", "Transfer ownership").await?;
        s.type_into("input[name=email]", "erin@lab-b.example")
            .await?;
        s.click_text("button", "Continue").await?;
        s.find_text("h3", "When erin@lab-b.example accepts").await?;
        s.click_text("button", "Transfer now").await?;
        s.wait_text("h1 .tag", "Pending approval").await?;
        s.click_text("button", "Cancel transfer").await?;
        s.wait_text(".notice", "Transfer canceled").await?;
        s.find_text("button", "Transfer ownership").await?;
        s.wait_gone("h1 .tag").await?;

        s.goto("/account").await?;
        s.wait_text("table.history tr", "Declined").await?;
        s.wait_text("table.history tr", "Canceled").await?;
        s.screenshot("transfer-history").await?;

        // On a phone-sized screen the share dialog fills the screen and
        // nothing needs scrolling sideways.
        s.c()
            .set_window_size(390, 844)
            .await
            .map_err(|e| e.to_string())?;
        s.goto("/resources/P-TUMOR").await?;
        s.click_text("button", "Share").await?;
        s.add_principal("Microbiome", "lab-b").await?;
        s.preview_rows().await?;
        let fits = s
            .c()
            .execute(
                "const d = document.querySelector('.dialog');
                 return document.documentElement.scrollWidth <= window.innerWidth
                     && d.scrollWidth <= d.clientWidth;",
                Vec::new(),
            )
            .await
            .map_err(|e| e.to_string())?;
        assert_eq!(
            fits,
            serde_json::Value::Bool(true),
            "the dialog overflows sideways"
        );
        s.screenshot("narrow-share-dialog").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_stale_preview_is_refused_and_the_refreshed_preview_shown() {
    flow("stale-409", "basespace", |s| async move {
        s.sign_in("alice@lab-a.example").await?;
        s.goto("/resources/P-TUMOR").await?;
        s.click_text("button", "Share").await?;
        s.find(".share-dialog .entries").await?;
        s.add_principal("erin", "erin").await?;
        s.click(".entry[data-principal='erin'] select").await?;
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
        let first = s.c().window().await.map_err(|e| e.to_string())?;

        // Meanwhile, in another tab, Alice shares the project with lab-b.
        let tab = s.c().new_window(true).await.map_err(|e| e.to_string())?;
        s.c()
            .switch_to_window(tab.handle)
            .await
            .map_err(|e| e.to_string())?;
        s.goto("/resources/P-TUMOR").await?;
        s.click_text("button", "Share").await?;
        s.add_principal("Microbiome", "lab-b").await?;
        s.preview_rows().await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "Saved.").await?;
        s.c().close_window().await.map_err(|e| e.to_string())?;
        s.c()
            .switch_to_window(first)
            .await
            .map_err(|e| e.to_string())?;

        // Back in the first tab: Save is answered 409; the new preview shows.
        s.click_text("button", "Save").await?;
        s.wait_text(".stale", "Sharing changed since you opened this dialog")
            .await?;
        let rows = s.preview_rows().await?;
        assert!(
            rows.iter()
                .any(|r| r == "Erin Novak goes from read to write on 1 project"),
            "{rows:?}"
        );
        s.screenshot("stale-preview").await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "Saved.").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn direct_profile_set_as_owner_and_leave() {
    flow("direct-set-owner", "direct", |s| async move {
        s.sign_in("alice@lab-a.example").await?;
        s.goto("/resources/P-TUMOR").await?;
        s.click_text("button", "Share").await?;
        s.find(".share-dialog .entries").await?;
        s.click("button[aria-label='Set Dan Reyes as owner']")
            .await?;
        s.wait_text(".owner-box", "Dan Reyes becomes the owner when you save")
            .await?;
        s.click(".owner-box input[type=checkbox]").await?;
        let rows = s.preview_rows().await?;
        assert!(rows[0].starts_with("You "), "{rows:?}");
        assert!(
            rows.iter()
                .any(|r| r.starts_with("Dan Reyes becomes the owner")),
            "{rows:?}"
        );
        s.wait_text(
            ".warning",
            "You cannot take ownership back: only Dan Reyes can give it back to you.",
        )
        .await?;
        s.screenshot("direct-set-owner").await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "Saved.").await?;
        s.wait_text(".page-head p.muted", "Owner: Dan Reyes")
            .await?;
        // Alice left: she keeps only what her group lab-a gives her.
        s.wait_text(".page-head p.muted", "Your access: Read")
            .await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_large_project_previews_each_edit_in_the_browser() {
    flow("large-project", "basespace", |s| async move {
        s.sign_in("alice@lab-a.example").await?;
        s.goto("/resources/P-ATLAS").await?;
        s.click_text("button", "Share").await?;
        let select = s.find(".entry[data-principal='institute'] select").await?;
        select
            .select_by_value("write")
            .await
            .map_err(|e| e.to_string())?;
        let rows = s.preview_rows().await?;
        assert!(
            rows.iter()
                .any(|r| r.contains("others go from read to write on 1 project")),
            "{rows:?}"
        );
        let panel = s.find(".preview-wrap[data-preview-ms]").await?;
        let ms = panel
            .attr("data-preview-ms")
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        println!("edit to rendered preview on the large project: {ms} ms");
        let ms: f64 = ms.parse().map_err(|e| format!("not a time: {e}"))?;
        assert!(ms < 2000.0, "the preview took {ms} ms");
        s.screenshot("large-project-preview").await?;
        // Escape closes the dialog; nothing was saved.
        s.c()
            .active_element()
            .await
            .map_err(|e| e.to_string())?
            .send_keys("\u{e00c}")
            .await
            .map_err(|e| e.to_string())?;
        s.wait_gone(".share-dialog").await?;
        Ok(())
    })
    .await;
}
