//! The resident bundle (`yanglao-app`): every screen a payer uses; see [`yanglao_app::bundle`].
//! Everything lives in the library so tests can reach it.

fn main() {
    yanglao_app::start_resident();
}
