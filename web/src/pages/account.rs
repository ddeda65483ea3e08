//! My account: who is signed in, the deployment's profile, and the
//! transfer history (every transfer sent and received, its status and
//! dates).

use crate::api;
use crate::app::Route;
use crate::session::use_session;
use crate::words;
use custody_api::TransferItem;
use custody_policy::TransferStatus;
use yew::prelude::*;
use yew_router::prelude::*;

fn status_words(s: TransferStatus) -> &'static str {
    match s {
        TransferStatus::Pending => "Pending approval",
        TransferStatus::Accepted => "Accepted",
        TransferStatus::Declined => "Declined",
        TransferStatus::Canceled => "Canceled",
    }
}

#[component]
pub fn AccountPage() -> Html {
    let session = use_session();
    let history = use_state(|| None::<Vec<TransferItem>>);
    let error = use_state(|| None::<String>);
    {
        let (history, error) = (history.clone(), error.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::transfers("history").await {
                    Ok(list) => history.set(Some(list.items)),
                    Err(e) => error.set(Some(e.words())),
                }
            });
        });
    }
    let Some(s) = session else { return html! {} };
    let me = &s.me;
    let email = me.email.clone().unwrap_or_default();
    let table = match &*history {
        None => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        Some(list) if list.is_empty() => html! { <p class="empty">{ "No transfers yet." }</p> },
        Some(list) => html! {
            <table class="history">
                <thead><tr>
                    <th scope="col">{ "What" }</th><th scope="col">{ "From" }</th><th scope="col">{ "To" }</th>
                    <th scope="col">{ "Status" }</th><th scope="col">{ "Sent" }</th><th scope="col">{ "Decided" }</th>
                </tr></thead>
                <tbody>
                    { for list.iter().map(|t| {
                        let sent = t.from == me.id;
                        html! {
                            <tr key={t.id.clone()} data-transfer={t.id.clone()} data-status={t.status.as_str()}>
                                <td>
                                    <Link<Route> to={Route::Resource { id: t.resource.clone() }}>
                                        { format!("{} {}", words::capitalize(words::kind_noun(t.resource_kind, 1)),
                                            t.resource_name.clone().unwrap_or_else(|| t.resource.clone())) }
                                    </Link<Route>>
                                </td>
                                <td>{ if sent { "You".to_string() } else { t.from_name.clone() } }</td>
                                <td>{ if !sent && t.to.eq_ignore_ascii_case(&email) { "You".to_string() } else { t.to.clone() } }</td>
                                <td>{ status_words(t.status) }</td>
                                <td>{ words::date_time(t.created_at) }</td>
                                <td>{ t.decided_at.map(words::date_time).unwrap_or_else(|| "—".to_string()) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <main class="page">
            <h1>{ "My account" }</h1>
            <dl class="facts">
                <dt>{ "Name" }</dt><dd>{ s.display_name() }</dd>
                <dt>{ "Email" }</dt><dd>{ if email.is_empty() { "—".to_string() } else { email.clone() } }</dd>
                <dt>{ "Account id" }</dt><dd>{ me.id.clone() }</dd>
                <dt>{ "Deployment" }</dt><dd>{ s.profile_label() }</dd>
                if me.data_owner { <dt>{ "Role" }</dt><dd>{ "Data owner (reads every project)" }</dd> }
                <dt>{ "Session ends" }</dt><dd>{ words::date_time(me.expires_at) }</dd>
            </dl>
            <section aria-labelledby="history-heading">
                <h2 id="history-heading">{ "Transfer history" }</h2>
                if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
                { table }
            </section>
        </main>
    }
}
