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
                <Link<Route> to={Route::Groups}>{ "Groups" }</Link<Route>>
                if s.profile() == custody_policy::Profile::Basespace {
                    <Link<Route> to={Route::Transfers}>{ "Transfers" }</Link<Route>>
                }
            </nav>
            <div class="account">
                <Link<Route> to={Route::Notifications} classes="bell">
                    <svg class="bell-icon" viewBox="0 0 24 24" width="22" height="22" role="img" aria-label={label}>
                        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" />
                    </svg>
                    { badge }
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
