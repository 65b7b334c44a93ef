//! Generation: snapshots of small fixture specs (one per construct family),
//! the whole-API fixtures in both dialects, determinism, credentials never
//! emitted, and all-or-nothing writes.
//!
//! Snapshots live in `codegen/tests/snapshots/<fixture>/`; after an
//! intended change to the generator, rewrite them with
//! `UPDATE_SNAPSHOTS=1 cargo test -p codegen --test generate` and review the diff.

use std::fs;
use std::path::{Path, PathBuf};

use codegen::emit::File;
use codegen::generate::{client_files, crate_files, stale, write_atomically};
use codegen::{LoadOptions, load};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn generate(inputs: &[PathBuf]) -> Vec<File> {
    let spec = load(inputs, &LoadOptions { overlays: true }).expect("fixture loads");
    client_files(&spec, &root()).expect("generation")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codegen-test-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

#[test]
fn snapshots() {
    let fixtures = root().join("codegen/tests/fixtures/codegen");
    let mut names: Vec<PathBuf> = fs::read_dir(&fixtures)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut stale_files = Vec::new();
    for fixture in names
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
    {
        let stem = fixture.file_stem().and_then(|s| s.to_str()).expect("name");
        let dir = root().join("codegen/tests/snapshots").join(stem);
        let files = generate(std::slice::from_ref(fixture));
        if update {
            write_atomically(&dir, &files).expect("write snapshots");
        }
        stale_files.extend(
            stale(&dir, &files)
                .into_iter()
                .map(|f| format!("{stem}/{f}")),
        );
    }
    assert!(
        stale_files.is_empty(),
        "snapshots differ: {stale_files:?}; if intended, run `UPDATE_SNAPSHOTS=1 cargo test -p codegen --test generate`"
    );
}

#[test]
fn output_is_deterministic() {
    let specs = [root().join("specs")];
    assert_eq!(generate(&specs), generate(&specs));
}

#[test]
fn credentials_are_never_arguments_or_emitted() {
    let files = generate(&[root().join("codegen/tests/fixtures/codegen/constructs.yaml")]);
    for f in &files {
        assert!(
            !f.text.contains("sk_live_DO_NOT_EMIT"),
            "{} emits a credential default",
            f.path
        );
        assert!(
            !f.text.contains("authorization:"),
            "{} takes the Authorization header as an argument",
            f.path
        );
    }
}

fn body(files: &[File], path: &str) -> String {
    // Without the header line, which names the input file.
    let f = files.iter().find(|f| f.path == path).expect(path);
    f.text
        .split_once('\n')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

#[test]
fn whole_api_in_both_dialects_gives_the_same_client() {
    let dir = root().join("codegen/tests/fixtures/whole-api");
    let v31 = generate(&[dir.join("ottu-api-3.1.1.json")]);
    let v30 = generate(&[dir.join("ottu-api-3.0.3.yaml")]);
    for path in ["src/types.rs", "src/operations.rs"] {
        assert_eq!(
            body(&v31, path),
            body(&v30, path),
            "{path} differs between 3.1.1 and 3.0.3"
        );
    }
    let ops = body(&v31, "src/operations.rs");
    // Each operation is a method returning its request.
    let methods = ops.matches("<'a>(").count();
    assert!(methods >= 26, "only {methods} operations");
    for m in [
        "get_user_cards",
        "delete_user_cards",
        "apple_direct_payment",
        "google_direct_payment",
        "auto_debit",
    ] {
        assert!(ops.contains(&format!("pub fn {m}<'a>(")), "{m} missing");
    }
}

#[test]
fn specs_operations_have_the_documented_signatures() {
    let files = generate(&[root().join("specs")]);
    let ops = body(&files, "src/operations.rs");
    assert!(
        ops.contains("-> Result<Vec<types::Card>, crate::Error<GetUserCardsError>>"),
        "get_user_cards returns a list"
    );
    assert!(
        ops.contains("-> Result<(), crate::Error<DeleteUserCardsError>>"),
        "delete returns ()"
    );
    for variant in [
        "BadRequest(types::UserCardsErrors)",
        "Unauthorized(types::GenericErrorMessage)",
        "UnsupportedMediaType(",
    ] {
        assert!(ops.contains(variant), "{variant}");
    }
}

#[test]
fn writes_are_all_or_nothing() {
    let dir = temp_dir("atomic");
    let files = vec![
        File {
            path: "src/a.rs".into(),
            text: "new a".into(),
        },
        File {
            path: "src/b.rs".into(),
            text: "new b".into(),
        },
    ];
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::write(dir.join("src/a.rs"), "old a").unwrap();
    // b.rs cannot be replaced: a directory stands in its way.
    fs::create_dir_all(dir.join("src/b.rs")).unwrap();
    let err = write_atomically(&dir, &files).unwrap_err();
    assert!(err.to_string().contains("b.rs"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.join("src/a.rs")).unwrap(),
        "old a",
        "a.rs was replaced although b.rs failed"
    );
    let leftovers: Vec<_> = fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name().to_string_lossy().starts_with(&format!(
                ".{}.codegen-",
                dir.file_name().unwrap().to_string_lossy()
            ))
        })
        .collect();
    assert!(leftovers.is_empty(), "staging directory left behind");

    fs::remove_dir_all(dir.join("src/b.rs")).unwrap();
    write_atomically(&dir, &files).unwrap();
    assert_eq!(fs::read_to_string(dir.join("src/a.rs")).unwrap(), "new a");
    assert_eq!(fs::read_to_string(dir.join("src/b.rs")).unwrap(), "new b");
    assert!(stale(&dir, &files).is_empty());
    let _ = fs::remove_dir_all(&dir);
}

