//! Sign in with an email (or a service account's id) and a password.

use crate::api;
use custody_api::Me;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SignInProps {
    pub on_signed_in: Callback<Me>,
}

fn value_of(e: &InputEvent) -> Option<String> {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
}

#[component]
pub fn SignInPage(props: &SignInProps) -> Html {
    let login = use_state(String::new);
    let password = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let (login, password, busy, error) =
            (login.clone(), password.clone(), busy.clone(), error.clone());
        let on_signed_in = props.on_signed_in.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            if login.trim().is_empty() || password.is_empty() {
                error.set(Some("Enter your email and your password.".to_string()));
                return;
            }
            busy.set(true);
            error.set(None);
            let (login, password) = ((*login).clone(), (*password).clone());
            let (busy, error, on_signed_in) = (busy.clone(), error.clone(), on_signed_in.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::sign_in(&login, &password).await {
                    Ok(me) => on_signed_in.emit(me),
                    Err(e) => {
                        error.set(Some(e.words()));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let on_login = {
        let login = login.clone();
        Callback::from(move |e: InputEvent| login.set(value_of(&e).unwrap_or_default()))
    };
    let on_password = {
        let password = password.clone();
        Callback::from(move |e: InputEvent| password.set(value_of(&e).unwrap_or_default()))
    };
    html! {
        <main class="page narrow sign-in">
            <h1>{ "Custody" }</h1>
            <p class="lede">{ "Share sequencing data and hand over ownership, and see who gains and who loses access before you confirm." }</p>
            <form class="card" {onsubmit} novalidate=true>
                <h2>{ "Sign in" }</h2>
                <label class="field">
                    <span>{ "Email" }</span>
                    <input type="email" name="login" autocomplete="username" value={(*login).clone()} oninput={on_login} disabled={*busy} />
                </label>
                <label class="field">
                    <span>{ "Password" }</span>
                    <input type="password" name="password" autocomplete="current-password" value={(*password).clone()} oninput={on_password} disabled={*busy} />
                </label>
                if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
                <button type="submit" class="primary" disabled={*busy} aria-busy={busy.to_string()}>
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </button>
            </form>
        </main>
    }
}
