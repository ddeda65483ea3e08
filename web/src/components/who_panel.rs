//! "Who has access": every person who can reach a resource, their access
//! and the reason in words (owner; shared directly; through group
//! genomics; through project Tumor WGS; names seen on run R1; data owner
//! role), a page at a time.

use crate::words::{self, Names};
use custody_policy::Holder;
use std::rc::Rc;
use yew::prelude::*;

const PAGE: usize = 25;

#[derive(Properties, PartialEq)]
pub struct WhoPanelProps {
    pub holders: Vec<Holder>,
    pub names: Rc<Names>,
    pub actor: AttrValue,
}

#[component]
pub fn WhoPanel(props: &WhoPanelProps) -> Html {
    let shown = use_state(|| PAGE);
    let mut holders: Vec<(String, &Holder)> = props
        .holders
        .iter()
        .map(|h| (props.names.person(&h.principal), h))
        .collect();
    // The owner first, then by access, then by name.
    holders.sort_by(|a, b| b.1.access.level.cmp(&a.1.access.level).then(a.0.cmp(&b.0)));
    let total = holders.len();
    let more = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(*shown + PAGE))
    };
    html! {
        <section class="who" aria-labelledby="who-heading">
            <h2 id="who-heading">{ format!("Who has access ({})", words::number(total as u64)) }</h2>
            <table class="who-table">
                <thead><tr><th scope="col">{ "Person" }</th><th scope="col">{ "Access" }</th><th scope="col">{ "Why" }</th></tr></thead>
                <tbody>
                    { for holders.iter().take(*shown).map(|(name, h)| {
                        let you = h.principal == props.actor.as_str();
                        html! {
                            <tr key={h.principal.clone()} data-principal={h.principal.clone()}>
                                <td>{ name.clone() }{ if you { " (you)" } else { "" } }</td>
                                <td>{ words::access_label(h.access) }</td>
                                <td class="muted">{ words::reasons_words(&h.why, &h.principal, &props.names) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if total > *shown {
                <button type="button" class="link" onclick={more}>
                    { format!("Show {} more of {}", PAGE.min(total - *shown), words::number((total - *shown) as u64)) }
                </button>
            }
        </section>
    }
}
