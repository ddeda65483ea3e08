//! Workgroups (issue 9), in a real browser on the real server with the demo
//! organisation (crates/server/src/seed.rs): Alice administers the tumor
//! genomics lab (lab-a: Alice, Carol and the nested lab-a-bioinf), whose
//! read share on Tumor WGS reaches its people; Erin runs the microbiome
//! lab (lab-b); everyone is in the institute group, which reads the Cell
//! atlas.
//!
//! The members dialog previews in the browser on the group's context
//! (custody-policy as wasm), with the share dialog's rows, and saves
//! through `POST /api/actions` with the version, the digest and an
//! idempotency key; the server checks the same preview and applies it.
//!
//! Each test starts its own server and database; run them one at a time
//! (`--test-threads=1`) on small machines.

#![allow(clippy::panic)] // a failed flow fails its test

use custody_e2e::{Result, Session, flow};

/// Opens a group's page from the Groups page (reached from the header).
async fn open_group(s: &Session, name: &str) -> Result {
    s.click_text("a", "Groups").await?;
    s.find_text("h1", "Groups").await?;
    s.click_text("a", name).await?;
    s.find_text("h1", name).await.map(drop)
}

/// The projects the signed-in person sees, once the list has loaded.
async fn projects(s: &Session) -> Result<Vec<String>> {
    s.goto("/projects").await?;
    s.find("table.resources, .empty").await?;
    s.texts("table.resources td a").await
}

