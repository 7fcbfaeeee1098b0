//! The full bundle (`yanglao-full`): the resident screens plus the staff screens, applications
//! and receipt verification; see [`yanglao_app::bundle`].

fn main() {
    yanglao_app::start_full();
}
