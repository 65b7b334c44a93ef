//! Embeds the hand-written runtime of `ottu-client` (`generated/src/lib.rs`
//! and every file under `generated/src/runtime/`) for standalone crates
//! (`codegen::generate::crate_files`), listed from the directory itself, so
//! a runtime file added later is copied without anyone listing it. Cargo
//! reruns this when anything in that directory changes (a file added,
//! removed or edited).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let src = manifest.join("../generated/src");
    let runtime = src.join("runtime");
    println!("cargo:rerun-if-changed={}", src.join("lib.rs").display());
    println!("cargo:rerun-if-changed={}", runtime.display());

    let mut files = vec![(String::from("src/lib.rs"), src.join("lib.rs"))];
    collect(&runtime, "src/runtime", &mut files);
    files.sort();

    let mut out = String::from(
        "/// The hand-written crate root and runtime, copied into standalone crates:\n\
         /// `(path in the crate, text)`, from `generated/src/` by `build.rs`.\n\
         pub(crate) const RUNTIME: &[(&str, &str)] = &[\n",
    );
    for (rel, path) in &files {
        let path = path
            .canonicalize()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write to a String");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("runtime.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

/// Every `.rs` file under `dir` (sub-modules included), as `(rel/name.rs, path)`.
fn collect(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            collect(&path, &format!("{rel}/{name}"), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((format!("{rel}/{name}"), path));
        }
    }
}
