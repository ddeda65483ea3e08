//! Transfers (`basespace`): invitations waiting for the signed-in person
//! (each opens the invitation with its preview, Accept and Decline), and
//! the transfers they sent that wait for approval.

use crate::api;
use crate::app::Route;
use crate::invitation::dialog::InvitationDialog;
use crate::session::use_session;
use crate::words;
use custody_api::TransferItem;
use yew::prelude::*;
use yew_router::prelude::*;

#[component]
pub fn TransfersPage() -> Html {
    let session = use_session();
    let incoming = use_state(|| None::<Vec<TransferItem>>);
    let outgoing = use_state(|| None::<Vec<TransferItem>>);
    let error = use_state(|| None::<String>);
    let notice = use_state(|| None::<String>);
    let open = use_state(|| None::<TransferItem>);
    let reload = use_state(|| 0u32);
    let unread = session.as_ref().map(|s| s.unread);
    {
        let (incoming, outgoing, error) = (incoming.clone(), outgoing.clone(), error.clone());
        // Reload on a live notification too (a new invitation arrives).
        use_effect_with((*reload, unread), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let (a, b) = futures_util::future::join(
                    api::transfers("incoming"),
                    api::transfers("outgoing"),
                )
                .await;
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        incoming.set(Some(a.items));
                        outgoing.set(Some(b.items));
                        error.set(None);
                    }
                    (Err(e), _) | (_, Err(e)) => error.set(Some(e.words())),
                }
            });
        });
    }
    let close = {
        let open = open.clone();
        Callback::from(move |()| open.set(None))
    };
    let done = {
        let (open, notice, reload) = (open.clone(), notice.clone(), reload.clone());
        Callback::from(move |text: String| {
            open.set(None);
            notice.set(Some(text));
            reload.set(*reload + 1);
        })
    };
    let incoming_html = match &*incoming {
        None => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        Some(list) if list.is_empty() => {
            html! { <p class="empty">{ "No invitations are waiting for you." }</p> }
        }
        Some(list) => html! {
            <ul class="cards">
                { for list.iter().map(|t| {
                    let open = open.clone();
                    let item = t.clone();
                    let review = Callback::from(move |_: MouseEvent| open.set(Some(item.clone())));
                    html! {
                        <li class="card invitation" key={t.id.clone()} data-transfer={t.id.clone()}>
                            <p>
                                <strong>{ t.from_name.clone() }</strong>
                                { format!(" wants to transfer ownership of {} “{}” to you.", words::kind_noun(t.resource_kind, 1),
                                    t.resource_name.clone().unwrap_or_else(|| t.resource.clone())) }
                            </p>
                            if let Some(m) = &t.message { <blockquote class="message">{ m.clone() }</blockquote> }
                            <p class="muted">{ format!("Sent {}", words::date_time(t.created_at)) }</p>
                            <button type="button" class="primary" onclick={review}>{ "Review" }</button>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    let outgoing_html = match &*outgoing {
        Some(list) if !list.is_empty() => html! {
            <section aria-labelledby="outgoing-heading">
                <h2 id="outgoing-heading">{ "Sent, waiting for approval" }</h2>
                <ul class="cards">
                    { for list.iter().map(|t| html! {
                        <li class="card" key={t.id.clone()}>
                            <Link<Route> to={Route::Resource { id: t.resource.clone() }}>
                                { t.resource_name.clone().unwrap_or_else(|| t.resource.clone()) }
                            </Link<Route>>
                            { format!(" to {} · sent {}", t.to, words::date_time(t.created_at)) }
                            <span class="tag pending">{ "Pending approval" }</span>
                        </li>
                    }) }
                </ul>
            </section>
        },
        _ => html! {},
    };
    html! {
        <main class="page">
            <h1>{ "Transfers" }</h1>
            if let Some(n) = &*notice { <p class="notice success" role="status">{ n.clone() }</p> }
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            <section aria-labelledby="incoming-heading">
                <h2 id="incoming-heading">{ "Invitations for you" }</h2>
                { incoming_html }
            </section>
            { outgoing_html }
            <p><Link<Route> to={Route::Account}>{ "Transfer history" }</Link<Route>></p>
            if let Some(t) = &*open {
                <InvitationDialog transfer={t.clone()} on_close={close} on_done={done} />
            }
        </main>
    }
}
