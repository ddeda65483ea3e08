//! The root: reads the deployment's configuration and the session, shows
//! sign-in or the signed-in app (header and pages), and keeps the
//! notifications badge live with server-sent events.

use crate::api;
use crate::components::header::Header;
use crate::pages::account::AccountPage;
use crate::pages::group::GroupPage;
use crate::pages::groups::GroupsPage;
use crate::pages::notifications::NotificationsPage;
use crate::pages::resource::ResourcePage;
use crate::pages::resources::ResourcesPage;
use crate::pages::sign_in::SignInPage;
use crate::pages::transfers::TransfersPage;
use crate::session::Session;
use custody_api::{Config, Me};
use custody_policy::ResourceKind;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/projects")]
    Projects,
    #[at("/runs")]
    Runs,
    #[at("/resources/:id")]
    Resource { id: String },
    #[at("/transfers")]
    Transfers,
    #[at("/groups")]
    Groups,
    #[at("/groups/:id")]
    Group { id: String },
    #[at("/account")]
    Account,
    #[at("/notifications")]
    Notifications,
    #[not_found]
    #[at("/not-found")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Redirect<Route> to={Route::Projects} /> },
        Route::Projects => html! { <ResourcesPage kind={ResourceKind::Project} /> },
        Route::Runs => html! { <ResourcesPage kind={ResourceKind::Run} /> },
        Route::Resource { id } => html! { <ResourcePage key={id.clone()} id={id.clone()} /> },
        Route::Transfers => html! { <TransfersPage /> },
        Route::Groups => html! { <GroupsPage /> },
        Route::Group { id } => html! { <GroupPage key={id.clone()} id={id.clone()} /> },
        Route::Account => html! { <AccountPage /> },
        Route::Notifications => html! { <NotificationsPage /> },
        Route::NotFound => html! {
            <main class="page"><h1>{ "Not found" }</h1><p>{ "There is nothing at this address." }</p></main>
        },
    }
}

/// Where the app stands with the server.
#[derive(Clone, PartialEq)]
enum Phase {
    Starting,
    /// The server could not be reached or answered wrongly.
    Broken(String),
    SignedOut(Config),
    SignedIn(Config, Me),
}

#[component]
pub fn App() -> Html {
    let phase = use_state(|| Phase::Starting);
    let unread = use_state(|| 0u64);
    let latest = use_state(|| None::<String>);

    {
        let phase = phase.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let config = match api::config().await {
                    Ok(c) => c,
                    Err(e) => {
                        phase.set(Phase::Broken(e.words()));
                        return;
                    }
                };
                match api::me().await {
                    Ok(me) => phase.set(Phase::SignedIn(config, me)),
                    Err(e) if e.signed_out() => phase.set(Phase::SignedOut(config)),
                    Err(e) => phase.set(Phase::Broken(e.words())),
                }
            });
        });
    }

    let refresh_unread = {
        let unread = unread.clone();
        Callback::from(move |()| {
            let unread = unread.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(list) = api::notifications().await {
                    unread.set(list.unread);
                }
            });
        })
    };

    // Signed in: the unread count, then live events.
    {
        let signed_in = matches!(&*phase, Phase::SignedIn(..));
        let latest = latest.clone();
        let refresh_unread = refresh_unread.clone();
        use_effect_with(signed_in, move |signed_in| {
            let stream = if *signed_in {
                refresh_unread.emit(());
                let on_resume = refresh_unread.clone();
                crate::live::listen(
                    Callback::from(move |n: custody_api::Notification| {
                        latest.set(Some(n.text.clone()));
                        // The count comes from the server, which knows what
                        // was read elsewhere meanwhile.
                        refresh_unread.emit(());
                    }),
                    on_resume,
                )
            } else {
                None
            };
            move || drop(stream)
        });
    }

    let on_signed_out = {
        let (phase, unread, latest) = (phase.clone(), unread.clone(), latest.clone());
        Callback::from(move |()| {
            if let Phase::SignedIn(config, _) = &*phase {
                phase.set(Phase::SignedOut(config.clone()));
            }
            // Nothing of this person's stays on screen for the next one.
            unread.set(0);
            latest.set(None);
        })
    };
    let sign_out = {
        let on_signed_out = on_signed_out.clone();
        Callback::from(move |()| {
            let on_signed_out = on_signed_out.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // Signed out locally whatever the server says: a failure
                // here means the session is gone already.
                let _ = api::sign_out().await;
                on_signed_out.emit(());
            });
        })
    };

    match &*phase {
        Phase::Starting => {
            html! { <main class="page" aria-busy="true"><p class="muted">{ "Loading Custody…" }</p></main> }
        }
        Phase::Broken(e) => html! {
            <main class="page"><h1>{ "Custody" }</h1><p class="error" role="alert">{ e.clone() }</p></main>
        },
        Phase::SignedOut(config) => {
            let phase = phase.clone();
            let config = config.clone();
            let on_signed_in =
                Callback::from(move |me: Me| phase.set(Phase::SignedIn(config.clone(), me)));
            html! { <BrowserRouter><SignInPage {on_signed_in} /></BrowserRouter> }
        }
        Phase::SignedIn(config, me) => {
            let session = Session {
                config: config.clone(),
                me: me.clone(),
                unread: *unread,
                latest: (*latest).clone(),
                on_signed_out,
                on_unread_changed: refresh_unread,
            };
            html! {
                <BrowserRouter>
                    <ContextProvider<Session> context={session.clone()}>
                        <Header session={session} on_sign_out={sign_out} />
                        <Switch<Route> render={switch} />
                    </ContextProvider<Session>>
                </BrowserRouter>
            }
        }
    }
}