/// `cargo clippy -D warnings` on standalone crates generated from the
/// snapshot fixtures, the whole-API fixtures (3.0.3, 3.1.1 and the largest
/// published size) and Ottu's whole API with and without overlays. Slow the first time
/// (builds reqwest and rustls), so opt-in:
/// `cargo test -p codegen --test generate -- --ignored`.
#[test]
#[ignore = "builds the generated crates with cargo (minutes on a cold target dir)"]
fn generated_crates_build_without_warnings() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    // (name, input, overlays): Ottu's specs as published too, without the
    // overlay that makes their 400 union decidable.
    let mut inputs: Vec<(String, PathBuf, bool)> = vec![
        (
            "whole-api-311".into(),
            root().join("codegen/tests/fixtures/whole-api/ottu-api-3.1.1.json"),
            true,
        ),
        (
            "whole-api-303".into(),
            root().join("codegen/tests/fixtures/whole-api/ottu-api-3.0.3.yaml"),
            true,
        ),
        ("specs-as-published".into(), root().join("specs"), false),
        // Ottu's whole API alone, as published (no overlays: Authorization
        // header parameters, ambiguous unions, a `$ref` with a space), and
        // with every overlay as `specs/` composes it (ottu-client's input).
        (
            "ottu-api-as-published".into(),
            root().join("specs/Ottu_API.yaml"),
            false,
        ),
        ("specs-with-overlays".into(), root().join("specs"), true),
        // The largest published size: 51 paths, 53 operations, 228 schemas.
        (
            "whole-api-largest".into(),
            root().join("codegen/tests/fixtures/whole-api/ottu-api-largest.json"),
            false,
        ),
    ];
    for e in fs::read_dir(root().join("codegen/tests/fixtures/codegen")).unwrap() {
        let p = e.unwrap().path();
        inputs.push((
            p.file_stem().unwrap().to_string_lossy().into_owned(),
            p,
            true,
        ));
    }
    for (name, input, overlays) in inputs {
        let spec = load(&[input], &LoadOptions { overlays }).unwrap();
        let files = crate_files(&spec, &root(), &format!("gen-{name}")).unwrap();
        let dir = temp_dir(&name);
        write_atomically(&dir, &files).unwrap();
        let out = std::process::Command::new(env!("CARGO"))
            .args(["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", target.join("generated-crates"))
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = fs::remove_dir_all(&dir);
    }
}

#[test]
fn generated_files_no_longer_written_are_stale_and_removed() {
    let dir = temp_dir("orphans");
    let files = vec![File {
        path: "src/types.rs".into(),
        text: "// @generated by test -- do not edit\n".into(),
    }];
    fs::create_dir_all(dir.join("src/runtime")).unwrap();
    fs::write(
        dir.join("src/old.rs"),
        "// @generated by `cargo xtask codegen` from old.yaml -- do not edit\n",
    )
    .unwrap();
    fs::write(dir.join("src/runtime/hand.rs"), "//! hand-written\n").unwrap();
    // Another tool's generated file is not ours to remove.
    fs::write(dir.join("src/proto.rs"), "// @generated by prost\n").unwrap();
    let s = stale(&dir, &files);
    assert!(s.contains(&"src/types.rs".to_string()), "{s:?}");
    assert!(
        s.contains(&"src/old.rs (no longer generated)".to_string()),
        "{s:?}"
    );
    assert_eq!(s.len(), 2, "hand-written files are not stale: {s:?}");
    write_atomically(&dir, &files).unwrap();
    assert!(stale(&dir, &files).is_empty());
    assert!(!dir.join("src/old.rs").exists());
    assert!(dir.join("src/runtime/hand.rs").exists());
    assert!(dir.join("src/proto.rs").exists());
    let _ = fs::remove_dir_all(&dir);
}

/// Every `.rs` file under `dir`, as `prefix/relative/path.rs`.
fn rust_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for e in fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            rust_files(&path, &format!("{prefix}/{name}"), out);
        } else if name.ends_with(".rs") {
            out.push(format!("{prefix}/{name}"));
        }
    }
}

