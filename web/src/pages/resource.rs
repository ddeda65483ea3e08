//! A resource's page: what it is and belongs to, what it holds (runs,
//! biosamples, libraries, pools, lab requeues, analyses, datasets, files,
//! by kind, a page at a time), who has access and why, and the actions:
//! Share or View collaborators, Transfer ownership (with Pending approval
//! and Cancel), Set as owner and Leave (in the share dialog).

use crate::api::{self, ApiError, ListQuery};
use crate::app::Route;
use crate::components::resource_table::ResourceTable;
use crate::components::who_panel::WhoPanel;
use crate::loaded::Loaded;
use crate::session::use_session;
use crate::share::dialog::ShareDialog;
use crate::transfer::dialog::TransferDialog;
use crate::words::{self, Names};
use custody_api::{ActionRequest, ResourceDetail, ResourcePage as Page};
use custody_policy::{Action, Holder, Level, Profile, ResourceKind};
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

const PAGE: u64 = 25;

#[derive(Properties, PartialEq)]
pub struct ResourceProps {
    pub id: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Open {
    Nothing,
    Share,
    Transfer,
}

#[component]
pub fn ResourcePage(props: &ResourceProps) -> Html {
    let session = use_session();
    let detail = use_state(|| None::<ResourceDetail>);
    let holders = use_state(|| None::<Vec<Holder>>);
    let loaded = use_state(|| None::<Loaded>);
    let error = use_state(|| None::<String>);
    let notice = use_state(|| None::<String>);
    let open = use_state(|| Open::Nothing);
    let reload = use_state(|| 0u32);
    let busy = use_state(|| false);

    {
        let (detail, holders, loaded, error) = (
            detail.clone(),
            holders.clone(),
            loaded.clone(),
            error.clone(),
        );
        let on_signed_out = session.as_ref().map(|s| s.on_signed_out.clone());
        use_effect_with((props.id.clone(), *reload), move |(id, _)| {
            // Who has access and the access context are asked for with the
            // resource itself, not after it: on a large project the context
            // takes longest, and waiting for the resource first would add
            // its time to the dialog's. Someone who sees the resource by
            // name only gets 404s there, which the resource's own answer
            // explains.
            let (id, other_id) = (id.clone(), id.clone());
            let (holders_now, loaded_now, error_now) =
                (holders.clone(), loaded.clone(), error.clone());
            // Cleared here, not when an answer comes: either may fail first.
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let d = match api::resource(&id).await {
                    Ok(d) => d,
                    Err(e) => {
                        if e.signed_out()
                            && let Some(cb) = on_signed_out
                        {
                            cb.emit(());
                        }
                        error.set(Some(e.words()));
                        return;
                    }
                };
                let readable = d.resource.access.level >= Level::Read;
                detail.set(Some(d));
                if !readable {
                    holders.set(None);
                    loaded.set(None);
                }
            });
            wasm_bindgen_futures::spawn_local(async move {
                let (who, context) = futures_util::future::join(
                    api::access(&other_id),
                    api::context(&other_id, &[], &[]),
                )
                .await;
                match who {
                    Ok(w) => holders_now.set(Some(w.holders)),
                    Err(e) if e.not_found() || e.signed_out() => {}
                    Err(e) => error_now.set(Some(e.words())),
                }
                match context {
                    Ok(c) => match Loaded::new(c) {
                        Ok(l) => loaded_now.set(Some(l)),
                        Err(e) => error_now.set(Some(e)),
                    },
                    Err(e) if e.not_found() || e.signed_out() => {}
                    Err(e) => error_now.set(Some(e.words())),
                }
            });
        });
    }

    let Some(session) = session else {
        return html! {};
    };
    let Some(d) = &*detail else {
        return html! {
            <main class="page">
                if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
                else { <p class="muted" aria-busy="true">{ "Loading…" }</p> }
            </main>
        };
    };
    let r = &d.resource;
    let name = r.name.clone().unwrap_or_else(|| r.id.clone());
    let me = session.me.id.clone();
    let is_owner = r.owner == me;
    let basespace = session.profile() == Profile::Basespace;
    let transferable = matches!(r.kind, ResourceKind::Project | ResourceKind::Run);
    let pending = r.pending_transfer.clone();
    let recipient = loaded.as_ref().and_then(|l| {
        let (_, to) = l.pending_transfer()?;
        let mine = session.me.email.as_deref()?;
        (custody_policy::normalize_email(&to) == custody_policy::normalize_email(mine))
            .then_some(to)
    });
    let pending_to = loaded
        .as_ref()
        .and_then(|l| l.pending_transfer())
        .map(|(_, to)| to);

    let set_open = |what: Open| {
        let open = open.clone();
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            notice.set(None);
            open.set(what);
        })
    };
    let close = {
        let open = open.clone();
        Callback::from(move |()| open.set(Open::Nothing))
    };
    let done = {
        let (open, notice, reload) = (open.clone(), notice.clone(), reload.clone());
        Callback::from(move |text: String| {
            open.set(Open::Nothing);
            notice.set(Some(text));
            reload.set(*reload + 1);
        })
    };
    let cancel_transfer = {
        let (loaded, busy, notice, error, reload) = (
            loaded.clone(),
            busy.clone(),
            notice.clone(),
            error.clone(),
            reload.clone(),
        );
        let transfer = pending.clone();
        Callback::from(move |_: MouseEvent| {
            let (Some(l), Some(transfer)) = ((*loaded).clone(), transfer.clone()) else {
                return;
            };
            let action = Action::CancelTransfer {
                actor: l.actor.clone(),
                transfer,
            };
            let digest = match l.engine.0.preview(&action) {
                Ok(p) => p.digest(),
                Err(e) => {
                    error.set(Some(words::policy_error_sentence(e.code, &e.message)));
                    return;
                }
            };
            busy.set(true);
            let (busy, notice, error, reload) =
                (busy.clone(), notice.clone(), error.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let request = ActionRequest {
                    action,
                    version: l.version.clone(),
                    digest,
                    idempotency_key: api::fresh_key(),
                };
                match api::post_action(&request).await {
                    Ok(_) => {
                        notice.set(Some("Transfer canceled. Nothing changed.".to_string()));
                        error.set(None);
                    }
                    Err(e @ ApiError::Stale(_)) => {
                        error.set(Some(format!("{} Look again before canceling.", e.words())))
                    }
                    Err(e) => error.set(Some(e.words())),
                }
                busy.set(false);
                reload.set(*reload + 1);
            });
        })
    };

    let names: Rc<Names> = loaded
        .as_ref()
        .map_or_else(|| Rc::new(Names::default()), |l| Rc::clone(&l.names));
    let dialog = match (*open, &*loaded) {
        (Open::Share, l) => html! {
            <ShareDialog resource={r.id.clone()} name={name.clone()} loaded={l.clone()}
                on_close={close.clone()} on_saved={done.clone()} />
        },
        (Open::Transfer, _) => html! {
            <TransferDialog resource={r.id.clone()} name={name.clone()} on_close={close.clone()} on_sent={done.clone()} />
        },
        _ => html! {},
    };
    let readable = r.access.level >= Level::Read;
    html! {
        <main class="page resource-page">
            <nav class="crumbs" aria-label="Breadcrumb">
                if r.kind == ResourceKind::Project {
                    <Link<Route> to={Route::Projects}>{ "Projects" }</Link<Route>>
                } else if r.kind == ResourceKind::Run {
                    <Link<Route> to={Route::Runs}>{ "Runs" }</Link<Route>>
                }
                { for d.projects.iter().map(|p| html! {
                    <Link<Route> to={Route::Resource { id: p.id.clone() }}>{ p.name.clone().unwrap_or_else(|| p.id.clone()) }</Link<Route>>
                }) }
                if let Some(parent) = &d.parent {
                    <Link<Route> to={Route::Resource { id: parent.id.clone() }}>{ parent.name.clone().unwrap_or_else(|| parent.id.clone()) }</Link<Route>>
                }
            </nav>
            <div class="page-head">
                <div>
                    <p class="kind">{ words::capitalize(words::kind_noun(r.kind, 1)) }{ format!(" · {}", r.id) }</p>
                    <h1>{ name.clone() }
                        if pending.is_some() { <span class="tag pending">{ "Pending approval" }</span> }
                    </h1>
                    <p class="muted">
                        { format!("Owner: {}", r.owner_name) }{ if is_owner { " (you)" } else { "" } }
                        { format!(" · Your access: {}", words::access_label(r.access)) }
                        if let Some(f) = &r.format { { format!(" · Format: {f}") } }
                    </p>
                </div>
                <div class="actions">
                    if readable && loaded.is_some() {
                        if d.can_share {
                            <button type="button" class="primary" onclick={set_open(Open::Share)}>{ "Share" }</button>
                        } else {
                            <button type="button" onclick={set_open(Open::Share)}>{ "View collaborators" }</button>
                        }
                    }
                    if basespace && is_owner && transferable && pending.is_none() {
                        <button type="button" onclick={set_open(Open::Transfer)}>{ "Transfer ownership" }</button>
                    }
                    if pending.is_some() && is_owner {
                        <button type="button" class="danger" onclick={cancel_transfer} disabled={*busy || loaded.is_none()} aria-busy={busy.to_string()}>
                            { if *busy { "Canceling…" } else { "Cancel transfer" } }
                        </button>
                    }
                    if recipient.is_some() {
                        <Link<Route> to={Route::Transfers} classes="button primary">{ "Review invitation" }</Link<Route>>
                    }
                </div>
            </div>
            if let (Some(to), true) = (&pending_to, is_owner) {
                <p class="notice">{ format!("Waiting for {to} to accept. Nothing changes until they do.") }</p>
            }
            if let Some(n) = &*notice { <p class="notice success" role="status">{ n.clone() }</p> }
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            if !readable {
                <p class="muted">{ "You can see only the name of this resource (it is on a run you can read)." }</p>
            }
            <Contents id={r.id.clone()} contents={d.contents.clone()} reload={*reload} />
            if let Some(h) = &*holders {
                <WhoPanel holders={h.clone()} names={names} actor={AttrValue::from(me.clone())} />
            }
            { dialog }
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct ContentsProps {
    id: String,
    contents: Vec<custody_api::KindTotal>,
    reload: u32,
}

/// What a resource holds, one kind at a time, a page at a time.
#[component]
fn Contents(props: &ContentsProps) -> Html {
    let first = props.contents.first().map(|k| k.kind);
    let kind = use_state(|| first);
    let offset = use_state(|| 0u64);
    let page = use_state(|| None::<Page>);
    let error = use_state(|| None::<String>);
    let current = (*kind).or(first);
    {
        let (page, error) = (page.clone(), error.clone());
        use_effect_with(
            (props.id.clone(), current, *offset, props.reload),
            move |(id, kind, offset, _)| {
                if let Some(kind) = *kind {
                    let query = ListQuery {
                        kind: Some(kind.as_str()),
                        q: String::new(),
                        within: Some(id.clone()),
                        offset: *offset,
                        limit: PAGE,
                    };
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::resources(&query).await {
                            Ok(p) => {
                                page.set(Some(p));
                                error.set(None);
                            }
                            Err(e) => error.set(Some(e.words())),
                        }
                    });
                }
            },
        );
    }
    if props.contents.is_empty() {
        return html! {};
    }
    let tabs = props.contents.iter().map(|k| {
        let (kind, offset) = (kind.clone(), offset.clone());
        let this = k.kind;
        let onclick = Callback::from(move |_: MouseEvent| {
            kind.set(Some(this));
            offset.set(0);
        });
        let selected = current == Some(k.kind);
        html! {
            <button type="button" role="tab" aria-selected={selected.to_string()}
                class={classes!("tab", selected.then_some("selected"))} {onclick}>
                { format!("{} ({})", words::kind_title(k.kind), words::number(k.count)) }
            </button>
        }
    });
    let list = match &*page {
        Some(p) => {
            let last = p.offset + p.items.len() as u64;
            let prev = {
                let offset = offset.clone();
                let at = p.offset;
                Callback::from(move |_: MouseEvent| offset.set(at.saturating_sub(PAGE)))
            };
            let next = {
                let offset = offset.clone();
                let at = p.offset;
                Callback::from(move |_: MouseEvent| offset.set(at + PAGE))
            };
            html! {
                <>
                    <ResourceTable items={p.items.clone()} />
                    if p.total > PAGE {
                        <nav class="pager" aria-label="Pages">
                            <span>{ format!("{}–{} of {}", words::number(p.offset + 1), words::number(last), words::number(p.total)) }</span>
                            <button type="button" onclick={prev} disabled={p.offset == 0}>{ "Previous" }</button>
                            <button type="button" onclick={next} disabled={last >= p.total}>{ "Next" }</button>
                        </nav>
                    }
                </>
            }
        }
        None => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
    };
    html! {
        <section class="contents" aria-labelledby="contents-heading">
            <h2 id="contents-heading">{ "Associated data" }</h2>
            <div class="tabs" role="tablist">{ for tabs }</div>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            { list }
        </section>
    }
}
