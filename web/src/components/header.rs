//! The header: the product, the sections, the account with the
//! deployment's profile, the notifications badge (live), and sign out.

use crate::app::Route;
use crate::session::Session;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub session: Session,
    pub on_sign_out: Callback<()>,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let s = &props.session;
    let sign_out = {
        let cb = props.on_sign_out.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let badge = if s.unread > 0 {
        html! { <span class="badge" data-count={s.unread.to_string()}>{ s.unread.to_string() }</span> }
    } else {
        html! {}
    };
    let label = if s.unread == 1 {
        "Notifications, 1 unread".to_string()
    } else {
        format!("Notifications, {} unread", s.unread)
    };
    html! {
        <header class="top">
            <Link<Route> to={Route::Projects} classes="brand">{ "Custody" }</Link<Route>>
            <nav class="sections" aria-label="Sections">
                <Link<Route> to={Route::Projects}>{ "Projects" }</Link<Route>>
                <Link<Route> to={Route::Runs}>{ "Runs" }</Link<Route>>
                if s.profile() == custody_policy::Profile::Basespace {
                    <Link<Route> to={Route::Transfers}>{ "Transfers" }</Link<Route>>
                }
            </nav>
            <div class="account">
                <Link<Route> to={Route::Notifications} classes="bell">
                    <span aria-label={label}>{ "🔔" }</span>{ badge }
                </Link<Route>>
                <Link<Route> to={Route::Account} classes="me">
                    <span class="me-name">{ s.display_name() }</span>
                    <span class="me-profile">{ s.profile_label() }</span>
                </Link<Route>>
                <button type="button" class="quiet" onclick={sign_out}>{ "Sign out" }</button>
            </div>
            <p class="sr-only" aria-live="polite">{ s.latest.clone().unwrap_or_default() }</p>
        </header>
    }
}
