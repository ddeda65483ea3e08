//! Custody's web app, built for the browser by Trunk (`index.html` at the
//! workspace root links this crate and `web/styles.css`).
//!
//! For now a single page saying what the app will do. It will grow into the
//! share and transfer dialogs, which call `custody-policy` in the browser to
//! preview who gains and who loses access before the person confirms.

mod app;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
