//! Trunk builds this binary; everything lives in the library so tests can reach it.

fn main() {
    yanglao_app::start();
}
