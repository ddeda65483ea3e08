//! Live notifications: `GET /api/notifications/stream` (server-sent
//! events, event name `notification`, data a `Notification`), read with
//! the browser's EventSource, which reconnects by itself.

use custody_api::Notification;
use futures_util::StreamExt;
use gloo_net::eventsource::futures::EventSource;
use yew::Callback;

/// The open stream; dropping it closes the connection (and ends the
/// task reading it).
pub struct Live(#[allow(dead_code)] EventSource);

/// Calls `on_event` for every notification of the signed-in person;
/// `None` when the browser cannot open the stream (the badge then updates
/// on page loads only).
pub fn listen(on_event: Callback<Notification>) -> Option<Live> {
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
    Some(Live(source))
}
