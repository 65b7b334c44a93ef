//! Type definitions -> `types.rs`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{cfg_any, doc::clean, doc_attr, doc_raw, gated, ident, ty_tokens};
use crate::model::{
    Additional, Api, EnumVariant, Field, Shape, Ty, TypeDef, TypeKind, UnionVariant,
};

pub(super) fn types(api: &Api) -> TokenStream {
    let defs = api.types.iter().map(|t| {
        let cfg = cfg_any(t.groups.as_deref().unwrap_or_default());
        gated(&cfg, type_def(api, t))
    });
    quote! {
        #![doc = " Schemas of the specs as Rust types (see the crate docs for how they map)."]
        #![allow(clippy::doc_markdown, reason = "descriptions are the spec's prose, verbatim")]
        #(#defs)*
    }
}

fn type_def(api: &Api, t: &TypeDef) -> TokenStream {
    let mut doc = clean(t.doc.as_deref().unwrap_or_default());
    if t.request {
        doc.push_str("\n\nRequest variant: read-only properties are left out.");
    }
    if t.tolerant {
        doc.push_str(
            "\n\nDecoded tolerantly (a response type): every field is optional, a value \
             that does not fit its field is kept in `additional`, and so are \
             undeclared properties; a JSON array is never read as this object.",
        );
    }
    if matches!(t.kind, TypeKind::Struct(_)) {
        doc.push_str(
            "\n\nBuilt with `new` (its required fields) and chainable `with_` setters \
             (the optional ones); non-exhaustive, so a field Ottu adds later breaks no caller.",
        );
    }
    let doc = doc_raw(&format!("{}\n\nSchema: `{}`.", doc.trim(), t.pointer));
    let name = ident(&t.name);
    match &t.kind {
        TypeKind::Struct(fields) => structure(api, &doc, &name, t, fields),
        TypeKind::Enum(variants) => enumeration(&doc, &name, variants),
        TypeKind::Union(variants) => union(&doc, &name, t, variants),
        TypeKind::Alias(ty) => {
            let ty = ty_tokens(ty, false);
            quote! { #doc pub type #name = #ty; }
        }
    }
}

fn holds_named(ty: &Ty) -> bool {
    match ty {
        Ty::Named(_) => true,
        Ty::Array(t) | Ty::Map(t) | Ty::PassThrough(t) => holds_named(t),
        _ => false,
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v.and_then(|v| usize::try_from(v).ok()) {
        Some(v) => {
            let v = Literal::usize_unsuffixed(v);
            quote!(Some(#v))
        }
        None => quote!(None),
    }
}

fn opt_i64(v: Option<i64>) -> TokenStream {
    match v {
        Some(v) => {
            let v = Literal::i64_unsuffixed(v);
            quote!(Some(#v))
        }
        None => quote!(None),
    }
}

/// Constraint checks of one value (a field or a parameter).
pub(super) fn checks(
    json: &str,
    value: TokenStream,
    f: &crate::model::Checks,
    ty: &Ty,
) -> TokenStream {
    let mut out = TokenStream::new();
    if *ty == Ty::String && (f.min_length.is_some() || f.max_length.is_some()) {
        let (min, max) = (opt_u64(f.min_length), opt_u64(f.max_length));
        out.extend(quote! { crate::runtime::validate::length(#json, #value, #min, #max)?; });
    }
    if *ty == Ty::Integer && (f.minimum.is_some() || f.maximum.is_some()) {
        let (min, max) = (opt_i64(f.minimum), opt_i64(f.maximum));
        out.extend(quote! { crate::runtime::validate::range(#json, #value, #min, #max)?; });
    }
    out
}

fn field_type(t: &TypeDef, f: &Field) -> TokenStream {
    let mut ty = ty_tokens(&f.ty, false);
    if f.ty == Ty::Named(t.name.clone()) {
        ty = quote!(Box<#ty>);
    }
    match (f.required, f.nullable) {
        (true, false) => ty,
        (true, true) | (false, false) => quote!(Option<#ty>),
        (false, true) => quote!(crate::Nullable<#ty>),
    }
}

fn structure(
    api: &Api,
    doc: &TokenStream,
    name: &proc_macro2::Ident,
    t: &TypeDef,
    fields: &[Field],
) -> TokenStream {
    let _ = api;
    let decls = fields.iter().map(|f| {
        let id = ident(&f.name);
        let ty = field_type(t, f);
        let json = &f.json;
        let rename = (f.name != f.json).then(|| quote!(#[serde(rename = #json)]));
        let as_text = (f.ty == Ty::DecimalString)
            .then(|| quote!(#[serde(serialize_with = "crate::runtime::decimal::as_text")]));
        let skip = match (f.required, f.nullable) {
            _ if f.flatten => quote!(#[serde(flatten)]),
            (false, false) => quote!(#[serde(default, skip_serializing_if = "Option::is_none")]),
            (false, true) => {
                quote!(#[serde(default, skip_serializing_if = "crate::Nullable::is_absent")])
            }
            _ => quote!(),
        };
        let mut text = clean(f.doc.as_deref().unwrap_or_default());
        if !f.checks.is_empty() {
            let c = &f.checks;
            let parts: Vec<String> = [
                c.min_length.map(|v| format!("at least {v} characters")),
                c.max_length.map(|v| format!("at most {v} characters")),
                c.minimum.map(|v| format!("minimum {v}")),
                c.maximum.map(|v| format!("maximum {v}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            text.push_str(&format!("\n\nConstraints: {}.", parts.join(", ")));
        }
        if f.read_only {
            text.push_str("\n\nRead-only: sent by the server only.");
        }
        if f.spec_required && !f.required {
            text.push_str("\n\nRequired by the spec; `None` when the server leaves it out.");
        }
        let doc = doc_raw(&text);
        quote! { #doc #rename #as_text #skip pub #id: #ty, }
    });
    // Undeclared properties may hold anything, secrets included.
    let secret = fields.iter().any(|f| f.secret || f.flatten);
    let debug = if secret {
        let entries = fields.iter().map(|f| {
            let id = ident(&f.name);
            let n = &f.name;
            if f.secret {
                quote!(.field(#n, &"***"))
            } else if f.flatten {
                quote!(.field(#n, &crate::runtime::error::Masked(&self.#id, crate::SECRET_FIELDS)))
            } else {
                quote!(.field(#n, &self.#id))
            }
        });
        let n = name.to_string();
        quote! {
            /// Secret fields (card tokens, wallet payment data, credentials) print as `***`.
            impl std::fmt::Debug for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(#n) #(#entries)* .finish()
                }
            }
        }
    } else {
        quote!()
    };
    let derive_debug = (!secret).then(|| quote!(Debug,));
    // Nothing to require (every field of a tolerant type is optional): `default()` builds one.
    let derive_default = t.has_default().then(|| quote!(Default,));
    let builders = builders(name, t, fields);
    let validations = fields.iter().map(|f| {
        let id = ident(&f.name);
        let json = &f.json;
        let mut out = checks(json, quote!(&self.#id), &f.checks, &f.ty);
        if holds_named(&f.ty) {
            out.extend(
                quote! { crate::Validate::validate(&self.#id).map_err(|e| e.within(#json))?; },
            );
        }
        out
    });
    let de = deserialize(name, t, fields);
    quote! {
        #doc
        #[derive(#derive_debug #derive_default Clone, PartialEq, serde::Serialize)]
        #[non_exhaustive]
        pub struct #name { #(#decls)* }
        #builders
        #de
        #debug
        impl crate::Validate for #name {
            fn validate(&self) -> Result<(), crate::ValidationError> {
                #(#validations)*
                Ok(())
            }
        }
    }
}

/// The parameter type a constructor or setter takes for a value of `f`
/// (`String`s from anything `Into<String>`; a recursive field unboxed),
/// and how the taken value `v` becomes the field's value.
fn taken(t: &TypeDef, f: &Field, v: &TokenStream) -> (TokenStream, TokenStream) {
    let boxed = f.ty == Ty::Named(t.name.clone());
    let inner = ty_tokens(&f.ty, false);
    let (param, value) = match (&f.ty, f.required && f.nullable) {
        (Ty::String, false) => (quote!(impl Into<String>), quote!(#v.into())),
        (_, false) if boxed => (inner, quote!(Box::new(#v))),
        (_, false) => (inner, quote!(#v)),
        // Required but nullable: `new` takes the `Option` as it is held.
        (_, true) => (field_type(t, f), quote!(#v)),
    };
    let value = match (f.required, f.nullable) {
        (true, _) => value,
        (false, false) => quote!(Some(#value)),
        (false, true) => quote!(crate::Nullable::Present(#value)),
    };
    (param, value)
}

/// `new(required fields...)` and a `with_<field>` setter per optional field
/// (the shape `TypeDef::constructor_args` and `Field::setter` decide).
fn builders(name: &proc_macro2::Ident, t: &TypeDef, fields: &[Field]) -> TokenStream {
    let v = quote!(value);
    let args = t.constructor_args();
    let params = args.iter().map(|f| {
        let id = ident(&f.name);
        let (param, _) = taken(t, f, &v);
        quote!(#id: #param)
    });
    let inits = fields.iter().map(|f| {
        let id = ident(&f.name);
        if f.in_constructor() {
            let (_, value) = taken(t, f, &quote!(#id));
            if id == value.to_string() {
                quote!(#id,)
            } else {
                quote!(#id: #value,)
            }
        } else {
            quote!(#id: Default::default(),)
        }
    });
    let arg_list = args
        .iter()
        .map(|f| format!("`{}`", f.json))
        .collect::<Vec<_>>()
        .join(", ");
    let new_doc = if args.is_empty() {
        format!(" A `{name}` with no field set; set them with the `with_` setters.")
    } else {
        format!(
            " A `{name}` from its required fields ({arg_list}); set optional ones with the `with_` setters."
        )
    };
    let setters = fields.iter().filter_map(|f| {
        let setter = ident(&f.setter()?);
        let id = ident(&f.name);
        let (param, value) = taken(t, f, &v);
        let doc = format!(" Sets `{}`.", f.json);
        let null = f
            .nullable
            .then(|| quote!(#[doc = ""] #[doc = " To send `null`, assign `Nullable::Null` to the field."]));
        Some(quote! {
            #[doc = #doc]
            #null
            #[must_use]
            pub fn #setter(mut self, #v: #param) -> Self {
                self.#id = #value;
                self
            }
        })
    });
    let too_many = (args.len() > 7).then(
        || quote!(#[allow(clippy::too_many_arguments, reason = "one argument per required field of the spec")]),
    );
    quote! {
        impl #name {
            #[doc = #new_doc]
            #too_many
            #[must_use]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* }
            }
            #(#setters)*
        }
    }
}

/// Field by field through `runtime::object` (never from a JSON array):
/// tolerant types keep what does not fit, strict ones name the field.
fn deserialize(name: &proc_macro2::Ident, t: &TypeDef, fields: &[Field]) -> TokenStream {
    let n = t.name.as_str();
    let inits = fields.iter().filter(|f| !f.flatten).map(|f| {
        let id = ident(&f.name);
        let json = &f.json;
        let take = match (t.tolerant, f.required, f.nullable) {
            (true, _, true) => quote!(o.take_nullable(#json)),
            (true, _, false) => quote!(o.take(#json)),
            (false, true, _) => quote!(o.required::<_, D::Error>(#json)?),
            (false, false, _) => quote!(o.optional::<_, D::Error>(#json)?),
        };
        quote!(#id: #take,)
    });
    let rest = fields.iter().filter(|f| f.flatten).map(|f| {
        let id = ident(&f.name);
        quote!(#id: o.rest(),)
    });
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let mut o = crate::runtime::object::Object::read(d, #n)?;
                Ok(Self { #(#inits)* #(#rest)* })
            }
        }
    }
}

fn enumeration(
    doc: &TokenStream,
    name: &proc_macro2::Ident,
    variants: &[EnumVariant],
) -> TokenStream {
    let decls = variants.iter().map(|v| {
        let id = ident(&v.name);
        let d = doc_attr(&v.doc);
        quote!(#d #id,)
    });
    let to_str = variants.iter().map(|v| {
        let id = ident(&v.name);
        let s = &v.value;
        quote!(Self::#id => #s,)
    });
    let from_str = variants.iter().map(|v| {
        let id = ident(&v.name);
        let s = &v.value;
        quote!(#s => Self::#id,)
    });
    quote! {
        #doc
        ///
        /// Values this client does not know yet decode as `Unknown` instead of failing.
        /// Non-exhaustive: a `match` needs a `_` arm, so a value Ottu adds later
        /// breaks no caller.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#decls)*
            /// A value this version of the client does not know, kept as sent.
            Unknown(String),
        }
        impl #name {
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self { #(#to_str)* Self::Unknown(s) => s }
            }
        }
        impl From<&str> for #name {
            fn from(s: &str) -> Self {
                match s { #(#from_str)* other => Self::Unknown(other.to_string()) }
            }
        }
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(s.as_ref()))
            }
        }
        impl crate::Validate for #name {
            fn validate(&self) -> Result<(), crate::ValidationError> {
                Ok(())
            }
        }
    }
}

fn str_list(items: &[String]) -> TokenStream {
    quote!(&[#(#items),*])
}

fn opt_types(t: &Option<Vec<String>>) -> TokenStream {
    match t {
        Some(t) => {
            let l = str_list(t);
            quote!(Some(#l))
        }
        None => quote!(None),
    }
}

fn shape(s: &Shape) -> TokenStream {
    let types = opt_types(&s.types);
    let required = str_list(&s.required);
    let props = s.properties.iter().map(|(n, t)| {
        let t = opt_types(t);
        quote!((#n, #t))
    });
    let additional = match &s.additional {
        Additional::Any => quote!(crate::runtime::union::Additional::Any),
        Additional::Forbidden => quote!(crate::runtime::union::Additional::Forbidden),
        Additional::Types(t) => {
            let l = str_list(t);
            quote!(crate::runtime::union::Additional::Types(#l))
        }
    };
    quote! {
        crate::runtime::union::Shape { types: #types, required: #required, properties: &[#(#props),*], additional: #additional }
    }
}

fn union(
    doc: &TokenStream,
    name: &proc_macro2::Ident,
    t: &TypeDef,
    variants: &[UnionVariant],
) -> TokenStream {
    let decls = variants.iter().map(|v| {
        let id = ident(&v.name);
        let ty = ty_tokens(&v.ty, false);
        let d = doc_attr(&format!(
            "Required properties: {}.",
            if v.shape.required.is_empty() {
                "none".to_string()
            } else {
                v.shape
                    .required
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
        quote!(#d #id(#ty),)
    });
    let ser = variants.iter().map(|v| {
        let id = ident(&v.name);
        quote!(Self::#id(v) => v.serialize(s),)
    });
    let val = variants.iter().map(|v| {
        let id = ident(&v.name);
        quote!(Self::#id(v) => crate::Validate::validate(v),)
    });
    let name_str = t.name.clone();
    let de = variants.iter().enumerate().map(|(i, v)| {
        let i = Literal::usize_unsuffixed(i);
        let id = ident(&v.name);
        let vn = v.name.clone();
        quote!(Some(#i) => serde_json::from_str(raw.get()).map(Self::#id).map_err(|e| D::Error::custom(format_args!("{} ({}): {e}", #name_str, #vn))),)
    });
    let shapes = variants.iter().map(|v| shape(&v.shape));
    let names = variants
        .iter()
        .map(|v| v.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let none_msg = format!("{name_str}: the value fits none of {names}");
    quote! {
        #doc
        ///
        /// Decoded by content (type, required properties, property types;
        /// the most specific branch wins), never by trying each in turn.
        /// Non-exhaustive: a `match` needs a `_` arm.
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant, reason = "decoded responses, moved rarely")]
        #[non_exhaustive]
        pub enum #name { #(#decls)* }
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { #(#ser)* }
            }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                const SHAPES: &[crate::runtime::union::Shape] = &[#(#shapes),*];
                // Raw text, so the branch decodes amounts with their digits.
                let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
                let value: serde_json::Value = serde_json::from_str(raw.get()).map_err(D::Error::custom)?;
                match crate::runtime::union::choose(&value, SHAPES) {
                    #(#de)*
                    _ => Err(D::Error::custom(#none_msg)),
                }
            }
        }
        impl crate::Validate for #name {
            fn validate(&self) -> Result<(), crate::ValidationError> {
                match self { #(#val)* }
            }
        }
    }
}
