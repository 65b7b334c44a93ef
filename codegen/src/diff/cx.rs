//! What the operation rules (`ops`) and the schema rules (`schemas`) share:
//! where a change is reported, the change before its location is mapped to
//! a file, and the two sides being compared (documents and models).

use serde_json::Value;

use super::Change;
use super::impact::{self, Subject};
use super::rule::Rule;
use super::surface::{self, ItemChange, Surface};
use crate::model::{self, Api};
use crate::spec::Spec;

/// Where a change is reported: its operation and part of it.
#[derive(Debug, Clone, Default)]
pub(super) struct Site {
    pub operation: Option<String>,
    pub part: Option<String>,
}

impl Site {
    /// The same operation, another part.
    pub fn part(&self, part: impl Into<String>) -> Site {
        Site {
            operation: self.operation.clone(),
            part: Some(part.into()),
        }
    }
}

/// Which document a pointer points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Old,
    New,
}

/// One change before its location is mapped to a file.
#[derive(Debug)]
pub(super) struct Found {
    pub rule: Rule,
    pub side: Side,
    pub pointer: String,
    pub message: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// The generated items the change is about.
    pub subject: Subject,
}

/// Both sides and the changes found so far.
#[derive(Debug)]
pub(super) struct Cx<'a> {
    pub old: &'a Spec,
    pub new: &'a Spec,
    pub old_api: Api,
    pub new_api: Api,
    /// The generated items of each side.
    surfaces: (Surface, Surface),
    /// Every generated item that differs between the two models.
    pub items: Vec<ItemChange>,
    /// Which of `items` some change has explained.
    pub claimed: Vec<bool>,
    pub out: Vec<Change>,
}

impl<'a> Cx<'a> {
    pub fn new(old: &'a Spec, new: &'a Spec) -> Self {
        let (old_api, new_api) = (model::model(old), model::model(new));
        let surfaces = (Surface::of(&old_api), Surface::of(&new_api));
        let items = surface::compare(&surfaces.0, &surfaces.1);
        Cx {
            old,
            new,
            old_api,
            new_api,
            surfaces,
            claimed: vec![false; items.len()],
            items,
            out: Vec::new(),
        }
    }

    pub fn push(&mut self, site: &Site, f: Found) {
        let at = match f.side {
            Side::Old => self.old.origin(&f.pointer),
            Side::New => self.new.origin(&f.pointer),
        };
        let client_impact = (f.rule == Rule::EnumValueAdded(super::rule::Dir::Response))
            .then(|| "none (ottu-client keeps unknown enum values)".to_string());
        let claims = self.claims(&f.subject);
        for i in &claims {
            self.claimed[*i] = true;
        }
        let claimed: Vec<&ItemChange> = claims.iter().map(|i| &self.items[*i]).collect();
        let impact = impact::of(f.rule, &claimed);
        self.out.push(Change {
            rule: f.rule,
            severity: f.rule.severity(),
            operation: site.operation.clone(),
            part: site.part.clone(),
            at,
            message: f.message,
            old: f.old,
            new: f.new,
            client_impact,
            impact,
        });
    }

    /// Indexes of the item changes `subject` is about: its own items, and
    /// the types that appear or vanish with them (named in a claimed
    /// item's signature, or by a member of a type that appears or vanishes,
    /// or generated from the same schema: a new union variant's branch
    /// type, the enums of a new body type, a component's request variant).
    fn claims(&self, subject: &Subject) -> Vec<usize> {
        let mut claimed: Vec<usize> = (0..self.items.len())
            .filter(|i| subject.claims(&self.items[*i], &self.old_api, &self.new_api))
            .collect();
        let mut candidates: Vec<usize> = (0..self.items.len())
            .filter(|i| self.candidate_type(&self.items[*i]).is_some() && !claimed.contains(i))
            .collect();
        // Each round claims at least one more candidate, or stops.
        while !claimed.is_empty() {
            let (named, rest): (Vec<usize>, Vec<usize>) = candidates.iter().partition(|i| {
                let item = &self.items[**i];
                let name = self.candidate_type(item).unwrap_or_default();
                claimed.iter().map(|c| &self.items[*c]).any(|c| {
                    c.mentions(name)
                        || self.members_name(c, name)
                        || self.same_schema(c, item)
                        || self.decoding_follows(c, item, name)
                })
            });
            if named.is_empty() {
                break;
            }
            claimed.extend(named);
            candidates = rest;
        }
        claimed.sort_unstable();
        claimed
    }

