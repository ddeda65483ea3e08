//! Component tests in headless Chromium (wasm-bindgen-test): the dialogs
//! render the preview rows of a share, of a transfer and of a group
//! member added through the type-ahead, and work with the keyboard alone
//! (focus moves in, Tab wraps around, Escape closes).
//!
//! `cargo test --target wasm32-unknown-unknown -p custody-web` with
//! CHROMEDRIVER set (see .cargo/config.toml); `cargo xtask test` runs it.
#![cfg(target_arch = "wasm32")]
// Test helpers: a failed setup fails the test.
#![allow(clippy::unwrap_used)]

use custody_api::AccessContext;
use custody_policy::{Action, Engine, World};
use custody_web::components::modal::Modal;
use custody_web::components::preview_panel::PreviewPanel;
use custody_web::groups::dialog::MembersDialog;
use custody_web::groups::loaded::GroupLoaded;
use custody_web::loaded::Loaded;
use custody_web::preview::{self, EngineRef, Setting};
use custody_web::share::dialog::ShareDialog;
use custody_web::words::Names;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlSelectElement, KeyboardEvent, KeyboardEventInit};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const WORLD: &str = r#"{"profile":"basespace","principals":[
    {"id":"alice","kind":"user","name":"Alice Moreau","email":"alice@lab.example"},
    {"id":"bob","kind":"user","name":"Bob Okafor","email":"bob@core.example"},
    {"id":"carol","kind":"user","name":"Carol Diaz","email":"carol@lab.example"},
    {"id":"erin","kind":"user","name":"Erin Novak","email":"erin@lab.example"},
    {"id":"genomics","kind":"group","name":"genomics","members":["carol","erin"]}],
  "resources":[
    {"id":"P1","kind":"project","owner":"alice","name":"Tumor WGS"},
    {"id":"R1","kind":"run","owner":"alice","projects":["P1"],"biosamples":["B1"],"name":"Run one"},
    {"id":"B1","kind":"biosample","owner":"alice","projects":["P1"],"name":"Sample one"},
    {"id":"F1","kind":"file","owner":"alice","parent":"R1","format":"fastq"},
    {"id":"F2","kind":"file","owner":"alice","parent":"R1","format":"bcl"}],
  "grants":[{"resource":"P1","principal":"genomics","access":"read"}]}"#;

fn world() -> World {
    serde_json::from_str(WORLD).unwrap()
}

fn loaded() -> Loaded {
    Loaded::new(AccessContext {
        resource: "P1".into(),
        actor: "alice".into(),
        world: world(),
        version: "v1".into(),
        can_share: true,
    })
    .unwrap()
}

/// A fresh element to render into.
fn root() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(30)).await;
}

