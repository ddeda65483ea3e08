//! A dialog usable with the keyboard alone: focus moves into it on opening
//! and back to where it was on closing, Tab and Shift+Tab cycle inside it
//! (a focus trap), Escape closes it, and Enter in a field submits its form.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    /// The dialog's title, also its accessible name.
    pub title: AttrValue,
    /// Escape, the close button, or the backdrop.
    pub on_close: Callback<()>,
    /// Enter in a field, or a submit button.
    #[prop_or_default]
    pub on_submit: Callback<()>,
    /// A stable id for the title (several dialogs may share a page).
    #[prop_or(AttrValue::Static("dialog-title"))]
    pub title_id: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub children: Html,
}

/// What can take focus inside the dialog, in document order.
const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

fn focusables(root: &Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect()
}

fn active_element() -> Option<Element> {
    web_sys::window()?.document()?.active_element()
}

/// Handles Tab at the edges (wrap around) and Escape (close).
pub fn trap_key(root: &Element, event: &KeyboardEvent, on_close: &Callback<()>) {
    match event.key().as_str() {
        "Escape" => {
            event.prevent_default();
            event.stop_propagation();
            on_close.emit(());
        }
        "Tab" => {
            let items = focusables(root);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                event.prevent_default();
                return;
            };
            let active = active_element();
            let at = |el: &HtmlElement| active.as_ref() == Some(el.unchecked_ref::<Element>());
            let inside = active.as_ref().is_some_and(|a| root.contains(Some(a)));
            if event.shift_key() && (at(first) || !inside) {
                event.prevent_default();
                let _ = last.focus();
            } else if !event.shift_key() && (at(last) || !inside) {
                event.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    }
}

#[component]
pub fn Modal(props: &ModalProps) -> Html {
    let node = use_node_ref();
    // On opening: remember the focus and move it into the dialog (the
    // first field, else the first button); on closing: give it back.
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            let before = active_element();
            if let Some(root) = node.cast::<Element>() {
                let target = root
                    .query_selector("[autofocus], input:not([disabled]), select, textarea")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok())
                    .or_else(|| focusables(&root).into_iter().next());
                if let Some(t) = target {
                    let _ = t.focus();
                }
            }
            move || {
                if let Some(el) = before.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            }
        });
    }
    let onkeydown = {
        let node = node.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if let Some(root) = node.cast::<Element>() {
                trap_key(&root, &e, &on_close);
            }
        })
    };
    let onsubmit = {
        let on_submit = props.on_submit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_submit.emit(());
        })
    };
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let backdrop = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: MouseEvent| {
            // Only a click on the backdrop itself, not one inside the dialog.
            if e.target() == e.current_target() {
                on_close.emit(());
            }
        })
    };
    html! {
        <div class="backdrop" onclick={backdrop}>
            <div class={classes!("dialog", props.class.clone())} role="dialog" aria-modal="true"
                 aria-labelledby={props.title_id.clone()} ref={node} {onkeydown}>
                <form class="dialog-form" {onsubmit} novalidate=true>
                    <header class="dialog-head">
                        <h2 id={props.title_id.clone()}>{ props.title.clone() }</h2>
                        <button type="button" class="icon-button" aria-label="Close" onclick={close}>{ "×" }</button>
                    </header>
                    { props.children.clone() }
                </form>
            </div>
        </div>
    }
}
