//! Files -> one canonical [`Spec`]. The stages, in order:
//!
//! 1. [`read`]: JSON or YAML text -> JSON value (errors carry line:column);
//! 2. [`upgrade`]: OpenAPI 3.0 -> canonical 3.1 / JSON Schema 2020-12;
//! 3. [`overlay`]: OpenAPI Overlay 1.0 actions (`specs/overlays/`);
//! 4. [`refs`]: every `$ref` made local, checked, never fetched;
//! 5. [`merge`]: all documents -> one, identical components deduplicated.

pub mod merge;
pub mod overlay;
pub mod read;
pub mod refs;
pub mod upgrade;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::LoadError;
use crate::spec::{Source, Spec};

/// What to load besides the documents themselves.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Apply overlays found among the inputs (and in `overlays/` beside a
    /// directory input). Off: the documents exactly as vendored, merged by
    /// the declared merge roles (an overlay's root `x-ottu-merge` action is
    /// kept: it is how a document was vendored, not a fix).
    pub overlays: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self { overlays: true }
    }
}

/// Loads OpenAPI documents and overlays from files and directories.
///
/// A directory contributes every `.json`, `.yaml` and `.yml` file in it
/// (sorted by name, so the result does not depend on the file system) and
/// the overlays in its `overlays/` subdirectory. A file is an overlay when
/// its top level has `overlay` and no `openapi`.
pub fn load<P: AsRef<Path>>(inputs: &[P], options: &LoadOptions) -> Result<Spec, LoadError> {
    let files = expand(inputs)?;
    let mut docs: Vec<(PathBuf, Value)> = Vec::new();
    let mut overlays = Vec::new();
    for file in files {
        let value = read::read(&file)?;
        if overlay::is_overlay(&value) {
            let parsed = overlay::parse(&file, &value)?;
            if options.overlays {
                overlays.push(parsed);
            } else if let Some(roles) = parsed.merge_roles() {
                overlays.push(roles);
            }
        } else {
            docs.push((file, value));
        }
    }
    if docs.is_empty() {
        return Err(LoadError::NoDocuments {
            inputs: inputs.iter().map(|p| p.as_ref().to_path_buf()).collect(),
        });
    }
    load_documents(docs, &overlays)
}

/// Loads already-parsed documents (used by `load`, fuzzing and tests).
pub fn load_documents(
    docs: Vec<(PathBuf, Value)>,
    overlays: &[overlay::Overlay],
) -> Result<Spec, LoadError> {
    let mut prepared = Vec::with_capacity(docs.len());
    let mut matched: Vec<Vec<usize>> = overlays.iter().map(|_| Vec::new()).collect();
    for (file, mut doc) in docs {
        let dialect = upgrade::dialect(&file, &doc)?;
        let version = doc["openapi"].as_str().unwrap_or_default().to_string();
        upgrade::upgrade(&mut doc, dialect);
        for (o, totals) in overlays.iter().zip(matched.iter_mut()) {
            if o.applies_to(&file) {
                let counts = o.apply(&mut doc)?;
                if totals.is_empty() {
                    *totals = counts;
                } else {
                    totals.iter_mut().zip(counts).for_each(|(t, c)| *t += c);
                }
            }
        }
        prepared.push((file, dialect, version, doc));
    }
    for (o, totals) in overlays.iter().zip(&matched) {
        if let Some(at) = o.unmatched(totals).into_iter().next() {
            return Err(LoadError::Overlay {
                at,
                message:
                    "the target matches nothing in the documents it applies to (stale overlay?)"
                        .into(),
            });
        }
    }

    let loaded: refs::Loaded = prepared
        .iter()
        .filter_map(|(f, _, _, d)| f.canonicalize().ok().map(|c| (c, d.clone())))
        .collect();
    let mut merged = merge::Merged::new();
    let mut sources = Vec::with_capacity(prepared.len());
    for (file, dialect, version, mut doc) in prepared {
        refs::localize(&mut doc, &file, dialect, &loaded)?;
        let fallback = merged.add(&file, doc)?;
        sources.push(Source {
            file,
            dialect,
            version,
            fallback,
        });
    }
    let spec = Spec::new(Value::Object(merged.doc), sources, merged.origins)
        .with_disagreements(merged.disagreements)
        .with_overlays(overlays.iter().map(|o| o.file.clone()).collect());
    refs::check_cycles(spec.document(), &|p| spec.origin(p))?;
    check_local_refs(&spec)?;
    crate::spec::check(&spec)?;
    Ok(spec)
}

/// After merging, every `$ref` still resolves, without ref-only loops.
fn check_local_refs(spec: &Spec) -> Result<(), LoadError> {
    let mut error = None;
    crate::spec::each_ref(spec.document(), "", &mut |target, at| {
        if error.is_some() {
            return;
        }
        if spec.resolve_ref(target).is_none() {
            error = Some(LoadError::DanglingRef {
                at: spec.origin(at),
                target: target.to_string(),
                why: "it resolves to nothing, or only to other $refs in a loop".into(),
            });
        }
    });
    error.map_or(Ok(()), Err)
}

/// Inputs -> the sorted list of files to read.
fn expand<P: AsRef<Path>>(inputs: &[P]) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    for input in inputs {
        let input = input.as_ref();
        let meta = std::fs::metadata(input).map_err(|source| LoadError::Io {
            file: input.to_path_buf(),
            source,
        })?;
        if meta.is_dir() {
            files.extend(spec_files(input)?);
            let overlays = input.join("overlays");
            if overlays.is_dir() {
                files.extend(spec_files(&overlays)?);
            }
        } else {
            files.push(input.to_path_buf());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    Ok(files)
}

fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |source| LoadError::Io {
        file: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let ext = path.extension().and_then(|e| e.to_str());
        if path.is_file() && matches!(ext, Some("json" | "yaml" | "yml")) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}