fn texts(root: &Element, css: &str) -> Vec<String> {
    let list = root.query_selector_all(css).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

fn press(target: &Element, key: &str, shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn active() -> Option<Element> {
    web_sys::window()?.document()?.active_element()
}

#[derive(Properties, PartialEq)]
struct ShareHost {
    on_close: Callback<()>,
}

#[component]
fn ShareHostApp(props: &ShareHost) -> Html {
    html! {
        <ShareDialog resource="P1" name="Tumor WGS" loaded={Some(loaded())}
            on_close={props.on_close.clone()} on_saved={Callback::noop()} />
    }
}

#[wasm_bindgen_test]
async fn the_share_dialog_previews_an_edit_and_escape_closes_it() {
    let root = root();
    let closed = Rc::new(Cell::new(false));
    let flag = closed.clone();
    let on_close = Callback::from(move |()| flag.set(true));
    yew::Renderer::<ShareHostApp>::with_root_and_props(root.clone(), ShareHost { on_close })
        .render();
    settle().await;
    // The owner first, then the group's share.
    let names = texts(&root, ".entry-name");
    assert!(names[0].starts_with("Alice Moreau (you)"), "{names:?}");
    assert!(
        names[1].starts_with("genomics (group, 2 members)"),
        "{names:?}"
    );
    assert!(texts(&root, ".preview-note")[0].contains("Make a change"));
    // Raise the group to write: the preview is computed locally, at once.
    let select: HtmlSelectElement = root
        .query_selector(".entry[data-principal='genomics'] select")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    select.set_value("write");
    select
        .dispatch_event(
            &web_sys::Event::new_with_event_init_dict("change", &{
                let init = web_sys::EventInit::new();
                init.set_bubbles(true);
                init
            })
            .unwrap(),
        )
        .unwrap();
    settle().await;
    assert_eq!(
        texts(&root, ".preview-row .sentence"),
        ["Carol Diaz and Erin Novak go from read to write on 1 project"]
    );
    assert_eq!(texts(&root, ".preview-count"), ["2 people"]);
    let save = root.query_selector("button[type=submit]").unwrap().unwrap();
    assert!(!save.has_attribute("disabled"));
    // Focus went into the dialog; Escape closes it.
    let dialog = root.query_selector("[role=dialog]").unwrap().unwrap();
    assert!(dialog.contains(active().as_ref().map(|e| e.unchecked_ref())));
    press(&dialog, "Escape", false);
    assert!(closed.get());
}

#[derive(Properties, PartialEq)]
struct PanelHost {
    action: Action,
    heading: AttrValue,
}

#[component]
fn PanelHostApp(props: &PanelHost) -> Html {
    let engine = use_memo((), |_| Rc::new(Engine::new(world()).unwrap()));
    let model = preview::compute(
        &engine,
        &custody_web::words::Names::of(engine.world()),
        &props.action,
        &Setting {
            actor: "alice".into(),
            sender: None,
        },
    );
    html! {
        <PreviewPanel heading={props.heading.clone()} model={Some(model)}
            engine={Some(EngineRef((*engine).clone()))} action={Some(props.action.clone())}
            names={Rc::new(Names::of(&world()))} actor="alice" />
    }
}

#[wasm_bindgen_test]
async fn the_transfer_preview_says_what_acceptance_changes() {
    let root = root();
    let action = Action::RequestTransfer {
        actor: "alice".into(),
        resource: "R1".into(),
        to: "bob@core.example".into(),
        message: None,
    };
    yew::Renderer::<PanelHostApp>::with_root_and_props(
        root.clone(),
        PanelHost {
            action,
            heading: "When bob@core.example accepts".into(),
        },
    )
    .render();
    settle().await;
    assert_eq!(texts(&root, "h3"), ["When bob@core.example accepts"]);
    let rows = texts(&root, ".preview-row .sentence");
    assert_eq!(
        rows[0], "You lose ownership of 1 run and 1 file",
        "{rows:?}"
    );
    assert!(
        rows.contains(&"Bob Okafor becomes the owner of 1 run and 1 file".to_string()),
        "{rows:?}"
    );
    let warnings = texts(&root, ".warning");
    assert!(warnings.contains(&"Nothing changes until bob@core.example accepts.".to_string()));
    assert!(
        warnings.contains(&"FASTQ files stay with you: 1 file is not transferred.".to_string())
    );
    // Details list the resources of a row, on demand.
    let details = root
        .query_selector(".preview-row .details-button")
        .unwrap()
        .unwrap();
    details.unchecked_ref::<HtmlElement>().click();
    settle().await;
    assert!(!texts(&root, ".resource-list li").is_empty());
}

#[derive(Properties, PartialEq)]
struct ModalHost {
    on_close: Callback<()>,
    on_submit: Callback<()>,
}

#[component]
fn ModalHostApp(props: &ModalHost) -> Html {
    html! {
        <Modal title="Keyboard" on_close={props.on_close.clone()} on_submit={props.on_submit.clone()}>
            <input type="text" id="first-field" />
            <button type="button" id="middle">{ "Middle" }</button>
            <button type="submit" id="last">{ "Save" }</button>
        </Modal>
    }
}

#[wasm_bindgen_test]
async fn the_modal_traps_focus_and_closes_on_escape() {
    let root = root();
    let closed = Rc::new(Cell::new(0));
    let submitted = Rc::new(Cell::new(0));
    let (c, s) = (closed.clone(), submitted.clone());
    yew::Renderer::<ModalHostApp>::with_root_and_props(
        root.clone(),
        ModalHost {
            on_close: Callback::from(move |()| c.set(c.get() + 1)),
            on_submit: Callback::from(move |()| s.set(s.get() + 1)),
        },
    )
    .render();
    settle().await;
    let by_id = |id: &str| root.query_selector(&format!("#{id}")).unwrap().unwrap();
    // Focus moved to the first field.
    assert_eq!(active().map(|e| e.id()), Some("first-field".to_string()));
    // Tab on the last control wraps to the first (the close button).
    let last: HtmlElement = by_id("last").dyn_into().unwrap();
    last.focus().unwrap();
    press(&last, "Tab", false);
    assert_eq!(
        active().and_then(|e| e.get_attribute("aria-label")),
        Some("Close".to_string())
    );
    // Shift+Tab on the first wraps to the last.
    press(&active().unwrap(), "Tab", true);
    assert_eq!(active().map(|e| e.id()), Some("last".to_string()));
    // The submit button submits through the form (as Enter in a field does).
    last.click();
    settle().await;
    assert_eq!(submitted.get(), 1);
    // Escape closes.
    press(&by_id("middle"), "Escape", false);
    assert_eq!(closed.get(), 1);
}

/// Genomics (administered by Alice) holds Carol and reads Tumor WGS;
/// Erin is outside it.
const GROUP_WORLD: &str = r#"{"profile":"basespace","principals":[
    {"id":"alice","kind":"user","name":"Alice Moreau","email":"alice@lab.example"},
    {"id":"carol","kind":"user","name":"Carol Diaz","email":"carol@lab.example"},
    {"id":"erin","kind":"user","name":"Erin Novak","email":"erin@lab.example"},
    {"id":"genomics","kind":"group","name":"genomics","members":["carol"],"admins":["alice"]}],
  "resources":[
    {"id":"P1","kind":"project","owner":"alice","name":"Tumor WGS"},
    {"id":"R1","kind":"run","owner":"alice","projects":["P1"],"biosamples":["B1"],"name":"Run one"},
    {"id":"B1","kind":"biosample","owner":"alice","projects":["P1"],"name":"Sample one"},
    {"id":"F1","kind":"file","owner":"alice","parent":"R1","format":"fastq"}],
  "grants":[{"resource":"P1","principal":"genomics","access":"read"}]}"#;

