//! One group's page: its direct members (people, service accounts and
//! nested groups) and its admins, with "Manage members" for an admin and
//! "Leave group" for a direct member, both in the members dialog (which
//! previews what saving changes before anything is sent).
//!
//! The group's context (the slice of the world to preview on) is loaded
//! when the dialog is opened, not with the page: a group shared widely
//! has a large one, and most visits only read the member list.

use crate::api;
use crate::app::Route;
use crate::components::principal_picker::hit_label;
use crate::groups::dialog::MembersDialog;
use crate::groups::loaded::GroupLoaded;
use crate::pages::groups::role_words;
use crate::session::use_session;
use crate::words;
use custody_api::{GroupDetail, PrincipalHit};
use yew::prelude::*;
use yew_router::prelude::*;

/// How many members one page of the list shows.
const PAGE: usize = 50;

#[derive(Properties, PartialEq)]
pub struct GroupProps {
    pub id: String,
}

/// What the dialog opens for.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Nothing,
    /// The context is loading.
    Opening {
        leave: bool,
    },
    Members {
        leave: bool,
    },
}

#[component]
pub fn GroupPage(props: &GroupProps) -> Html {
    let session = use_session();
    let detail = use_state(|| None::<GroupDetail>);
    let error = use_state(|| None::<String>);
    let notice = use_state(|| None::<String>);
    let loaded = use_state(|| None::<GroupLoaded>);
    let open = use_state(|| Open::Nothing);
    let reload = use_state(|| 0u32);
    // After leaving, the page may no longer be visible: say so plainly.
    let gone = use_state(|| false);
    // A group of hundreds lists its members a page at a time.
    let shown = use_state(|| PAGE);

    {
        let (detail, error, gone) = (detail.clone(), error.clone(), gone.clone());
        let on_signed_out = session.as_ref().map(|s| s.on_signed_out.clone());
        let after_save = *reload > 0;
        use_effect_with((props.id.clone(), *reload), move |(id, _)| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::group(&id).await {
                    Ok(d) => {
                        detail.set(Some(d));
                        error.set(None);
                    }
                    Err(e)
                        if after_save
                            && matches!(&e, api::ApiError::Refused { status: 404, .. }) =>
                    {
                        detail.set(None);
                        gone.set(true);
                    }
                    Err(e) => {
                        if e.signed_out()
                            && let Some(cb) = on_signed_out
                        {
                            cb.emit(());
                        }
                        error.set(Some(e.words()));
                    }
                }
            });
        });
    }

    let start = |leave: bool| {
        let (open, notice, error, loaded) =
            (open.clone(), notice.clone(), error.clone(), loaded.clone());
        let id = props.id.clone();
        Callback::from(move |_: MouseEvent| {
            notice.set(None);
            open.set(Open::Opening { leave });
            let (open, error, loaded) = (open.clone(), error.clone(), loaded.clone());
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = api::group_context(&id, &[]).await;
                match answer
                    .map_err(|e| e.words())
                    .and_then(GroupLoaded::from_context)
                {
                    Ok(l) => {
                        loaded.set(Some(l));
                        error.set(None);
                        open.set(Open::Members { leave });
                    }
                    Err(e) => {
                        error.set(Some(e));
                        open.set(Open::Nothing);
                    }
                }
            });
        })
    };
    let close = {
        let open = open.clone();
        Callback::from(move |()| open.set(Open::Nothing))
    };
    let done = {
        let (open, notice, reload, loaded) =
            (open.clone(), notice.clone(), reload.clone(), loaded.clone());
        Callback::from(move |text: String| {
            open.set(Open::Nothing);
            loaded.set(None);
            notice.set(Some(text));
            reload.set(*reload + 1);
        })
    };

    let notice_html = match &*notice {
        Some(n) => html! { <p class="notice success" role="status">{ n.clone() }</p> },
        None => html! {},
    };
    if *gone {
        return html! {
            <main class="page group-page">
                { notice_html }
                <p>{ "You can no longer see this group." }</p>
                <p><Link<Route> to={Route::Groups}>{ "Back to your groups" }</Link<Route>></p>
            </main>
        };
    }
    let Some(d) = &*detail else {
        return html! {
            <main class="page group-page">
                if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
                else { <p class="muted" aria-busy="true">{ "Loading…" }</p> }
            </main>
        };
    };
    let me = session
        .as_ref()
        .map(|s| s.me.id.clone())
        .unwrap_or_default();
    let g = &d.group;
    let name = g.name.clone().unwrap_or_else(|| g.id.clone());
    let direct_member = d.members.iter().any(|m| m.id == me);
    let opening = matches!(*open, Open::Opening { .. });
    let dialog = match (*open, &*loaded) {
        (Open::Members { leave }, Some(l)) => html! {
            <MembersDialog group={g.id.clone()} name={name.clone()} loaded={Some(l.clone())}
                {leave} on_close={close.clone()} on_saved={done.clone()} />
        },
        _ => html! {},
    };
    let label = |hit: &PrincipalHit| {
        if hit.id == me {
            format!(
                "{} (you)",
                hit.name.clone().unwrap_or_else(|| hit.id.clone())
            )
        } else {
            hit_label(hit)
        }
    };
    let more = d.members.len().saturating_sub(*shown);
    let show_more = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(*shown + PAGE))
    };
    let manage_label = if matches!(*open, Open::Opening { leave: false }) {
        "Opening…"
    } else {
        "Manage members"
    };
    let leave_label = if matches!(*open, Open::Opening { leave: true }) {
        "Opening…"
    } else {
        "Leave group"
    };
    html! {
        <main class="page group-page">
            <nav class="crumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Groups}>{ "Groups" }</Link<Route>>
            </nav>
            <div class="page-head">
                <div>
                    <p class="kind">{ format!("Group · {}", g.id) }</p>
                    <h1>{ name.clone() }</h1>
                    <p class="muted group-counts">
                        { format!(
                            "{} direct member{} · reaches {} {} · You: {}",
                            words::number(g.members),
                            if g.members == 1 { "" } else { "s" },
                            words::number(g.people),
                            if g.people == 1 { "person" } else { "people" },
                            role_words(g),
                        ) }
                    </p>
                </div>
                <div class="actions">
                    if d.can_manage {
                        <button type="button" class="primary" onclick={start(false)} disabled={opening} aria-busy={opening.to_string()}>
                            { manage_label }
                        </button>
                    }
                    if direct_member {
                        <button type="button" class="leave-group" onclick={start(true)} disabled={opening}>
                            { leave_label }
                        </button>
                    }
                </div>
            </div>
            { notice_html }
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            <section aria-labelledby="group-members">
                <h2 id="group-members">{ "Members" }</h2>
                if d.members.is_empty() {
                    <p class="muted">{ "No members yet." }</p>
                } else {
                    <ul class="member-list">
                        { for d.members.iter().take(*shown).map(|m| html! {
                            <li key={m.id.clone()} data-principal={m.id.clone()}>{ label(m) }</li>
                        }) }
                    </ul>
                    if more > 0 {
                        <button type="button" class="link more-members" onclick={show_more}>
                            { format!("Show {} more of {}", PAGE.min(more), words::number(more as u64)) }
                        </button>
                    }
                }
            </section>
            <section aria-labelledby="group-admins">
                <h2 id="group-admins">{ "Admins" }</h2>
                if d.admins.is_empty() {
                    <p class="muted">{ "No one administers this group." }</p>
                } else {
                    <ul class="admin-list">
                        { for d.admins.iter().map(|m| html! {
                            <li key={m.id.clone()} data-principal={m.id.clone()}>{ label(m) }</li>
                        }) }
                    </ul>
                }
            </section>
            { dialog }
        </main>
    }
}
