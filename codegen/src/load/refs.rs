//! Stage 4: `$ref`. After this stage every `$ref` in a document is local
//! (`#/...`) and resolves: references into another loaded document's
//! `components` are rewritten to the merged document's `components`; other
//! external references (plain schema files beside the spec) are inlined.
//! Nothing is fetched from the network, and no file outside the referencing
//! document's directory is read.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use super::upgrade::{self, Dialect};
use crate::error::{LoadError, Location};
use crate::{pointer, walk};

/// The documents being loaded together, by canonical path.
pub type Loaded = HashMap<PathBuf, Value>;

/// Keys whose values are data, not schema or spec structure: a `$ref` in
/// an example is just text.
const DATA_KEYS: [&str; 5] = ["example", "examples", "default", "const", "enum"];

/// Makes every `$ref` of `doc` (from `file`) local and checks it resolves.
pub fn localize(
    doc: &mut Value,
    file: &Path,
    dialect: Dialect,
    loaded: &Loaded,
) -> Result<(), LoadError> {
    let mut ctx = Ctx {
        loaded,
        files: HashMap::new(),
        dialect,
        stack: Vec::new(),
    };
    let root = doc.clone();
    ctx.visit(doc, file, &root, "")
}

struct Ctx<'a> {
    loaded: &'a Loaded,
    /// External fragment files read so far.
    files: HashMap<PathBuf, Value>,
    dialect: Dialect,
    /// External references being inlined, to detect cycles.
    stack: Vec<String>,
}

impl Ctx<'_> {
    /// `doc_root` is the document `#` fragments of `file` resolve against.
    fn visit(
        &mut self,
        v: &mut Value,
        file: &Path,
        doc_root: &Value,
        at: &str,
    ) -> Result<(), LoadError> {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    let target = target.clone();
                    let here = Location::new(file, pointer::push(at, "$ref"));
                    if let Some(replacement) = self.reference(&target, file, doc_root, &here)? {
                        let siblings: serde_json::Map<String, Value> = map
                            .iter()
                            .filter(|(k, _)| *k != "$ref")
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        *v = with_siblings(replacement, siblings);
                        return Ok(());
                    }
                }
                for (k, child) in map.iter_mut() {
                    if DATA_KEYS.contains(&k.as_str()) {
                        continue;
                    }
                    self.visit(child, file, doc_root, &pointer::push(at, k))?;
                }
                Ok(())
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    self.visit(child, file, doc_root, &format!("{at}/{i}"))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Checks one reference. `Ok(None)`: keep the `$ref` as it is (now local);
    /// `Ok(Some(v))`: replace the referencing object by `v`.
    fn reference(
        &mut self,
        target: &str,
        file: &Path,
        doc_root: &Value,
        here: &Location,
    ) -> Result<Option<Value>, LoadError> {
        let (path_part, fragment) = match target.split_once('#') {
            Some((p, f)) => (p, pointer::percent_decode(f)),
            None => (target, String::new()),
        };
        let dangling = |why: String| LoadError::DanglingRef {
            at: here.clone(),
            target: target.to_string(),
            why,
        };
        if path_part.is_empty() {
            if doc_root.pointer(&fragment).is_none() {
                return Err(dangling(format!("no {fragment:?} in {}", file.display())));
            }
            return Ok(None);
        }
        if path_part.contains("://") || path_part.starts_with("//") || path_part.starts_with("urn:")
        {
            return Err(LoadError::ForbiddenRef {
                at: here.clone(),
                target: target.to_string(),
                why: "network references are never fetched; vendor the file beside the spec".into(),
            });
        }
        let base = file.parent().unwrap_or(Path::new("."));
        let Some(joined) = normalize(&base.join(path_part)) else {
            return Err(forbidden_outside(here, target));
        };
        if !joined.starts_with(normalize(base).unwrap_or_default()) {
            return Err(forbidden_outside(here, target));
        }
        let canonical = joined
            .canonicalize()
            .map_err(|e| dangling(format!("{}: {e}", joined.display())))?;
        // The path text stays inside; a symlink inside may still point out.
        let canonical_base = base
            .canonicalize()
            .map_err(|e| dangling(format!("{}: {e}", base.display())))?;
        if !canonical.starts_with(&canonical_base) {
            return Err(forbidden_outside(here, target));
        }
        if let Some(other) = self.loaded.get(&canonical) {
            if other.pointer(&fragment).is_none() {
                return Err(dangling(format!("no {fragment:?} in {}", joined.display())));
            }
            let tokens = pointer::tokens(&fragment);
            if tokens.len() == 3 && tokens[0] == "components" {
                // The merged document will hold it under the same name.
                return Ok(Some(serde_json::json!({ "$ref": format!("#{fragment}") })));
            }
            let value = other.pointer(&fragment).cloned().unwrap_or_default();
            return self
                .inline(value, &joined, other.clone(), &fragment, target, here)
                .map(Some);
        }
        if !self.files.contains_key(&canonical) {
            let mut value = super::read::read(&joined)?;
            if self.dialect == Dialect::V30 {
                // A fragment file speaks its referrer's dialect.
                if value.get("openapi").is_some() {
                    let d = upgrade::dialect(&joined, &value)?;
                    upgrade::upgrade(&mut value, d);
                } else {
                    walk::schema_mut(&mut value, "", &mut |s, _| {
                        let mut doc = serde_json::json!({"openapi": "3.0.3", "components": {"schemas": {"s": s.take()}}});
                        upgrade::upgrade(&mut doc, Dialect::V30);
                        *s = doc["components"]["schemas"]["s"].take();
                    });
                }
            }
            self.files.insert(canonical.clone(), value);
        }
        let file_root = self.files[&canonical].clone();
        let Some(value) = file_root.pointer(&fragment).cloned() else {
            return Err(dangling(format!("no {fragment:?} in {}", joined.display())));
        };
        self.inline(value, &joined, file_root, &fragment, target, here)
            .map(Some)
    }

    fn inline(
        &mut self,
        mut value: Value,
        file: &Path,
        root: Value,
        fragment: &str,
        target: &str,
        here: &Location,
    ) -> Result<Value, LoadError> {
        let key = format!("{}#{fragment}", file.display());
        if self.stack.contains(&key) {
            let mut chain = self.stack.clone();
            chain.push(key);
            return Err(LoadError::CyclicRef {
                at: here.clone(),
                chain,
            });
        }
        self.stack.push(key);
        let result = self.visit_inlined(&mut value, file, &root, fragment);
        self.stack.pop();
        result.map_err(|e| match e {
            LoadError::DanglingRef { at, target: t, why } => LoadError::DanglingRef {
                at,
                target: t,
                why: format!("{why} (inlined from {target})"),
            },
            other => other,
        })?;
        Ok(value)
    }

    /// Inside an inlined fragment, `#` references point into *its* file:
    /// inline those too, since that file's pointers mean nothing in ours.
    fn visit_inlined(
        &mut self,
        v: &mut Value,
        file: &Path,
        root: &Value,
        at: &str,
    ) -> Result<(), LoadError> {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(t)) = map.get("$ref")
                    && t.starts_with('#')
                {
                    let frag = pointer::percent_decode(&t[1..]);
                    let here = Location::new(file, pointer::push(at, "$ref"));
                    let Some(value) = root.pointer(&frag).cloned() else {
                        return Err(LoadError::DanglingRef {
                            at: here,
                            target: t.clone(),
                            why: format!("no {frag:?} in {}", file.display()),
                        });
                    };
                    let t = t.clone();
                    let siblings: serde_json::Map<String, Value> = map
                        .iter()
                        .filter(|(k, _)| *k != "$ref")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    let inlined = self.inline(value, file, root.clone(), &frag, &t, &here)?;
                    *v = with_siblings(inlined, siblings);
                    return Ok(());
                }
                if map.contains_key("$ref") {
                    return self.visit(v, file, root, at);
                }
                for (k, child) in map.iter_mut() {
                    if !DATA_KEYS.contains(&k.as_str()) {
                        self.visit_inlined(child, file, root, &pointer::push(at, k))?;
                    }
                }
                Ok(())
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    self.visit_inlined(child, file, root, &format!("{at}/{i}"))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn forbidden_outside(here: &Location, target: &str) -> LoadError {
    LoadError::ForbiddenRef {
        at: here.clone(),
        target: target.to_string(),
        why: "it leaves the spec's directory".into(),
    }
}

