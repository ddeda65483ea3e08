//! Live notifications: `GET /api/notifications/stream` (server-sent
//! events, event name `notification`, data a `Notification`), read with
//! the browser's EventSource, which reconnects by itself.
//!
//! The stream is closed while the page is hidden in the back/forward
//! cache (`pagehide`) and opened again when it is shown (`pageshow`).
//! Left open, every cached page keeps a connection, and after a few
//! page loads they fill the browser's six connections per server: the
//! app's own requests then wait until one closes. A page shown again
//! asks `on_resume` to refresh what it missed meanwhile.

use std::cell::RefCell;
use std::rc::Rc;

use custody_api::Notification;
use futures_util::StreamExt;
use gloo_events::EventListener;
use gloo_net::eventsource::futures::EventSource;
use yew::Callback;

/// The open stream and the listeners that close and reopen it; dropping
/// it closes the connection (and ends the task reading it).
pub struct Live {
    _source: Rc<RefCell<Option<EventSource>>>,
    _hide: Option<EventListener>,
    _show: Option<EventListener>,
}

/// Calls `on_event` for every notification of the signed-in person, and
/// `on_resume` when a page hidden in the back/forward cache is shown
/// again; `None` when the browser cannot open the stream (the badge then
/// updates on page loads only).
pub fn listen(on_event: Callback<Notification>, on_resume: Callback<()>) -> Option<Live> {
    let source = Rc::new(RefCell::new(Some(open(on_event.clone())?)));
    let window = web_sys::window();
    let hide = window.as_ref().map(|w| {
        let source = Rc::clone(&source);
        EventListener::new(w, "pagehide", move |_| {
            // Dropping the EventSource closes it.
            source.borrow_mut().take();
        })
    });
    let show = window.as_ref().map(|w| {
        let source = Rc::clone(&source);
        EventListener::new(w, "pageshow", move |_| {
            let mut slot = source.borrow_mut();
            if slot.is_none() {
                *slot = open(on_event.clone());
                on_resume.emit(());
            }
        })
    });
    Some(Live {
        _source: source,
        _hide: hide,
        _show: show,
    })
}

/// Opens the stream and reads it until it is closed.
fn open(on_event: Callback<Notification>) -> Option<EventSource> {
    let mut source = EventSource::new("/api/notifications/stream").ok()?;
    let mut events = source.subscribe("notification").ok()?;
    wasm_bindgen_futures::spawn_local(async move {
        // An error event (the connection dropped) is not the end: the
        // browser reconnects, and the stream ends only when closed.
        while let Some(item) = events.next().await {
            let Ok((_, message)) = item else { continue };
            let Some(text) = message.data().as_string() else {
                continue;
            };
            if let Ok(n) = serde_json::from_str::<Notification>(&text) {
                on_event.emit(n);
            }
        }
    });
    Some(source)
}
