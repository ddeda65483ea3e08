//! Groups: the workgroups the signed-in person administers or belongs to
//! (directly or through a nested group), with how many direct members
//! each has, how many people it reaches (who a share with it gives access
//! to), and whether the person is an admin.

use crate::api;
use crate::app::Route;
use crate::session::use_session;
use crate::words;
use custody_api::GroupItem;
use yew::prelude::*;
use yew_router::prelude::*;

/// "Admin", "Admin, member", "Member".
pub fn role_words(item: &GroupItem) -> &'static str {
    match (item.admin, item.member) {
        (true, true) => "Admin, member",
        (true, false) => "Admin",
        (false, _) => "Member",
    }
}

#[component]
pub fn GroupsPage() -> Html {
    let session = use_session();
    let list = use_state(|| None::<Vec<GroupItem>>);
    let error = use_state(|| None::<String>);
    {
        let (list, error) = (list.clone(), error.clone());
        let on_signed_out = session.as_ref().map(|s| s.on_signed_out.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::groups().await {
                    Ok(l) => list.set(Some(l.items)),
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
    let body = match &*list {
        None if error.is_none() => {
            html! { <p class="muted" aria-busy="true">{ "Loading groups…" }</p> }
        }
        None => html! {},
        Some(items) if items.is_empty() => html! {
            <div class="empty">
                <p>{ "You are in no group yet." }</p>
                <p class="muted">{ "Groups you belong to or administer appear here." }</p>
            </div>
        },
        Some(items) => html! {
            <table class="resources groups">
                <thead>
                    <tr>
                        <th scope="col">{ "Group" }</th>
                        <th scope="col" class="num">{ "Members" }</th>
                        <th scope="col" class="num">{ "People reached" }</th>
                        <th scope="col">{ "You" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for items.iter().map(|g| html! {
                        <tr key={g.id.clone()} data-group={g.id.clone()}>
                            <td>
                                <Link<Route> to={Route::Group { id: g.id.clone() }}>
                                    { g.name.clone().unwrap_or_else(|| g.id.clone()) }
                                </Link<Route>>
                            </td>
                            <td class="num members">{ words::number(g.members) }</td>
                            <td class="num people">{ words::number(g.people) }</td>
                            <td class="role">
                                <span class={classes!("tag", g.admin.then_some("strong"))}>{ role_words(g) }</span>
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <main class="page">
            <div class="page-head"><h1>{ "Groups" }</h1></div>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            { body }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_as_words() {
        let mut g = GroupItem {
            id: "lab-a".into(),
            name: None,
            members: 3,
            people: 4,
            admin: true,
            member: true,
        };
        assert_eq!(role_words(&g), "Admin, member");
        g.member = false;
        assert_eq!(role_words(&g), "Admin");
        g.admin = false;
        g.member = true;
        assert_eq!(role_words(&g), "Member");
    }
}
