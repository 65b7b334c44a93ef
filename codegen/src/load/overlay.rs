//! Stage 3: OpenAPI Overlay Specification 1.0 (`actions` with a JSONPath
//! `target`, then `update` or `remove`), applied to the canonical form.
//!
//! This is how `specs/` fixes upstream defects without editing the vendored
//! files: the fix is data, reviewed and diffable, and disappears the day
//! upstream fixes itself (an action whose target matches nothing fails, so a
//! stale overlay cannot linger unnoticed).

use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{LoadError, Location};
use crate::pointer;

/// One parsed overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    pub file: PathBuf,
    /// `extends`, resolved against the overlay's directory: the one document
    /// it applies to. `None`: it applies to every loaded document.
    pub extends: Option<PathBuf>,
    actions: Vec<Action>,
}

#[derive(Debug, Clone)]
struct Action {
    index: usize,
    /// The root (`$`): only a root action can declare a merge role.
    at_root: bool,
    target: JsonPath,
    update: Option<Value>,
    remove: bool,
}

/// Is this parsed file an overlay rather than an OpenAPI document?
pub fn is_overlay(doc: &Value) -> bool {
    doc.get("overlay").is_some() && doc.get("openapi").is_none()
}

/// Checks an overlay document's shape and compiles its JSONPath targets.
pub fn parse(file: &Path, doc: &Value) -> Result<Overlay, LoadError> {
    let at = |p: &str| Location::new(file, p);
    match doc.get("overlay").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.") => {}
        Some(v) => {
            return Err(LoadError::Version {
                at: at("/overlay"),
                found: format!("overlay {v}"),
            });
        }
        None => {
            return Err(LoadError::Invalid {
                at: at("/overlay"),
                message: "`overlay` must be a version string like \"1.0.0\"".into(),
            });
        }
    }
    let Some(list) = doc.get("actions").and_then(Value::as_array) else {
        return Err(LoadError::Invalid {
            at: at("/actions"),
            message: "`actions` must be an array".into(),
        });
    };
    let mut actions = Vec::with_capacity(list.len());
    for (index, a) in list.iter().enumerate() {
        let here = |field: &str| at(&format!("/actions/{index}{field}"));
        let Some(target) = a.get("target").and_then(Value::as_str) else {
            return Err(LoadError::Invalid {
                at: here("/target"),
                message: "`target` must be a JSONPath string".into(),
            });
        };
        let target = JsonPath::parse(target).map_err(|e| LoadError::Invalid {
            at: here("/target"),
            message: format!("invalid JSONPath: {e}"),
        })?;
        let remove = match a.get("remove") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(LoadError::Invalid {
                    at: here("/remove"),
                    message: "`remove` must be a boolean".into(),
                });
            }
        };
        let update = a.get("update").cloned();
        if update.is_none() && !remove {
            return Err(LoadError::Invalid {
                at: here(""),
                message: "an action needs `update` or `remove: true`".into(),
            });
        }
        actions.push(Action {
            index,
            at_root: a.get("target").and_then(Value::as_str) == Some("$"),
            target,
            update,
            remove,
        });
    }
    let extends = doc
        .get("extends")
        .and_then(Value::as_str)
        .map(|e| file.parent().unwrap_or(Path::new(".")).join(e));
    Ok(Overlay {
        file: file.to_path_buf(),
        extends,
        actions,
    })
}

impl Overlay {
    /// Only the actions that declare a document's merge role
    /// (`x-ottu-merge` at the root, nothing else); `None` if there are none.
    /// `--no-overlays` keeps these: without them two documents that overlap
    /// cannot be merged at all, and the role is how a document was
    /// vendored, not a fix of its content.
    pub fn merge_roles(&self) -> Option<Overlay> {
        let actions: Vec<Action> = self
            .actions
            .iter()
            .filter(|a| {
                a.at_root
                    && !a.remove
                    && a.update
                        .as_ref()
                        .and_then(Value::as_object)
                        .is_some_and(|u| u.len() == 1 && u.contains_key(super::merge::MERGE_ROLE))
            })
            .cloned()
            .collect();
        (!actions.is_empty()).then(|| Overlay {
            actions,
            ..self.clone()
        })
    }

    /// Does this overlay apply to the document at `doc_path`?
    pub fn applies_to(&self, doc_path: &Path) -> bool {
        match &self.extends {
            None => true,
            Some(target) => same_file(target, doc_path),
        }
    }