/// `$ref` siblings (allowed in 3.1) survive inlining as an `allOf` wrapper.
fn with_siblings(value: Value, siblings: serde_json::Map<String, Value>) -> Value {
    if siblings.is_empty() {
        return value;
    }
    let mut out = siblings;
    out.insert("allOf".into(), Value::Array(vec![value]));
    Value::Object(out)
}

/// Lexical normalization (`a/./b/../c` -> `a/c`); `None` if it climbs above its start.
fn normalize(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    let mut depth = 0usize;
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::Normal(n) => {
                out.push(n);
                depth += 1;
            }
            other => out.push(other.as_os_str()),
        }
    }
    Some(out)
}

/// Finds `$ref` chains and `allOf`/`anyOf`/`oneOf` compositions among
/// component schemas that loop without ever reaching a concrete schema
/// (`A = {$ref: B}`, `B = {allOf: [{$ref: A}]}`): such a type is infinite.
/// Recursion through properties or items is fine and is not reported.
pub fn check_cycles(doc: &Value, origin: &dyn Fn(&str) -> Location) -> Result<(), LoadError> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let mut edges: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, schema) in schemas {
        let mut out = Vec::new();
        composition_refs(schema, &mut out);
        edges.insert(name.as_str(), out);
    }
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state: HashMap<&str, u8> = HashMap::new();
    for start in edges.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = dfs(start, &edges, &mut state, &mut path) {
            let at = origin(&pointer::push("/components/schemas", &cycle[0]));
            return Err(LoadError::CyclicRef { at, chain: cycle });
        }
    }
    Ok(())
}

fn dfs<'a>(
    node: &'a str,
    edges: &'a BTreeMap<&str, Vec<String>>,
    state: &mut HashMap<&'a str, u8>,
    path: &mut Vec<&'a str>,
) -> Option<Vec<String>> {
    match state.get(node) {
        Some(2) => return None,
        Some(1) => {
            let from = path.iter().position(|n| *n == node).unwrap_or(0);
            let mut chain: Vec<String> = path[from..].iter().map(|s| s.to_string()).collect();
            chain.push(node.to_string());
            return Some(chain);
        }
        _ => {}
    }
    state.insert(node, 1);
    path.push(node);
    if let Some(next) = edges.get(node) {
        for n in next {
            if let Some((key, _)) = edges.get_key_value(n.as_str())
                && let Some(c) = dfs(key, edges, state, path)
            {
                return Some(c);
            }
        }
    }
    path.pop();
    state.insert(node, 2);
    None
}

/// Component names a schema *is* (not merely contains).
fn composition_refs(schema: &Value, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str)
        && let Some(name) = r.strip_prefix("#/components/schemas/")
    {
        out.push(pointer::unescape(name));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(items) = schema.get(key).and_then(Value::as_array) {
            for item in items {
                composition_refs(item, out);
            }
        }
    }
}
