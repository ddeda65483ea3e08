//! The root component.

use yew::prelude::*;

/// The whole page: the product name and what it is for.
#[component]
pub fn App() -> Html {
    html! {
        <main class="page">
            <header>
                <h1>{ "Custody" }</h1>
            </header>
            <p class="lede">
                { "Share sequencing data and hand over ownership, and see who gains and who loses access before you confirm." }
            </p>
        </main>
    }
}
