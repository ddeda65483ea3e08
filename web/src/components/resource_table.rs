//! A table of resources: name (a link), kind, owner, the viewer's access,
//! and Pending approval when a transfer waits.

use crate::app::Route;
use crate::words;
use custody_api::ResourceItem;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ResourceTableProps {
    pub items: Vec<ResourceItem>,
    /// Show the kind column (mixed lists).
    #[prop_or_default]
    pub show_kind: bool,
}

#[component]
pub fn ResourceTable(props: &ResourceTableProps) -> Html {
    html! {
        <table class="resources">
            <thead>
                <tr>
                    <th scope="col">{ "Name" }</th>
                    if props.show_kind { <th scope="col">{ "Kind" }</th> }
                    <th scope="col">{ "Owner" }</th>
                    <th scope="col">{ "Your access" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.items.iter().map(|item| html! {
                    <tr key={item.id.clone()} data-id={item.id.clone()}>
                        <td>
                            <Link<Route> to={Route::Resource { id: item.id.clone() }}>
                                { item.name.clone().unwrap_or_else(|| item.id.clone()) }
                            </Link<Route>>
                            if item.pending_transfer.is_some() { <span class="tag pending">{ "Pending approval" }</span> }
                        </td>
                        if props.show_kind { <td>{ words::capitalize(words::kind_noun(item.kind, 1)) }</td> }
                        <td>{ item.owner_name.clone() }</td>
                        <td>{ words::access_label(item.access) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
