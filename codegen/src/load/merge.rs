//! Stage 5: many canonical documents -> one. Identical components collapse
//! into one; a name defined differently twice is an error naming both places,
//! unless the merge policy settles it.
//!
//! The merge policy: a document marked `x-ottu-merge: fallback` (set by an
//! overlay that `extends` it, so the vendored file stays unchanged) yields
//! to every other document. Where it defines an operation (same method and
//! path) or a component (same kind and name) that an owning document also
//! defines, the owner's definition is kept, whichever was loaded first, and
//! every point where the two differ is recorded as a [`Disagreement`] (which
//! `cargo xtask lint` lists). Two owners, or two fallbacks, that differ are
//! still an error: the policy cannot settle them.
//! Path-level parameters and the document's `security` and `servers` are
//! pushed down into each operation, so an operation means the same thing
//! whichever document it came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::error::{LoadError, Location};
use crate::{pointer, walk};

/// The document-level extension that declares a document's merge role.
pub const MERGE_ROLE: &str = "x-ottu-merge";

/// The merged document and where each top-level entry came from.
#[derive(Debug, Default)]
pub struct Merged {
    pub doc: Map<String, Value>,
    /// `/components/<kind>/<name>`, `/paths/<path>/<method>` or
    /// `/webhooks/<name>/<method>` -> every file that defines it (the
    /// owner's file first).
    pub origins: BTreeMap<String, Vec<PathBuf>>,
    /// Entries whose kept definition came from a fallback document.
    from_fallback: std::collections::BTreeSet<String>,
    /// Every point where a fallback document differs from its owner.
    pub disagreements: Vec<Disagreement>,
}

/// One point where two documents define the same entry differently and
/// the merge policy kept the owner's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The entry: `/components/schemas/Card`, `/paths/~1b~1pbl~1v2~1card~1/post`.
    pub entry: String,
    /// Where the kept definition differs: the owner's file and JSON pointer.
    pub owner: Location,
    /// The same pointer in the document that yielded.
    pub other: Location,
    /// The owner's value at the pointer (`None`: absent there).
    pub owner_value: Option<Value>,
    /// The other document's value at the pointer (`None`: absent there).
    pub other_value: Option<Value>,
}

/// Where two values differ, as pointers below `at`: leaves, or the first
/// level where the kinds differ. Arrays of different lengths differ as a whole.
fn differences(a: Option<&Value>, b: Option<&Value>, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for (k, v) in x {
                differences(Some(v), y.get(k), &pointer::push(at, k), out);
            }
            for (k, v) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                differences(None, Some(v), &pointer::push(at, k), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(Some(v), Some(w), &format!("{at}/{i}"), out);
            }
        }
        (a, b) if a != b => out.push(at.to_string()),
        _ => {}
    }
}

impl Merged {
    pub fn new() -> Self {
        let mut doc = Map::new();
        doc.insert("openapi".into(), json!("3.1.1"));
        doc.insert("info".into(), json!({"title": "", "version": ""}));
        doc.insert("servers".into(), json!([]));
        doc.insert("paths".into(), json!({}));
        doc.insert("components".into(), json!({}));
        Self {
            doc,
            ..Self::default()
        }
    }

    /// Adds one localized, canonical document; returns whether it is a
    /// fallback.
    pub fn add(&mut self, file: &Path, mut source: Value) -> Result<bool, LoadError> {
        let Some(src) = source.as_object_mut() else {
            return Err(LoadError::Invalid {
                at: Location::new(file, ""),
                message: "document is not an object".into(),
            });
        };
        let fallback = merge_role(file, src)?;
        self.add_info(src);
        // Document extensions (`x-ottu-*` policy) are shared by every
        // document: equal values merge, differing ones are a conflict.
        for (key, value) in src.iter().filter(|(k, _)| k.starts_with("x-")) {
            let at = pointer::push("", key);
            self.insert(file, &at, &[key.as_str()], value.clone(), fallback)?;
        }
        let servers = src.get("servers").cloned().unwrap_or_else(|| json!([]));
        self.add_servers_and_tags(&servers, src);
        self.add_components(file, src, fallback)?;
        self.add_operations(file, src, &servers, fallback)?;
        Ok(fallback)
    }