#[test]
fn standalone_crates_embed_every_runtime_file_on_disk_as_it_is() {
    let src = root().join("generated/src");
    let mut on_disk = vec!["src/lib.rs".to_string()];
    rust_files(&src.join("runtime"), "src/runtime", &mut on_disk);
    on_disk.sort();
    let mut embedded: Vec<String> = codegen::generate::runtime_paths()
        .into_iter()
        .map(str::to_string)
        .collect();
    embedded.sort();
    assert_eq!(embedded, on_disk);

    // Every module the runtime declares is a file that is embedded.
    let tree = fs::read_to_string(src.join("runtime/mod.rs")).unwrap();
    let declared: Vec<&str> = tree
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("pub mod ")
                .or_else(|| l.trim().strip_prefix("mod "))
        })
        .filter_map(|l| l.strip_suffix(';'))
        .collect();
    assert!(declared.len() >= 5, "{declared:?}");
    for m in declared {
        assert!(
            embedded.contains(&format!("src/runtime/{m}.rs")),
            "runtime module `{m}` is not embedded: {embedded:?}"
        );
    }

    // A standalone crate carries them byte for byte, and says `generate` wrote it.
    let spec = load(
        &[root().join("codegen/tests/fixtures/codegen/ranges.yaml")],
        &LoadOptions { overlays: true },
    )
    .unwrap();
    let files = crate_files(&spec, &root(), "gen-ranges").unwrap();
    for path in &on_disk {
        let f = files
            .iter()
            .find(|f| &f.path == path)
            .unwrap_or_else(|| panic!("{path} missing"));
        let disk = fs::read_to_string(src.join(path.trim_start_matches("src/"))).unwrap();
        assert!(f.text == disk, "{path} differs from generated/{path}");
    }
    for f in files.iter().filter(|f| f.text.starts_with("// @generated")) {
        assert!(
            f.text
                .starts_with("// @generated by `cargo xtask generate` from "),
            "{}: {}",
            f.path,
            f.text.lines().next().unwrap_or_default()
        );
    }
    assert!(files.iter().any(|f| f.path == "src/operations.rs"));
    // ...while `codegen` keeps its own name in what it writes.
    let ours = generate(&[root().join("codegen/tests/fixtures/codegen/ranges.yaml")]);
    assert!(ours.iter().all(|f| {
        f.text
            .starts_with("// @generated by `cargo xtask codegen` from ")
    }));
}

#[test]
fn runtime_docs_cite_nothing_a_crate_user_lacks() {
    let mut files = vec!["src/lib.rs".to_string()];
    rust_files(
        &root().join("generated/src/runtime"),
        "src/runtime",
        &mut files,
    );
    for path in files {
        let text = fs::read_to_string(root().join("generated").join(&path)).unwrap();
        assert!(
            !text.contains("shared/"),
            "{path} cites the repository's shared/ notes"
        );
    }
}

/// `ottu-client` with one API group and no TLS (`cargo clippy -p
/// ottu-client --no-default-features --features <group> -- -D warnings`)
/// for every group of `specs/`, and with all groups under each TLS choice
/// (built, with `rustls-ring`, and with `native-tls` where OpenSSL's
/// headers are installed, and a client built under each: `--test tls`).
/// Slow (a clean check per feature set of the dependencies, and two TLS
/// stacks built), so opt-in; `.ci/run` runs it.
#[test]
#[ignore = "checks and builds ottu-client per feature set with cargo (minutes)"]
fn every_api_group_and_tls_choice_builds_alone_without_warnings() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("feature-builds");
    let cargo = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO"))
            .args(args)
            .current_dir(root())
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "cargo {args:?}: {stderr}");
        // Dependencies' warnings are capped; any left are ottu-client's.
        assert!(!stderr.contains("warning"), "cargo {args:?}: {stderr}");
    };
    let spec = load(&[root().join("specs")], &LoadOptions { overlays: true }).unwrap();
    let groups = codegen::model::model(&spec).groups;
    assert!(groups.len() >= 2, "{groups:?}");
    for g in &groups {
        cargo(&[
            "clippy",
            "--quiet",
            "-p",
            "ottu-client",
            "--no-default-features",
            "--features",
            g,
            "--",
            "-D",
            "warnings",
        ]);
    }
    let openssl = std::process::Command::new("pkg-config")
        .args(["--exists", "openssl"])
        .status()
        .is_ok_and(|s| s.success());
    let mut tls = vec!["rustls-ring"];
    if openssl {
        tls.push("native-tls");
    } else {
        println!(
            "skipped the native-tls build: OpenSSL's headers are not installed \
             (pkg-config finds no `openssl`; on Debian, apt install libssl-dev pkg-config)"
        );
    }
    for t in tls {
        let features = format!("{t},all-groups");
        // Builds the library (as `cargo build` does) and builds a client with it.
        cargo(&[
            "test",
            "--quiet",
            "-p",
            "ottu-client",
            "--no-default-features",
            "--features",
            &features,
            "--test",
            "tls",
        ]);
    }
}