#[tokio::test(flavor = "current_thread")]
async fn an_admin_adds_a_person_who_then_sees_the_groups_projects() {
    flow("group-add", "basespace", |s| async move {
        // Erin does not see Tumor WGS before.
        s.sign_in("erin@lab-b.example").await?;
        s.find("table.resources td a").await?;
        let before = projects(&s).await?;
        assert!(!before.iter().any(|p| p == "Tumor WGS"), "{before:?}");
        s.sign_out().await?;

        s.sign_in("alice@lab-a.example").await?;
        s.click_text("a", "Groups").await?;
        let row = s
            .wait_text("table.groups tr[data-group='lab-a']", "Tumor genomics lab")
            .await?;
        assert!(row.contains("Admin"), "{row}");
        // Direct members (Alice, Carol, Lab A bioinformatics), people
        // reached (with Dan and the pipeline, nested), and her role.
        let cells = s.texts("tr[data-group='lab-a'] td").await?;
        assert_eq!(cells, ["Tumor genomics lab", "3", "4", "Admin, member"]);
        let cells = s.texts("tr[data-group='lab-a-bioinf'] td").await?;
        assert_eq!(cells, ["Lab A bioinformatics", "2", "2", "Admin"]);
        s.screenshot("groups-page").await?;
        open_group(&s, "Tumor genomics lab").await?;
        s.wait_text(".member-list li", "Carol Diaz").await?;
        s.wait_text(".admin-list li", "Alice Moreau (you)").await?;
        s.click_text("button", "Manage members").await?;
        s.find(".members-dialog .entries").await?;
        s.wait_text(".members-dialog .entry-name", "Lab A bioinformatics")
            .await?;

        // Adding a group that holds this one is refused in words.
        s.add_principal("Institute", "institute").await?;
        s.wait_text(".preview-refused", "A group cannot contain itself")
            .await?;
        let save = s.find_text("button", "Save").await?;
        assert!(!save.is_enabled().await.map_err(|e| e.to_string())?);
        s.click(".entry[data-principal='institute'] .remove")
            .await?;
        s.wait_gone(".preview-refused").await?;

        // Add Erin: the preview says what she gains, in the share
        // dialog's words and rows (her Cell atlas access, through the
        // institute, is unchanged and not listed).
        s.add_principal("Erin", "erin").await?;
        let rows = s.preview_rows().await?;
        assert_eq!(
            rows,
            [
                "Erin Novak gains read on 1 project, 2 runs, 6 biosamples, 6 libraries, \
              1 pool, 1 lab requeue, 1 analysis, 1 dataset and 12 files"
            ]
        );
        s.wait_text(".preview-count", "1 person").await?;
        s.click(".preview-row .why-button").await?;
        s.wait_text(".why dd", "through group Tumor genomics lab")
            .await?;
        let ms = s
            .find(".members-dialog .preview-wrap")
            .await?
            .attr("data-preview-ms")
            .await
            .map_err(|e| e.to_string())?;
        println!("members dialog: edit to rendered preview {ms:?} ms");
        s.screenshot("group-members-preview").await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "Saved.").await?;
        s.wait_text(".member-list li", "Erin Novak").await?;
        s.sign_out().await?;

        // Erin now sees the group's project, and was told.
        s.sign_in("erin@lab-b.example").await?;
        s.wait_text("table.resources td a", "Tumor WGS").await?;
        s.find(".badge").await?;
        s.click_text("a", "Groups").await?;
        let row = s
            .wait_text("table.groups tr[data-group='lab-a']", "Tumor genomics lab")
            .await?;
        assert!(row.contains("Member"), "{row}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_member_leaves_a_group_and_loses_its_projects() {
    flow("group-leave", "basespace", |s| async move {
        s.sign_in("carol@lab-a.example").await?;
        s.wait_text("table.resources td a", "Tumor WGS").await?;
        open_group(&s, "Tumor genomics lab").await?;
        // Carol is no admin: no "Manage members", only "Leave group".
        assert!(s.texts(".page-head .primary").await?.is_empty());
        s.click_text("button", "Leave group").await?;
        s.find(".members-dialog").await?;
        s.wait_text(".members-dialog .entry.removed", "Carol Diaz (you)")
            .await?;
        // Leaving lab-a also leaves the institute (lab-a is in it): Carol
        // loses Tumor WGS and the Cell atlas, in one row, first.
        let rows = s.preview_rows().await?;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert!(
            rows[0].starts_with("You lose read on 2 projects, 202 runs"),
            "{rows:?}"
        );
        s.find(".preview-row[data-tone='actor-loss']").await?;
        s.wait_text(".warning", "You will lose read on").await?;
        s.screenshot("group-leave-preview").await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "You left “Tumor genomics lab”")
            .await?;
        s.wait_text("main p", "You can no longer see this group.")
            .await?;
        let after = projects(&s).await?;
        assert!(
            !after
                .iter()
                .any(|p| p == "Tumor WGS" || p.starts_with("Cell atlas")),
            "{after:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_stale_preview_is_refused_and_shown_again_before_saving() {
    flow("group-stale", "basespace", |s| async move {
        s.sign_in("alice@lab-a.example").await?;
        s.goto("/groups/lab-a").await?;
        s.find_text("h1", "Tumor genomics lab").await?;
        s.click_text("button", "Manage members").await?;
        s.find(".members-dialog .entries").await?;
        s.add_principal("Frank", "frank").await?;
        let rows = s.preview_rows().await?;
        assert!(
            rows.iter()
                .any(|r| r.starts_with("Frank Osei gains read on 1 project, 2 runs")),
            "{rows:?}"
        );

        // Meanwhile, in another browser, Tumor WGS is shared with Frank
        // directly: adding him to the group now gives him nothing new.
        let other = s.another().await?;
        other.sign_in("alice@lab-a.example").await?;
        other.goto("/resources/P-TUMOR").await?;
        other.click_text("button", "Share").await?;
        other.find(".share-dialog .entries").await?;
        other.add_principal("Frank", "frank").await?;
        other.preview_rows().await?;
        other.click_text("button", "Save").await?;
        other.wait_text(".notice", "Saved.").await?;
        other.close().await?;

        // Save refuses the preview Alice saw and shows the new one.
        s.click_text("button", "Save").await?;
        s.wait_text(
            ".members-dialog .stale",
            "Sharing changed since you opened this dialog",
        )
        .await?;
        s.wait_text(".preview-empty", "Saving changes no one's access.")
            .await?;
        s.screenshot("group-members-stale").await?;
        s.click_text("button", "Save").await?;
        s.wait_text(".notice", "Saved. No one's access changed.")
            .await?;
        s.wait_text(".member-list li", "Frank Osei").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_large_group_previews_locally_and_lists_only_those_who_lose_access() {
    flow("group-large", "basespace", |s| async move {
        // Bob administers the institute (300 staff, lab-a and lab-b),
        // which reads the Cell atlas (thousands of resources).
        s.sign_in("bob@core.example").await?;
        s.goto("/groups/institute").await?;
        s.find_text("h1", "Institute (all staff)").await?;
        // Its 302 direct members are listed a page at a time.
        s.wait_text(".more-members", "Show 50 more of 252").await?;
        assert_eq!(s.texts(".member-list li").await?.len(), 50);
        s.click(".more-members").await?;
        s.wait_text(".more-members", "Show 50 more of 202").await?;
        s.click_text("button", "Manage members").await?;
        s.find(".members-dialog .entries").await?;
        // Removing lab-a: Carol loses the atlas; Dan and the pipeline
        // keep it through lab-a-bioinf's own share and Alice owns it, so
        // none of them is listed.
        s.click(".entry[data-principal='lab-a'] .remove").await?;
        let rows = s.preview_rows().await?;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert!(
            rows[0].starts_with("Carol Diaz loses read on 1 project"),
            "{rows:?}"
        );
        s.wait_text(".preview-count", "1 person").await?;
        // Computed in the browser on the loaded context: no round trip.
        let ms = s
            .find(".members-dialog .preview-wrap")
            .await?
            .attr("data-preview-ms")
            .await
            .map_err(|e| e.to_string())?;
        println!("large group, removal: edit to rendered preview {ms:?} ms");
        s.click(".entry[data-principal='lab-a'] button").await?;
        s.wait_gone(".preview-row").await?;
        // Adding the core facility: Bob himself, Priya and the pipeline
        // gain; the pipeline reads the atlas already, so it is not listed.
        s.add_principal("Core facility", "core-facility").await?;
        let rows = s.preview_rows().await?;
        assert!(
            rows.iter()
                .any(|r| r.starts_with("You and Priya Shah gain read on 1 project")),
            "{rows:?}"
        );
        let ms = s
            .find(".members-dialog .preview-wrap")
            .await?
            .attr("data-preview-ms")
            .await
            .map_err(|e| e.to_string())?;
        // The core facility was not in the context: this includes loading
        // the context again with it.
        println!(
            "large group, addition: edit to rendered preview {ms:?} ms (with the context reload)"
        );
        s.screenshot("group-members-large").await?;
        Ok(())
    })
    .await;
}