    fn add_servers_and_tags(&mut self, servers: &Value, src: &Map<String, Value>) {
        if let Some(Value::Array(list)) = self.doc.get_mut("servers") {
            for s in servers.as_array().into_iter().flatten() {
                if !list.contains(s) {
                    list.push(s.clone());
                }
            }
        }
        if let Some(tags) = src.get("tags").and_then(Value::as_array) {
            let list = self
                .doc
                .entry("tags")
                .or_insert_with(|| json!([]))
                .as_array_mut();
            if let Some(list) = list {
                for t in tags {
                    if !list.iter().any(|x| x.get("name") == t.get("name")) {
                        list.push(t.clone());
                    }
                }
            }
        }
    }

    /// Every component, by kind and name.
    fn add_components(
        &mut self,
        file: &Path,
        src: &Map<String, Value>,
        fallback: bool,
    ) -> Result<(), LoadError> {
        if let Some(components) = src.get("components") {
            let Some(components) = components.as_object() else {
                return Err(invalid(
                    file,
                    "/components",
                    "`components` must be an object",
                ));
            };
            for (kind, entries) in components {
                if kind.starts_with("x-") {
                    continue;
                }
                let Some(entries) = entries.as_object() else {
                    return Err(invalid(
                        file,
                        &pointer::push("/components", kind),
                        "must be an object",
                    ));
                };
                for (name, value) in entries {
                    let at = pointer::push(&pointer::push("/components", kind), name);
                    self.insert(
                        file,
                        &at,
                        &["components", kind, name],
                        value.clone(),
                        fallback,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Every operation of `paths` and `webhooks`, with the path item's
    /// parameters and the document's security and servers pushed down.
    fn add_operations(
        &mut self,
        file: &Path,
        src: &Map<String, Value>,
        servers: &Value,
        fallback: bool,
    ) -> Result<(), LoadError> {
        let security = src.get("security").cloned();
        for section in ["paths", "webhooks"] {
            let Some(items) = src.get(section) else {
                continue;
            };
            let Some(items) = items.as_object() else {
                return Err(invalid(file, &format!("/{section}"), "must be an object"));
            };
            for (path, item) in items {
                if path.starts_with("x-") {
                    continue;
                }
                let item_at = pointer::push(&format!("/{section}"), path);
                let Some(item) = item.as_object() else {
                    return Err(invalid(file, &item_at, "a path item must be an object"));
                };
                let shared_params = item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let item_servers = item.get("servers").cloned();
                for method in walk::methods() {
                    let Some(op) = item.get(*method) else {
                        continue;
                    };
                    let op_at = pointer::push(&item_at, method);
                    let Some(op) = op.as_object() else {
                        return Err(invalid(file, &op_at, "an operation must be an object"));
                    };
                    let mut op = op.clone();
                    push_down_parameters(&mut op, &shared_params);
                    if !op.contains_key("security")
                        && let Some(s) = &security
                    {
                        op.insert("security".into(), dedup(s.clone()));
                    }
                    if !op.contains_key("servers")
                        && let Some(s) = item_servers.clone().or_else(|| {
                            servers
                                .as_array()
                                .filter(|a| !a.is_empty())
                                .map(|_| servers.clone())
                        })
                    {
                        op.insert("servers".into(), s);
                    }
                    self.insert(
                        file,
                        &op_at,
                        &[section, path, method],
                        Value::Object(op),
                        fallback,
                    )?;
                }
            }
        }
        Ok(())
    }

    fn add_info(&mut self, src: &Map<String, Value>) {
        let title = src.pointer_str("/info/title");
        let version = src.pointer_str("/info/version");
        let info = &mut self.doc["info"];
        for (key, new) in [("title", title), ("version", version)] {
            let old = info[key].as_str().unwrap_or_default().to_string();
            let parts: Vec<&str> = old.split(" + ").filter(|s| !s.is_empty()).collect();
            if !new.is_empty() && !parts.contains(&new.as_str()) {
                info[key] = json!(if old.is_empty() {
                    new
                } else {
                    format!("{old} + {new}")
                });
            }
        }
    }

    fn insert(
        &mut self,
        file: &Path,
        at: &str,
        path: &[&str],
        value: Value,
        fallback: bool,
    ) -> Result<(), LoadError> {
        let (parents, last) = path.split_at(path.len() - 1);
        let mut node = &mut self.doc;
        for p in parents {
            node = node
                .entry(p.to_string())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("merge creates only objects on its paths");
        }
        let origins = self.origins.entry(at.to_string()).or_default();
        let Some(existing) = node.get_mut(last[0]) else {
            node.insert(last[0].to_string(), value);
            origins.push(file.to_path_buf());
            if fallback {
                self.from_fallback.insert(at.to_string());
            }
            return Ok(());
        };
        if *existing == value {
            if !fallback && self.from_fallback.remove(at) {
                // The same definition, now from an owner: the owner is its origin.
                origins.insert(0, file.to_path_buf());
            } else {
                origins.push(file.to_path_buf());
            }
            return Ok(());
        }
        let kept_is_fallback = self.from_fallback.contains(at);
        if kept_is_fallback == fallback {
            return Err(LoadError::Conflict {
                name: at.trim_start_matches('/').to_string(),
                first: Location::new(origins[0].clone(), at),
                second: Location::new(file, at),
            });
        }
        let (owner_file, other_file, owner_value, other_value);
        if fallback {
            // The kept definition is the owner's: record and move on.
            owner_file = origins[0].clone();
            other_file = file.to_path_buf();
            origins.push(other_file.clone());
            owner_value = existing.clone();
            other_value = value;
        } else {
            // An owner arrives after its fallback: it takes the entry.
            other_file = origins[0].clone();
            owner_file = file.to_path_buf();
            origins.insert(0, owner_file.clone());
            other_value = std::mem::replace(existing, value);
            owner_value = existing.clone();
            self.from_fallback.remove(at);
        }
        let mut points = Vec::new();
        differences(Some(&owner_value), Some(&other_value), at, &mut points);
        for p in points {
            self.disagreements.push(Disagreement {
                entry: at.to_string(),
                owner: Location::new(owner_file.clone(), &p),
                other: Location::new(other_file.clone(), &p),
                owner_value: owner_value.pointer(&p[at.len()..]).cloned(),
                other_value: other_value.pointer(&p[at.len()..]).cloned(),
            });
        }
        Ok(())
    }
}

/// Path-level parameters apply to every operation unless the operation
/// declares one with the same `name` and `in`.
/// `x-ottu-merge`: `fallback` yields to the other documents; absent, the
/// document owns what it defines.
fn merge_role(file: &Path, src: &mut Map<String, Value>) -> Result<bool, LoadError> {
    match src.remove(MERGE_ROLE) {
        None => Ok(false),
        Some(Value::String(s)) if s == "fallback" => Ok(true),
        Some(other) => Err(invalid(
            file,
            &pointer::push("", MERGE_ROLE),
            &format!("{MERGE_ROLE} must be \"fallback\", found {other}"),
        )),
    }
}

fn push_down_parameters(op: &mut Map<String, Value>, shared: &[Value]) {
    if shared.is_empty() {
        return;
    }
    let own = op.entry("parameters").or_insert_with(|| json!([]));
    let Some(own) = own.as_array_mut() else {
        return;
    };
    let key = |p: &Value| {
        (
            p.get("name").cloned(),
            p.get("in").cloned(),
            p.get("$ref").cloned(),
        )
    };
    let mut merged: Vec<Value> = shared
        .iter()
        .filter(|s| !own.iter().any(|o| key(o) == key(s)))
        .cloned()
        .collect();
    merged.append(own);
    *own = merged;
}

fn dedup(v: Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut out: Vec<Value> = Vec::with_capacity(items.len());
            for i in items {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
            Value::Array(out)
        }
        other => other,
    }
}

fn invalid(file: &Path, at: &str, message: &str) -> LoadError {
    LoadError::Invalid {
        at: Location::new(file, at),
        message: message.to_string(),
    }
}

trait PointerStr {
    fn pointer_str(&self, p: &str) -> String;
}

impl PointerStr for Map<String, Value> {
    fn pointer_str(&self, p: &str) -> String {
        let mut tokens = pointer::tokens(p).into_iter();
        let Some(first) = tokens.next() else {
            return String::new();
        };
        let mut v = self.get(&first);
        for t in tokens {
            v = v.and_then(|x| x.get(&t));
        }
        v.and_then(Value::as_str).unwrap_or_default().to_string()
    }
}
