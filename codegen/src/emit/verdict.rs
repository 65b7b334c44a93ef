//! The client's verdict on a body -> `verdict.rs`: `decode_response`
//! (operation id and status -> the type the operation method decodes, as
//! its match does) and what each generated type absorbed while decoding
//! (`runtime::verdict::Absorbs`). `cargo xtask validate` prints it.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{cfg_any, gated, ident, ty_tokens};
use crate::model::{Api, Field, OperationDef, StatusMatch, Ty, TypeDef, TypeKind};

pub(super) fn verdict(api: &Api) -> TokenStream {
    let impls = api.types.iter().filter_map(|t| {
        let cfg = cfg_any(t.groups.as_deref().unwrap_or_default());
        absorbs(t).map(|a| gated(&cfg, a))
    });
    let arms = api.operations.iter().flat_map(|op| {
        let cfg = cfg_any(op.group.as_slice());
        arms(op).into_iter().map(move |a| quote!(#cfg #a))
    });
    // No operation, or every one in a group that may be off.
    let unused =
        (api.operations.is_empty() || !api.groups.is_empty()).then(|| quote!(let _ = body;));
    quote! {
        #![doc = " The client's verdict on a response body: does it decode, and what did decoding absorb."]
        use crate::runtime::verdict::{self as v, Absorbed, Absorbs};
        use crate::types;

        /// Decodes `body` as the response of `operation` (its `operationId`)
        /// with HTTP `status` would be decoded by the operation's method, and
        /// lists what decoding absorbed (missing fields, fields kept in
        /// `additional`, unknown enum values, numbers sent as strings).
        /// `None`: the operation is unknown, or does not document the status
        /// (the method returns `Error::UnexpectedStatus`).
        pub fn decode_response(operation: &str, status: u16, body: &[u8]) -> Option<crate::Verdict> {
            #unused
            match (operation, status) {
                #(#arms)*
                _ => None,
            }
        }

        #(#impls)*
    }
}

fn judge(ty: Option<&Ty>) -> TokenStream {
    match ty {
        Some(t) => {
            let name = t.short_name();
            let t = ty_tokens(t, true);
            quote!(v::judge::<#t>(#name, body))
        }
        None => quote!(v::no_body(body)),
    }
}

fn pattern(op: &str, m: StatusMatch) -> TokenStream {
    match m {
        StatusMatch::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote!((#op, #c))
        }
        StatusMatch::Range(class) => {
            let lo = Literal::u16_unsuffixed(class * 100);
            let hi = Literal::u16_unsuffixed(class * 100 + 99);
            quote!((#op, #lo..=#hi))
        }
        StatusMatch::Default => quote!((#op, s) if !(200..=299).contains(&s)),
    }
}

/// One operation's arms, most specific first, as its method matches.
fn arms(op: &OperationDef) -> Vec<TokenStream> {
    let id = op.id.as_str();
    let s = &op.success;
    let mut arms: Vec<(u8, TokenStream)> = Vec::new();
    let single_2xx = s.enum_name.is_none()
        && !s
            .statuses
            .iter()
            .any(|(m, _)| matches!(m, StatusMatch::Range(2) | StatusMatch::Default));
    if single_2xx {
        // The method decodes every 2xx as its one success type.
        let range = StatusMatch::Range(2);
        let j = judge(s.single());
        let p = pattern(id, range);
        arms.push((range.precedence(), quote!(#p => Some(#j),)));
    } else {
        for (m, t) in &s.statuses {
            let j = judge(if s.enum_name.is_none() {
                s.single()
            } else {
                t.as_ref()
            });
            let p = pattern(id, *m);
            arms.push((m.precedence(), quote!(#p => Some(#j),)));
        }
    }
    for e in &op.errors {
        let j = judge(e.ty.as_ref());
        let p = pattern(id, e.status);
        arms.push((e.status.precedence(), quote!(#p => Some(#j),)));
    }
    arms.sort_by_key(|(p, _)| *p);
    arms.into_iter().map(|(_, a)| a).collect()
}

fn absorbs(t: &TypeDef) -> Option<TokenStream> {
    let name = ident(&t.name);
    let body = match &t.kind {
        TypeKind::Alias(_) => return None,
        TypeKind::Struct(fields) => structure(fields),
        TypeKind::Enum(_) => quote! {
            if let Self::Unknown(value) = self {
                v::unknown(value, at, out);
            }
        },
        TypeKind::Union(variants) => {
            let arms = variants.iter().map(|u| {
                let id = ident(&u.name);
                quote!(Self::#id(value) => value.absorbs(at, out),)
            });
            quote!(match self { #(#arms)* })
        }
    };
    Some(quote! {
        impl Absorbs for types::#name {
            fn absorbs(&self, at: &str, out: &mut Vec<Absorbed>) {
                #body
            }
        }
    })
}

fn structure(fields: &[Field]) -> TokenStream {
    let kept = fields.iter().find(|f| f.flatten);
    let additional = match kept {
        Some(f) => {
            let id = ident(&f.name);
            quote!(Some(&self.#id))
        }
        None => quote!(None),
    };
    let each = fields.iter().filter(|f| !f.flatten).map(|f| {
        let id = ident(&f.name);
        let json = &f.json;
        let required = f.spec_required;
        match (f.required, f.nullable) {
            (true, _) => quote!(self.#id.absorbs(&v::child(at, #json), out);),
            (false, false) => {
                quote!(v::optional(self.#id.as_ref(), at, #json, #required, additional, out);)
            }
            (false, true) => {
                quote!(v::nullable(&self.#id, at, #json, #required, additional, out);)
            }
        }
    });
    let tail = kept.map(|f| {
        let id = ident(&f.name);
        quote!(v::kept(&self.#id, at, out);)
    });
    let each: Vec<TokenStream> = each.collect();
    if each.is_empty() && tail.is_none() {
        return quote!(let _ = (at, out););
    }
    let head = fields
        .iter()
        .any(|f| !f.flatten && !f.required)
        .then(|| quote!(let additional: Option<&serde_json::Map<String, serde_json::Value>> = #additional;));
    quote! {
        #head
        #(#each)*
        #tail
    }
}