    /// The type an item stands for when another change can explain it: a
    /// type that appears or vanishes, or a member of a type whose decoding
    /// changed (a struct a response starts or stops holding turns tolerant
    /// or strict: `model` decides by use, so its fields change with it).
    fn candidate_type<'i>(&self, item: &'i ItemChange) -> Option<&'i str> {
        if let Some(t) = item.whole_type() {
            return Some(t);
        }
        let (parent, _) = item.key.split_once("::")?;
        let tolerant = |api: &Api| api.type_named(parent).map(|t| t.tolerant);
        let changed = tolerant(&self.old_api) != tolerant(&self.new_api);
        changed.then_some(parent)
    }

    /// Is `item` (of type `name`) a member of a type whose decoding changed
    /// because a type that holds it, `c`'s, did (a response stops holding
    /// the webhook payload: its card, agreement, ... turn strict with it)?
    fn decoding_follows(&self, c: &ItemChange, item: &ItemChange, name: &str) -> bool {
        if item.whole_type().is_some() {
            return false;
        }
        let Some(holder) = self.candidate_type(c).filter(|_| c.whole_type().is_none()) else {
            return false;
        };
        [&self.old_api, &self.new_api]
            .iter()
            .any(|api| holds(api, holder, name))
    }

    /// Are `a` and `b` types added (or removed) together for one schema
    /// (a component and its request variant: `Api::types_for_pointer`)?
    fn same_schema(&self, a: &ItemChange, b: &ItemChange) -> bool {
        let (Some(a_name), Some(b_name)) = (a.whole_type(), b.whole_type()) else {
            return false;
        };
        if a.new.is_some() != b.new.is_some() {
            return false;
        }
        let api = if a.new.is_some() {
            &self.new_api
        } else {
            &self.old_api
        };
        api.type_named(a_name).is_some_and(|t| {
            api.types_for_pointer(&t.pointer)
                .iter()
                .any(|u| u.name == b_name)
        })
    }

    /// Does a member of the type `c` adds (or removes) name the type `name`?
    fn members_name(&self, c: &ItemChange, name: &str) -> bool {
        let Some(parent) = c.whole_type() else {
            return false;
        };
        let side = if c.new.is_some() {
            &self.surfaces.1
        } else {
            &self.surfaces.0
        };
        side.member_names(parent, name)
    }

    /// Generated items that change though no rule explains them (a
    /// component nothing refers to, added or removed): reported as one
    /// change, so the verdict is never lower than the models' difference.
    pub fn unexplained(&mut self) {
        let left: Vec<ItemChange> = self
            .items
            .iter()
            .zip(&self.claimed)
            .filter(|(_, c)| !**c)
            .map(|(i, _)| i.clone())
            .collect();
        if left.is_empty() {
            return;
        }
        let list = left
            .iter()
            .map(|i| i.key.trim_start_matches("type ").to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let impact = impact::of(
            Rule::GeneratedItemsChanged,
            &left.iter().collect::<Vec<_>>(),
        );
        self.out.push(Change {
            rule: Rule::GeneratedItemsChanged,
            severity: Rule::GeneratedItemsChanged.severity(),
            operation: None,
            part: Some("generated client".into()),
            at: self.new.origin(""),
            message: format!("generated items change: {list}"),
            old: None,
            new: None,
            client_impact: None,
            impact,
        });
    }
}

/// Does the type `holder` hold `held`, through fields, union branches or
/// aliases, at any depth?
fn holds(api: &Api, holder: &str, held: &str) -> bool {
    let mut todo = vec![holder.to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(n) = todo.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(t) = api.type_named(&n) else {
            continue;
        };
        let mut names = Vec::new();
        match &t.kind {
            model::TypeKind::Struct(fields) => fields
                .iter()
                .for_each(|f| surface::named(&f.ty, &mut names)),
            model::TypeKind::Union(vs) => vs.iter().for_each(|v| surface::named(&v.ty, &mut names)),
            model::TypeKind::Alias(ty) => surface::named(ty, &mut names),
            model::TypeKind::Enum(_) => {}
        }
        if names.iter().any(|x| x == held) {
            return true;
        }
        todo.extend(names);
    }
    false
}
