//! # custody-web
//!
//! Custody's web app: people who own sequencing data share it and hand its
//! ownership over, and see, on every edit and before confirming, exactly
//! who gains and who loses access to what, and why.
//!
//! ## Design
//!
//! - The preview is computed here, in the browser, by custody-policy itself
//!   (compiled to wasm with the app), on the access context the server
//!   hands over (`loaded`). Every edit previews again with no network round
//!   trip; only Save talks to the server, sending the action, the context
//!   version, the preview's digest and an idempotency key (`api`). The
//!   server recomputes the same preview with the same crate and answers
//!   409 with a fresh context when it differs.
//! - Request and response bodies are `custody-api`'s types, shared with the
//!   server; no JSON shape is written twice (`api`).
//! - Each dialog is a pure reducer (`share/state.rs`, `transfer/state.rs`,
//!   `invitation/state.rs`) tested natively, and a component that renders
//!   it and does the I/O. Components live one per file under `components/`
//!   with `Callback` props; pages under `pages/`.
//! - Words live in one place (`words`): levels, counts by kind, reasons,
//!   warnings and errors as sentences. `preview` turns the policy's
//!   summaries into rows in the order that matters (the person's own
//!   losses, then losses, then gains).
//!
//! Everything compiles natively as well, so `cargo test -p custody-web`
//! runs the reducers and the wording on the host; the component tests run
//! in headless Chromium under wasm-bindgen-test.

pub mod api;
pub mod app;
pub mod confirm;
pub mod latest;
pub mod live;
pub mod loaded;
pub mod preview;
pub mod session;
pub mod words;

pub mod share {
    //! The share dialog ("Share" / "View collaborators").
    pub mod dialog;
    pub mod state;
}

pub mod transfer {
    //! Transfer ownership (`basespace`).
    pub mod dialog;
    pub mod state;
}

pub mod invitation {
    //! A transfer's recipient: accept or decline.
    pub mod dialog;
    pub mod state;
}

pub mod groups {
    //! Workgroups: who is in a group, and the members dialog.
    pub mod dialog;
    pub mod loaded;
    pub mod member_row;
    pub mod state;
}

pub mod components {
    //! One component per file, with `Callback` props.
    pub mod access_picker;
    pub mod dialog_foot;
    pub mod header;
    pub mod modal;
    pub mod preview_clock;
    pub mod preview_panel;
    pub mod preview_row;
    pub mod principal_picker;
    pub mod resource_table;
    pub mod who_panel;
}

pub mod pages {
    //! One page per route.
    pub mod account;
    pub mod group;
    pub mod groups;
    pub mod notifications;
    pub mod resource;
    pub mod resources;
    pub mod sign_in;
    pub mod transfers;
}

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
