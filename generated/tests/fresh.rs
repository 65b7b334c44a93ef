//! The checked-in client matches what `cargo xtask codegen` would write
//! from `specs/` today (rust-analyzer's `ensure_file_contents` pattern):
//! a spec edited without regenerating fails `cargo test`.

use std::path::Path;

#[test]
fn generated_client_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let spec = codegen::load(
        &[root.join("specs")],
        &codegen::LoadOptions { overlays: true },
    )
    .expect("specs/ load");
    let mut files = codegen::generate::client_files(&spec, root).expect("generation");
    files.push(
        codegen::generate::client_manifest(&spec, &root.join("generated"))
            .expect("generated/Cargo.toml has its API-group block"),
    );
    let stale = codegen::generate::stale(&root.join("generated"), &files);
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}; run `cargo xtask codegen` and commit the result"
    );
}