#[component]
fn MembersHostApp() -> Html {
    let loaded = GroupLoaded::new(
        "genomics".into(),
        "alice".into(),
        serde_json::from_str(GROUP_WORLD).unwrap(),
        "v1".into(),
        true,
    )
    .unwrap();
    html! {
        <MembersDialog group="genomics" name="genomics" loaded={Some(loaded)}
            on_close={Callback::noop()} on_saved={Callback::noop()} />
    }
}

/// Answers the type-ahead's `GET /api/principals` in the page itself (the
/// test runner serves no API), and hands every other request to the real
/// `fetch`. Returns the real one, to put back.
fn fake_principals(hits: &str) -> wasm_bindgen::JsValue {
    let window = web_sys::window().unwrap();
    let real = js_sys::Reflect::get(&window, &"fetch".into()).unwrap();
    let fake = js_sys::Function::new_with_args(
        "input, init",
        &format!(
            "const url = typeof input === 'string' ? input : input.url;\
             if (url.includes('/api/principals')) {{\
               return Promise.resolve(new Response({hits:?}, {{status: 200, headers: {{'content-type': 'application/json'}}}}));\
             }}\
             return window.__realFetch(input, init);"
        ),
    );
    js_sys::Reflect::set(&window, &"__realFetch".into(), &real).unwrap();
    js_sys::Reflect::set(&window, &"fetch".into(), &fake).unwrap();
    real
}

fn bubbling(name: &str) -> web_sys::Event {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    web_sys::Event::new_with_event_init_dict(name, &init).unwrap()
}

/// Waits (up to three seconds) for something to match `css`.
async fn wait_for(root: &Element, css: &str) -> Result<Element, String> {
    for _ in 0..100 {
        if let Some(el) = root.query_selector(css).unwrap() {
            return Ok(el);
        }
        settle().await;
    }
    Err(format!("nothing matches `{css}`"))
}

#[wasm_bindgen_test]
async fn the_members_dialog_previews_a_member_added_through_the_type_ahead() {
    let real = fake_principals(
        r#"[{"id":"erin","kind":"user","name":"Erin Novak","email":"erin@lab.example"}]"#,
    );
    let root = root();
    yew::Renderer::<MembersHostApp>::with_root(root.clone()).render();
    settle().await;
    assert_eq!(texts(&root, "h2"), ["Members of “genomics”"]);
    assert_eq!(texts(&root, ".entry-name"), ["Carol Diaz"]);
    assert!(texts(&root, ".admins-line")[0].contains("Alice Moreau (you)"));
    assert!(texts(&root, ".preview-note")[0].contains("Add or remove a member"));
    // Type a name in the type-ahead and pick the suggestion.
    let input: web_sys::HtmlInputElement = root
        .query_selector(".picker-input")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    input.set_value("Erin");
    input.dispatch_event(&bubbling("input")).unwrap();
    let option = wait_for(&root, ".picker-option[data-id='erin']")
        .await
        .unwrap();
    assert_eq!(
        option.text_content().unwrap_or_default(),
        "Erin Novak · erin@lab.example"
    );
    option.dispatch_event(&bubbling("mousedown")).unwrap();
    settle().await;
    js_sys::Reflect::set(&web_sys::window().unwrap(), &"fetch".into(), &real).unwrap();
    // Erin is listed first, as new, and the preview (computed here, on the
    // loaded context) is in the share dialog's rows.
    assert_eq!(texts(&root, ".entry-name"), ["Erin Novaknew", "Carol Diaz"]);
    assert_eq!(
        texts(&root, ".preview-row .sentence"),
        ["Erin Novak gains read on 1 project, 1 run, 1 biosample and 1 file"]
    );
    assert_eq!(texts(&root, ".preview-row .mark"), ["+"]);
    assert_eq!(texts(&root, ".preview-count"), ["1 person"]);
    let why = root
        .query_selector(".preview-row .why-button")
        .unwrap()
        .unwrap();
    why.unchecked_ref::<HtmlElement>().click();
    settle().await;
    let reasons = texts(&root, ".why dd");
    assert_eq!(reasons[0], "no access");
    assert!(reasons[1].contains("through group genomics"), "{reasons:?}");
    let save = root.query_selector("button[type=submit]").unwrap().unwrap();
    assert!(!save.has_attribute("disabled"));
    // Removing Carol as well: her loss comes before Erin's gain.
    let remove = root
        .query_selector(".entry[data-principal='carol'] .remove")
        .unwrap()
        .unwrap();
    remove.unchecked_ref::<HtmlElement>().click();
    settle().await;
    assert_eq!(
        texts(&root, ".preview-row .sentence"),
        [
            "Carol Diaz loses read on 1 project, 1 run, 1 biosample and 1 file",
            "Erin Novak gains read on 1 project, 1 run, 1 biosample and 1 file"
        ]
    );
}
