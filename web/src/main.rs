//! The binary Trunk builds (`index.html` names `data-bin="custody-web"`):
//! mounts the app on the page's body.

fn main() {
    custody_web::start();
}
