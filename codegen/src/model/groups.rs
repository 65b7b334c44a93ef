//! Which API groups (`x-ottu-group`, one cargo feature each) compile which
//! types: a type is compiled when any group whose operations reach it is
//! on. The webhook payload stays unconditional (a receiver verifies and
//! parses webhooks without calling Ottu), as does what an operation
//! without a group reaches, and everything those hold (or an
//! unconditional type would name one that is compiled out). Types no
//! operation and no webhook reaches (components a spec defines for its
//! prose) are compiled with [`ALL_GROUPS`] only: a one-group build does
//! not pay for them. Without group data everything is unconditional.

use std::collections::{BTreeMap, BTreeSet};

use super::types::reachable;
use super::{OperationDef, Ty, TypeDef};

/// The cargo feature that enables every group (in `default`); it also
/// compiles the types no operation reaches.
pub const ALL_GROUPS: &str = "all-groups";

/// The groups of `operations`, sorted and deduplicated.
pub(super) fn of(operations: &[OperationDef]) -> Vec<String> {
    let set: BTreeSet<&String> = operations.iter().filter_map(|o| o.group.as_ref()).collect();
    set.into_iter().cloned().collect()
}

/// The types an operation's signature and results hold.
fn roots(op: &OperationDef) -> Vec<&Ty> {
    let mut out: Vec<&Ty> = op.params.iter().map(|p| &p.ty).collect();
    out.extend(op.body.as_ref().map(|b| &b.ty));
    out.extend(op.success.statuses.iter().filter_map(|(_, t)| t.as_ref()));
    out.extend(op.errors.iter().filter_map(|e| e.ty.as_ref()));
    out
}

/// Sets [`TypeDef::groups`] of every type.
pub(super) fn assign(types: &mut [TypeDef], operations: &[OperationDef], webhook: Option<&str>) {
    let mut by_group: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut reached_by_op: BTreeSet<String> = BTreeSet::new();
    let mut always_roots: Vec<Ty> = Vec::new();
    for op in operations {
        let reached = reachable(types, &roots(op));
        match &op.group {
            Some(g) => {
                for name in &reached {
                    by_group.entry(name.clone()).or_default().insert(g.clone());
                }
            }
            None => always_roots.extend(reached.iter().cloned().map(Ty::Named)),
        }
        reached_by_op.extend(reached);
    }
    let grouped = operations.iter().any(|o| o.group.is_some());
    for t in types.iter() {
        let webhook_payload = webhook.is_some_and(|w| t.pointer == w && !t.request);
        if webhook_payload || (!grouped && !reached_by_op.contains(&t.name)) {
            always_roots.push(Ty::Named(t.name.clone()));
        }
    }
    let always = reachable(types, &always_roots.iter().collect::<Vec<_>>());
    for t in types.iter_mut() {
        t.groups = if always.contains(&t.name) {
            None
        } else {
            Some(match by_group.get(&t.name) {
                Some(g) => g.iter().cloned().collect(),
                // Reached by no operation (and not by the webhook payload).
                None => vec![ALL_GROUPS.to_string()],
            })
        };
    }
}
