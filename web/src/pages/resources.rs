//! The Projects and Runs lists: what the signed-in person can see, paged
//! and searchable, with their access and any pending transfer.

use crate::api::{self, ListQuery};
use crate::components::resource_table::ResourceTable;
use crate::latest::use_latest;
use crate::session::use_session;
use crate::words;
use custody_api::ResourcePage;
use custody_policy::ResourceKind;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

const PAGE: u64 = 25;

#[derive(Properties, PartialEq)]
pub struct ResourcesProps {
    pub kind: ResourceKind,
}

#[component]
pub fn ResourcesPage(props: &ResourcesProps) -> Html {
    let session = use_session();
    let q = use_state(String::new);
    let offset = use_state(|| 0u64);
    let page = use_state(|| None::<ResourcePage>);
    let error = use_state(|| None::<String>);
    let loading = use_state(|| true);
    let kind = props.kind;
    // A page is asked for per keystroke; only the latest query's is shown.
    let latest = use_latest();
    {
        let (page, error, loading) = (page.clone(), error.clone(), loading.clone());
        let on_signed_out = session.as_ref().map(|s| s.on_signed_out.clone());
        use_effect_with(((*q).clone(), *offset, kind), move |(q, offset, kind)| {
            let query = ListQuery {
                kind: Some(kind.as_str()),
                q: q.clone(),
                within: None,
                offset: *offset,
                limit: PAGE,
            };
            loading.set(true);
            let ticket = latest.take();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = api::resources(&query).await;
                if !latest.is_current(ticket) {
                    return;
                }
                match answer {
                    Ok(p) => {
                        page.set(Some(p));
                        error.set(None);
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
                loading.set(false);
            });
        });
    }
    let oninput = {
        let (q, offset) = (q.clone(), offset.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                q.set(i.value());
                offset.set(0);
            }
        })
    };
    let title = words::kind_title(kind);
    let noun = words::kind_noun(kind, 2);
    let body = match &*page {
        None if error.is_none() => {
            html! { <p class="muted" aria-busy="true">{ format!("Loading {noun}…") }</p> }
        }
        None => html! {},
        Some(p) if p.items.is_empty() => {
            if q.trim().is_empty() {
                html! {
                    <div class="empty">
                        <p>{ format!("No {noun} yet.") }</p>
                        <p class="muted">{ format!("{} you own or that are shared with you appear here.", words::capitalize(noun)) }</p>
                    </div>
                }
            } else {
                html! { <div class="empty"><p>{ format!("No {noun} match “{}”.", q.trim()) }</p></div> }
            }
        }
        Some(p) => {
            let first = p.offset + 1;
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
                    <nav class="pager" aria-label="Pages">
                        <span>{ format!("{}–{} of {}", words::number(first), words::number(last), words::number(p.total)) }</span>
                        <button type="button" onclick={prev} disabled={p.offset == 0}>{ "Previous" }</button>
                        <button type="button" onclick={next} disabled={last >= p.total}>{ "Next" }</button>
                    </nav>
                </>
            }
        }
    };
    html! {
        <main class={classes!("page", loading.then_some("is-loading"))}>
            <div class="page-head">
                <h1>{ title }</h1>
                <label class="search">
                    <span class="sr-only">{ format!("Search {noun}") }</span>
                    <input type="search" placeholder={format!("Search {noun} by name or id")} value={(*q).clone()} {oninput} />
                </label>
            </div>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            { body }
        </main>
    }
}
