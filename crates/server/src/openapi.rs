//! `/api/openapi.json`, generated from the handlers' annotations and the
//! custody-api types.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Custody",
        description = "Share sequencing data and hand over its ownership, with a preview of who gains and who loses access."
    ),
    paths(
        crate::config,
        crate::auth::sign_in,
        crate::auth::sign_out,
        crate::auth::me,
        crate::resources::list,
        crate::resources::detail,
        crate::resources::who_has_access,
        crate::resources::context,
        crate::principals::search,
        crate::groups::list,
        crate::groups::detail,
        crate::groups::context,
        crate::actions::post_action,
        crate::transfers::list,
        crate::notifications::list,
        crate::notifications::mark_read,
        crate::notifications::stream,
    ),
    components(schemas(
        custody_api::ErrorBody,
        custody_api::Config,
        custody_api::SignIn,
        custody_api::Me,
        custody_api::PrincipalHit,
        custody_api::ResourceItem,
        custody_api::ResourcePage,
        custody_api::KindTotal,
        custody_api::ResourceDetail,
        custody_api::WhoHasAccess,
        custody_api::AccessContext,
        custody_api::ActionRequest,
        custody_api::ActionApplied,
        custody_api::StalePreview,
        custody_api::GroupItem,
        custody_api::GroupList,
        custody_api::GroupDetail,
        custody_api::GroupContext,
        custody_api::StaleGroupPreview,
        crate::actions::StaleAnswer,
        custody_api::TransferItem,
        custody_api::TransferList,
        custody_api::Notification,
        custody_api::NotificationKind,
        custody_api::NotificationList,
        custody_api::MarkRead,
    ))
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