    /// Applies every action to `doc`; returns, per action, how many nodes matched.
    pub fn apply(&self, doc: &mut Value) -> Result<Vec<usize>, LoadError> {
        let mut matched = Vec::with_capacity(self.actions.len());
        for action in &self.actions {
            let mut targets: Vec<String> = action
                .target
                .query_located(doc)
                .locations()
                .map(|l| l.to_json_pointer())
                .collect();
            // Deepest and last first, so removing array elements keeps the
            // remaining pointers valid.
            targets.sort_by_key(|p| std::cmp::Reverse(sort_key(p)));
            for target in &targets {
                self.apply_one(action, doc, target)?;
            }
            matched.push(targets.len());
        }
        Ok(matched)
    }

    fn apply_one(&self, action: &Action, doc: &mut Value, target: &str) -> Result<(), LoadError> {
        let at = Location::new(&self.file, format!("/actions/{}", action.index));
        if let Some(update) = &action.update {
            let node = doc.pointer_mut(target).ok_or_else(|| LoadError::Overlay {
                at: at.clone(),
                message: format!("target {target} vanished during the action"),
            })?;
            merge(node, update.clone());
        }
        if action.remove {
            if target.is_empty() {
                return Err(LoadError::Overlay {
                    at,
                    message: "cannot remove the document root".into(),
                });
            }
            let mut tokens = pointer::tokens(target);
            let last = tokens.pop().unwrap_or_default();
            let parent_ptr: String = tokens
                .iter()
                .map(|t| format!("/{}", pointer::escape(t)))
                .collect();
            match doc.pointer_mut(&parent_ptr) {
                Some(Value::Object(map)) => {
                    map.shift_remove(&last);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = last.parse::<usize>()
                        && i < items.len()
                    {
                        items.remove(i);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Names the actions that matched nothing (for the stale-overlay check).
    pub fn unmatched(&self, totals: &[usize]) -> Vec<Location> {
        self.actions
            .iter()
            .zip(totals)
            .filter(|(_, n)| **n == 0)
            .map(|(a, _)| Location::new(&self.file, format!("/actions/{}/target", a.index)))
            .collect()
    }
}

/// Overlay 1.0 merge: objects merge recursively, an array target gets the
/// update appended (items, or the value itself), anything else is replaced.
fn merge(target: &mut Value, update: Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (k, v) in u {
                match t.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        t.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(u)) => {
            for v in u {
                if !t.contains(&v) {
                    t.push(v);
                }
            }
        }
        (Value::Array(t), u) => t.push(u),
        (t, u) => *t = u,
    }
}

fn sort_key(p: &str) -> Vec<(u8, usize, String)> {
    pointer::tokens(p)
        .into_iter()
        .map(|t| match t.parse::<usize>() {
            Ok(i) => (0, i, String::new()),
            Err(_) => (1, 0, t),
        })
        .collect()
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Overlay {
        parse(Path::new("o.yaml"), &json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})).unwrap()
    }

    #[test]
    fn update_merges_and_remove_deletes() {
        let mut doc = json!({"a": {"b": 1, "list": [1]}, "params": [{"in": "header", "name": "Authorization"}, {"in": "query", "name": "q"}, {"in": "header", "name": "Authorization"}]});
        let o = overlay(json!([
            {"target": "$.a", "update": {"c": 2, "list": [2]}},
            {"target": "$.params[?@.name == 'Authorization']", "remove": true}
        ]));
        assert_eq!(o.apply(&mut doc).unwrap(), vec![1, 2]);
        assert_eq!(
            doc,
            json!({"a": {"b": 1, "list": [1, 2], "c": 2}, "params": [{"in": "query", "name": "q"}]})
        );
    }

    #[test]
    fn unmatched_actions_are_named() {
        let o = overlay(json!([{"target": "$.nope", "remove": true}]));
        let totals = o.apply(&mut json!({})).unwrap();
        assert_eq!(
            o.unmatched(&totals)[0].to_string(),
            "o.yaml#/actions/0/target"
        );
    }

    #[test]
    fn bad_overlays_name_the_field() {
        let e = parse(
            Path::new("o.yaml"),
            &json!({"overlay": "1.0.0", "actions": [{"target": "$[", "remove": true}]}),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("o.yaml#/actions/0/target: invalid JSONPath"),
            "{e}"
        );
        let e = parse(
            Path::new("o.yaml"),
            &json!({"overlay": "1.0.0", "actions": [{"target": "$.a"}]}),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("needs `update` or `remove: true`"),
            "{e}"
        );
    }
}
