//! How long an edit took to show its preview, written on the preview
//! panel as `data-preview-ms` after the render that shows it (the
//! end-to-end tests read it; the share and members dialogs both keep it).

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::Element;
use yew::prelude::*;

use crate::api;

/// When the last edit happened; an edit sets it with `api::now_ms()`.
pub type EditStarted = Rc<RefCell<Option<f64>>>;

/// Watches `panel`: after each render in which a preview is `ready`
/// following an edit, writes the time from that edit on the panel.
#[hook]
pub fn use_preview_clock(panel: NodeRef, ready: bool) -> EditStarted {
    let started = use_mut_ref(|| None::<f64>);
    {
        let started = started.clone();
        use_effect(move || {
            if ready && let Some(t0) = started.borrow_mut().take() {
                let ms = api::now_ms() - t0;
                if let Some(el) = panel.cast::<Element>() {
                    // Tenths of a millisecond by integer arithmetic: float
                    // formatting would add kilobytes of code to the app.
                    let tenths = (ms * 10.0).round().max(0.0) as u64;
                    let text = format!("{}.{}", tenths / 10, tenths % 10);
                    let _ = el.set_attribute("data-preview-ms", &text);
                }
            }
        });
    }
    started
}
