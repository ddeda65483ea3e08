//! Notifications: shares received and removed, transfers offered,
//! accepted, declined and canceled, being added to or removed from a
//! group, newest first; opening the page marks them read.

use crate::api;
use crate::app::Route;
use crate::session::use_session;
use crate::words;
use custody_api::{Notification, NotificationKind};
use yew::prelude::*;
use yew_router::prelude::*;

#[component]
pub fn NotificationsPage() -> Html {
    let session = use_session();
    let list = use_state(|| None::<Vec<Notification>>);
    let error = use_state(|| None::<String>);
    let unread = session.as_ref().map(|s| s.unread).unwrap_or(0);
    let on_changed = session.as_ref().map(|s| s.on_unread_changed.clone());
    {
        let (list, error) = (list.clone(), error.clone());
        use_effect_with(unread, move |unread| {
            let unread = *unread;
            wasm_bindgen_futures::spawn_local(async move {
                match api::notifications().await {
                    Ok(l) => {
                        list.set(Some(l.items));
                        if unread > 0 || l.unread > 0 {
                            match api::mark_read(Vec::new()).await {
                                Ok(()) => {
                                    if let Some(cb) = on_changed {
                                        cb.emit(());
                                    }
                                }
                                Err(e) => error.set(Some(e.words())),
                            }
                        }
                    }
                    Err(e) => error.set(Some(e.words())),
                }
            });
        });
    }
    let body = match &*list {
        None => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        Some(items) if items.is_empty() => {
            html! { <p class="empty">{ "Nothing yet. Shares and transfers that concern you appear here." }</p> }
        }
        Some(items) => html! {
            <ul class="notifications">
                { for items.iter().map(|n| {
                    let link = match (n.kind, &n.resource) {
                        (NotificationKind::TransferOffered, _) => html! { <Link<Route> to={Route::Transfers}>{ "Review" }</Link<Route>> },
                        (NotificationKind::AddedToGroup, _) => match &n.group {
                            Some(g) => html! { <Link<Route> to={Route::Group { id: g.clone() }}>{ "Open group" }</Link<Route>> },
                            None => html! {},
                        },
                        // Someone removed from a group may no longer see it: no link.
                        (NotificationKind::RemovedFromGroup, _) => html! {},
                        (_, Some(r)) => html! { <Link<Route> to={Route::Resource { id: r.clone() }}>{ "Open" }</Link<Route>> },
                        _ => html! {},
                    };
                    html! {
                        <li key={n.id} class={classes!("notification", (!n.read).then_some("unread"))}>
                            <span>{ n.text.clone() }</span>
                            <span class="muted">{ words::date_time(n.created_at) }</span>
                            { link }
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <main class="page">
            <h1>{ "Notifications" }</h1>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            { body }
        </main>
    }
}
