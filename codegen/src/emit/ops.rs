//! Operations -> `operations.rs`: one async method per operation on
//! `Client`, and one error enum per operation.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{cfg_any, doc::clean, doc_raw, gated, ident, ty_tokens};
use crate::model::{
    Api, AuthKind, BodyEncoding, OperationDef, Param, ParamLocation, PathPart, RawSuccess, Retry,
    StatusMatch, Ty, TypeKind,
};

pub(super) fn operations(api: &Api) -> TokenStream {
    let (ops, requests): (Vec<_>, Vec<_>) = api
        .operations
        .iter()
        .map(|op| {
            let cfg = cfg_any(op.group.as_slice());
            let (method, request) = operation(api, op);
            (gated(&cfg, method), gated(&cfg, request))
        })
        .unzip();
    let webhook = api.webhook_payload.as_deref().map(|name| {
        let name = ident(name);
        quote! {
            /// The payment result Ottu returns and POSTs to a merchant's
            /// `webhook_url`; check it with [`verify_webhook_signature`](crate::verify_webhook_signature) first.
            pub type WebhookPayload = types::#name;
        }
    });
    let secrets = &api.secret_fields;
    quote! {
        #![doc = " The operations of the specs, as methods of [`Client`](crate::Client), and their errors."]
        #![allow(clippy::doc_markdown, reason = "descriptions are the spec's prose, verbatim")]
        #[allow(unused_imports, reason = "not every spec set uses named types")]
        use crate::types;
        /// Field names whose values the client never shows: `Debug` prints
        /// such fields as `***`, and error excerpts mask them in any case,
        /// `_` or `-` spelling (`Type.name`: that type's field only). The
        /// specs' secret fields and the usual credentials.
        pub const SECRET_FIELDS: &[&str] = &[#(#secrets),*];
        #webhook
        #(#ops)*
        /// Each operation's request: what a method of [`Client`](crate::Client)
        /// returns, with setters for the operation's optional parameters and
        /// the options every call has (timeout, extra headers, retry policy).
        /// `.await` one for its typed result; `send_with_response()` adds
        /// the response's status and headers.
        pub mod requests {
            #[allow(unused_imports, reason = "not every spec set uses named types")]
            use super::*;
            #(#requests)*
        }
    }
}

fn is_enum(api: &Api, ty: &Ty) -> bool {
    matches!(ty, Ty::Named(n) if api.type_named(n).is_some_and(|t| matches!(t.kind, TypeKind::Enum(_))))
}

/// How a parameter is held by the request, taken by its setter, and turned
/// into text.
struct ParamShape {
    /// A required parameter: the method's argument and the request's field.
    borrowed: TokenStream,
    /// An optional one: the request's field (`Option<owned>`).
    owned: TokenStream,
    /// The setter's argument type.
    setter_arg: TokenStream,
    /// Setter argument -> owned.
    store: TokenStream,
    /// `Option<owned>` -> what the build code reads (`Option<&str>`, ...);
    /// `None` when it reads the field as it is.
    local: Option<TokenStream>,
    /// The value as text.
    to_text: TokenStream,
}

fn param_shape(api: &Api, p: &Param) -> ParamShape {
    let id = ident(&p.name);
    match &p.ty {
        Ty::String => ParamShape {
            borrowed: quote!(&'a str),
            owned: quote!(String),
            setter_arg: quote!(impl Into<String>),
            store: quote!(#id.into()),
            local: Some(quote!(#id.as_deref())),
            to_text: quote!(#id),
        },
        t @ (Ty::Integer | Ty::Boolean | Ty::Decimal) => {
            let ty = ty_tokens(t, true);
            ParamShape {
                borrowed: ty.clone(),
                owned: ty.clone(),
                setter_arg: ty,
                store: quote!(#id),
                local: None,
                to_text: quote!(#id),
            }
        }
        t if is_enum(api, t) => {
            let ty = ty_tokens(t, true);
            ParamShape {
                borrowed: ty.clone(),
                owned: ty.clone(),
                setter_arg: ty,
                store: quote!(#id),
                local: None,
                to_text: quote!(#id),
            }
        }
        Ty::Array(inner) => {
            let inner = ty_tokens(inner, true);
            ParamShape {
                borrowed: quote!(&'a [#inner]),
                owned: quote!(Vec<#inner>),
                setter_arg: quote!(impl Into<Vec<#inner>>),
                store: quote!(#id.into()),
                local: Some(quote!(#id.as_deref())),
                to_text: quote!(serde_json::to_string(#id).unwrap_or_default()),
            }
        }
        t => {
            let ty = ty_tokens(t, true);
            ParamShape {
                borrowed: quote!(&'a #ty),
                owned: ty.clone(),
                setter_arg: ty,
                store: quote!(#id),
                local: Some(quote!(#id.as_ref())),
                to_text: quote!(serde_json::to_string(#id).unwrap_or_default()),
            }
        }
    }
}

/// The pieces of an operation's request, gathered from its parameters,
/// body and files.
#[derive(Default)]
struct Inputs {
    /// The method's arguments (required inputs).
    args: Vec<TokenStream>,
    /// Their names, moved into the request.
    arg_names: Vec<TokenStream>,
    /// The request's fields.
    fields: Vec<TokenStream>,
    /// Optional inputs' names, `None` until set.
    unset: Vec<TokenStream>,
    /// Every field's name (destructured when sent).
    names: Vec<TokenStream>,
    /// Optional inputs turned into what the build code reads.
    locals: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    /// The header parameters: wire name and how to set it.
    declared_headers: Vec<(String, String)>,
    /// Checks run before anything is sent.
    setup: Vec<TokenStream>,
}

fn setter_doc(what: &str, doc: Option<&str>) -> TokenStream {
    let text = match doc {
        Some(d) => format!("{what}: {}", clean(d)),
        None => format!("{what}."),
    };
    doc_raw(&text)
}

fn inputs(api: &Api, op: &OperationDef) -> Inputs {
    let mut inp = Inputs::default();
    for p in &op.params {
        let shape = param_shape(api, p);
        let id = ident(&p.name);
        let wire = &p.wire;
        inp.names.push(quote!(#id));
        let check = super::types::checks(wire, quote!(&#id), &p.checks, &p.ty);
        let location = match p.location {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        };
        if p.location == ParamLocation::Header {
            let how = if p.required {
                format!("the `{}` argument of `Client::{}`", p.name, op.method_name)
            } else {
                format!("`.{}(..)`", p.name)
            };
            inp.declared_headers.push((wire.clone(), how));
        }
        if p.required {
            let ty = shape.borrowed;
            inp.args.push(quote!(#id: #ty));
            inp.arg_names.push(quote!(#id));
            inp.fields.push(quote!(#id: #ty));
            inp.setup.push(check);
        } else {
            let owned = shape.owned;
            let arg = shape.setter_arg;
            let store = shape.store;
            let local = shape.local;
            inp.fields.push(quote!(#id: Option<#owned>));
            inp.unset.push(quote!(#id: None));
            if let Some(local) = local {
                inp.locals.push(quote!(let #id = #local;));
            }
            let doc = setter_doc(
                &format!("The optional {location} parameter `{wire}`"),
                p.doc.as_deref(),
            );
            inp.setters.push(quote! {
                #doc
                pub fn #id(mut self, #id: #arg) -> Self {
                    self.#id = Some(#store);
                    self
                }
            });
            if !check.is_empty() {
                inp.setup.push(quote! { if let Some(#id) = #id { #check } });
            }
        }
    }
    if let Some(b) = &op.body {
        let ty = ty_tokens(&b.ty, true);
        inp.names.push(quote!(body));
        if b.required {
            inp.args.push(quote!(body: &'a #ty));
            inp.arg_names.push(quote!(body));
            inp.fields.push(quote!(body: &'a #ty));
        } else {
            inp.fields.push(quote!(body: Option<&'a #ty>));
            inp.unset.push(quote!(body: None));
            inp.setters.push(quote! {
                /// The optional request body.
                pub fn body(mut self, body: &'a #ty) -> Self {
                    self.body = Some(body);
                    self
                }
            });
        }
        inp.setup
            .push(quote! { crate::Validate::validate(&body).map_err(|e| e.within("body"))?; });
        if let BodyEncoding::Multipart { files } = &b.encoding {
            for f in files {
                let id = ident(&f.name);
                inp.names.push(quote!(#id));
                if f.required {
                    inp.args.push(quote!(#id: crate::Upload));
                    inp.arg_names.push(quote!(#id));
                    inp.fields.push(quote!(#id: crate::Upload));
                } else {
                    inp.fields.push(quote!(#id: Option<crate::Upload>));
                    inp.unset.push(quote!(#id: None));
                    let doc = setter_doc(
                        &format!("The optional file part `{}`", f.wire),
                        f.doc.as_deref(),
                    );
                    inp.setters.push(quote! {
                        #doc
                        pub fn #id(mut self, #id: crate::Upload) -> Self {
                            self.#id = Some(#id);
                            self
                        }
                    });
                }
            }
        }
    }
    inp
}

/// `.idempotency_key(..)`: the same setter under one name on every
/// operation retried only with a key, whatever its header is called.
fn idempotency_alias(op: &OperationDef) -> Option<TokenStream> {
    let header = op.policy.idempotency_header.as_deref()?;
    let p = op
        .params
        .iter()
        .find(|p| p.location == ParamLocation::Header && p.wire.eq_ignore_ascii_case(header))?;
    if p.required || p.ty != Ty::String || op.params.iter().any(|p| p.name == "idempotency_key") {
        return None;
    }
    let setter = ident(&p.name);
    let doc = doc_raw(&format!(
        "The idempotency key, sent as `{}` (the same as [`{}`](Self::{})): one key per logical operation, kept across retries; with it a [`RetryPolicy`](crate::RetryPolicy) may repeat this request safely. An empty key is refused ([`Error::InvalidOption`](crate::Error::InvalidOption)).",
        p.wire, p.name, p.name
    ));
    Some(quote! {
        #doc
        pub fn idempotency_key(self, key: impl Into<String>) -> Self {
            self.#setter(key)
        }
    })
}

/// The method on `Client` that starts the operation's request, and the
/// request type (for the `requests` module).
fn operation(api: &Api, op: &OperationDef) -> (TokenStream, TokenStream) {
    let name = ident(&op.method_name);
    let err = ident(&op.error_type);
    let req_ty = ident(&op.request_type);
    let doc = method_doc(op);
    let inp = inputs(api, op);
    let path = path(op);
    let method = ident(&op.http_method);
    let policy = policy(op);
    let build = build(api, op);
    let (ret, arms, success_enum) = success(op);
    let arms = match_arms(op, arms);
    let error_enum = error_enum(op);
    let send = send(op);
    // Every success a file: nothing is left to match.
    let respond = if arms.is_empty() {
        quote!(Err(resp.unexpected()))
    } else {
        let unit = (ret.to_string() == "()").then(|| {
            quote!(#[allow(clippy::let_unit_value, reason = "an operation without a success body")])
        });
        quote! {
            let meta = resp.meta();
            #unit
            let value = match resp.status {
                #(#arms)*
                _ => Err(resp.unexpected()),
            }?;
            Ok(crate::Response::new(value, meta))
        }
    };
    let Inputs {
        args,
        arg_names,
        fields,
        unset,
        names,
        locals,
        setters,
        declared_headers,
        setup,
    } = inp;
    let alias = idempotency_alias(op);
    let declared = declared_headers
        .iter()
        .map(|(wire, how)| quote!((#wire, #how)));
    let method_name = &op.method_name;
    let request_doc = doc_raw(&format!(
        "A `{method_name}` call, started by [`Client::{method_name}`](crate::Client::{method_name}) with its required inputs. \
         Set optional parameters and per-request options with its setters, then `.await` it for the typed result \
         (or [`send_with_response`](Self::send_with_response) for status and headers beside it). \
         Nothing is sent until then; a bad option is [`Error::InvalidOption`](crate::Error::InvalidOption), before anything is sent."
    ));
    let struct_name = op.request_type.as_str();
    let client_method = quote! {
        #success_enum
        #error_enum
        impl crate::Client {
            #doc
            pub fn #name<'a>(&'a self, #(#args),*) -> requests::#req_ty<'a> {
                requests::#req_ty {
                    client: self,
                    #(#arg_names,)*
                    #(#unset,)*
                    options: crate::runtime::options::CallOptions::default(),
                }
            }
        }
    };
    let request = quote! {
        #request_doc
        #[must_use = "a request is sent only when awaited (or sent)"]
        pub struct #req_ty<'a> {
            pub(crate) client: &'a crate::Client,
            #(pub(crate) #fields,)*
            pub(crate) options: crate::runtime::options::CallOptions,
        }
        /// Shows no input: they may hold card tokens and wallet data.
        impl std::fmt::Debug for #req_ty<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#struct_name).finish_non_exhaustive()
            }
        }
        impl<'a> #req_ty<'a> {
            #(#setters)*
            #alias
            /// A timeout for this call (each attempt), instead of the
            /// client's. Zero is refused ([`Error::InvalidOption`](crate::Error::InvalidOption)).
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.timeout(timeout);
                self
            }
            /// An extra header for this call. Refused, before anything is
            /// sent ([`Error::InvalidOption`](crate::Error::InvalidOption)):
            /// `Authorization` and other credentials (only the configured
            /// [`Auth`](crate::Auth) sets them), headers the client derives
            /// (`Content-Type`, `Host`, ...), a header this operation declares
            /// (it has a typed setter), and a name or value not valid in HTTP.
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.options.header(name, value, &[#(#declared),*]);
                self
            }
            /// A retry policy for this call, instead of the client's. The
            /// operation's own decision still holds: one that moves money
            /// without an idempotency key is sent once whatever the policy.
            pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                self.options.retry(policy);
                self
            }
            /// Sends the request: the typed result (what `.await` does).
            pub async fn send(self) -> Result<#ret, crate::Error<#err>> {
                self.send_with_response().await.map(crate::Response::into_inner)
            }
            /// Sends the request: the typed result with the response's
            /// status and headers. Errors carry them too ([`Error::meta`](crate::Error::meta)).
            pub async fn send_with_response(self) -> Result<crate::Response<#ret>, crate::Error<#err>> {
                let Self { client, #(#names,)* options } = self;
                #(#locals)*
                #(#setup)*
                #[allow(unused_mut, reason = "not every operation adds to the request")]
                let mut req = client.request(reqwest::Method::#method, &[#(#path),*], #policy);
                #(#build)*
                req.options(options)?;
                #send
                #respond
            }
        }
        impl<'a> std::future::IntoFuture for #req_ty<'a> {
            type Output = Result<#ret, crate::Error<#err>>;
            type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
    (client_method, request)
}

/// Sends the request; statuses whose result is a file come back unread.
fn send(op: &OperationDef) -> TokenStream {
    let files: Vec<u16> = op
        .success
        .raw
        .iter()
        .filter_map(|(s, r)| match (s, r) {
            (StatusMatch::Code(c), RawSuccess::File) => Some(*c),
            _ => None,
        })
        .collect();
    if files.is_empty() {
        return quote!(let resp = client.send(req).await?;);
    }
    let value = match &op.success.enum_name {
        None => quote!(file),
        Some(name) => {
            let en = ident(name);
            let (last, rest) = files.split_last().unwrap_or((&0, &[]));
            let last = success_variant(StatusMatch::Code(*last));
            if rest.is_empty() {
                quote!(#en::#last(file))
            } else {
                let arms = rest.iter().map(|c| {
                    let v = success_variant(StatusMatch::Code(*c));
                    let c = Literal::u16_unsuffixed(*c);
                    quote!(#c => #en::#v(file),)
                });
                quote!(match file.status() { #(#arms)* _ => #en::#last(file) })
            }
        }
    };
    let codes = files.iter().map(|c| Literal::u16_unsuffixed(*c));
    quote! {
        let resp = match client.exchange(req, &[#(#codes),*]).await? {
            crate::runtime::client::Sent::File(file) => {
                let meta = file.meta(SECRET_FIELDS);
                return Ok(crate::Response::new(#value, meta));
            }
            crate::runtime::client::Sent::Read(resp) => resp,
        };
    }
}

/// The method's rustdoc: the spec's prose, the route, the body, the
/// schemes it accepts, and what a retry does.
fn method_doc(op: &OperationDef) -> TokenStream {
    let mut doc = clean(op.doc.as_deref().unwrap_or_default());
    doc.push_str(&format!(
        "\n\n`{} {}` (operationId `{}`).",
        op.http_method, op.path, op.id
    ));
    doc.push(' ');
    doc.push_str(&retry_doc(op));
    if let Some(body) = &op.body
        && let BodyEncoding::Multipart { files } = &body.encoding
    {
        doc.push_str("\n\nSent as `multipart/form-data`: each field of `body` a text part");
        for f in files {
            doc.push_str(&format!(
                ", `{}` the file part `{}` (streamed, with its file name and content type{})",
                f.name,
                f.wire,
                f.doc
                    .as_deref()
                    .map(|d| format!(": {}", clean(d)))
                    .unwrap_or_default()
            ));
        }
        doc.push('.');
    }
    for (status, raw) in &op.success.raw {
        doc.push_str(&match raw {
            RawSuccess::File => format!(
                "\n\nHTTP {}: a file, returned unread as a [`Download`](crate::Download) (bytes, a stream or a file, with its content type), never decoded as JSON.",
                status.key()
            ),
            RawSuccess::Redirect => format!(
                "\n\nHTTP {}: a [`Redirect`](crate::Redirect) with its `Location`, never followed (no credential goes to another host); [`Client::fetch_redirect`](crate::Client::fetch_redirect) fetches it without credentials.",
                status.key()
            ),
        });
    }
    doc.push_str("\n\n");
    doc.push_str(&request_doc(op));
    doc.push_str("\n\n");
    doc.push_str(&auth_doc(op));
    doc_raw(&doc)
}

/// How the call is made: the request it returns and its setters.
fn request_doc(op: &OperationDef) -> String {
    let mut setters: Vec<String> = op
        .params
        .iter()
        .filter(|p| !p.required)
        .map(|p| format!("`.{}(..)` (`{}`)", p.name, p.wire))
        .collect();
    if op.body.as_ref().is_some_and(|b| !b.required) {
        setters.push("`.body(..)`".into());
    }
    if let Some(BodyEncoding::Multipart { files }) = op.body.as_ref().map(|b| &b.encoding) {
        setters.extend(
            files
                .iter()
                .filter(|f| !f.required)
                .map(|f| format!("`.{}(..)`", f.name)),
        );
    }
    let optional = if setters.is_empty() {
        String::new()
    } else {
        format!(" Optional inputs: {}.", setters.join(", "))
    };
    format!(
        "Returns a [`{req}`](requests::{req}): `.await` it for the result, or `.send_with_response().await` for a [`Response`](crate::Response) with status and headers.{optional} Every call also takes `.timeout(..)`, `.header(..)` and `.retry(..)`.",
        req = op.request_type
    )
}

/// The `Auth` constructors of a kind.
fn auth_constructors(kind: &AuthKind) -> Option<&'static str> {
    Some(match kind {
        AuthKind::ApiKey => {
            "[`Auth::api_key`](crate::Auth::api_key) or [`Auth::public_key`](crate::Auth::public_key)"
        }
        AuthKind::Token => "[`Auth::token`](crate::Auth::token)",
        AuthKind::Basic => "[`Auth::basic`](crate::Auth::basic)",
        AuthKind::Bearer => "[`Auth::bearer`](crate::Auth::bearer)",
        AuthKind::Unsupported(_) | AuthKind::Combined(_) => return None,
    })
}

/// The runtime's `AuthKind` of a kind this client can send.
fn auth_kind_tokens(kind: &AuthKind) -> Option<TokenStream> {
    Some(match kind {
        AuthKind::ApiKey => quote!(crate::AuthKind::ApiKey),
        AuthKind::Token => quote!(crate::AuthKind::Token),
        AuthKind::Basic => quote!(crate::AuthKind::Basic),
        AuthKind::Bearer => quote!(crate::AuthKind::Bearer),
        AuthKind::Unsupported(_) | AuthKind::Combined(_) => return None,
    })
}

/// How a kind is sent, in words.
fn kind_text(kind: &AuthKind) -> String {
    match kind {
        AuthKind::ApiKey => "Api-Key".into(),
        AuthKind::Token => "Token".into(),
        AuthKind::Basic => "Basic".into(),
        AuthKind::Bearer => "Bearer".into(),
        AuthKind::Unsupported(why) => format!("{why}: not supported by this client"),
        AuthKind::Combined(_) => "several schemes at once: not supported by this client".into(),
    }
}

/// Schemes as the refusal names them: `basicAuth (Basic)`.
fn scheme_labels(names: &[String], kind: &AuthKind) -> Vec<String> {
    let how = kind_text(kind);
    names.iter().map(|n| format!("{n} ({how})")).collect()
}

/// What the operation accepts, for its rustdoc.
fn auth_doc(op: &OperationDef) -> String {
    let Some(schemes) = &op.security.schemes else {
        return "**Authentication**: the specs declare none for it; the configured [`Auth`](crate::Auth) is sent as is.".into();
    };
    let mut lines = Vec::new();
    for s in schemes {
        let names = s
            .names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        lines.push(match auth_constructors(&s.kind) {
            Some(ctor) => format!("- {ctor} ({names})"),
            None => format!("- {names}: {}", kind_text(&s.kind)),
        });
    }
    let refusal = if op.security.anonymous {
        "It may also be called without credentials: a configured [`Auth`](crate::Auth) it does not accept is left out, not sent."
    } else {
        "Any other configured [`Auth`](crate::Auth) is refused before anything is sent ([`Error::AuthNotAccepted`](crate::Error::AuthNotAccepted)); [`Auth::None`](crate::Auth::None) sends no credential."
    };
    format!(
        "**Authentication** (the spec's `security`):\n{}\n\n{refusal}",
        lines.join("\n")
    )
}

/// What a [`RetryPolicy`] does with this operation, as the spec decided.
fn retry_doc(op: &OperationDef) -> String {
    const POLICY: &str = "[`RetryPolicy`](crate::RetryPolicy)";
    let p = &op.policy;
    match (p.retry, p.moves_money) {
        (Retry::Safe, _) if p.read_only => {
            format!("It changes nothing: under a {POLICY} it is retried on transient failures.")
        }
        (Retry::Safe, _) => {
            format!("Safe to repeat: under a {POLICY} it is retried on transient failures.")
        }
        (Retry::IdempotencyKey, _) => format!(
            "Under a {POLICY} it is retried only when `{}` carries an idempotency key (the same on every attempt); without one it is sent once.",
            p.idempotency_header.as_deref().unwrap_or_default()
        ),
        (Retry::Never, true) => format!(
            "It moves money: sent once, whatever the {POLICY} says (a retry after a timeout could charge twice). A 2xx whose body does not decode is [`Error::Undecoded`](crate::Error::Undecoded) (`took_effect()` is true): the money moved; reconcile with the body it carries, never retry or fail the order on it."
        ),
        (Retry::Never, false) => format!(
            "Sent once, whatever the {POLICY} says: a retry after a timeout could repeat its effect."
        ),
    }
}

/// The operation's policy as the runtime reads it.
fn policy(op: &OperationDef) -> TokenStream {
    let retry = match (op.policy.retry, &op.policy.idempotency_header) {
        (Retry::Safe, _) => quote!(Safe),
        (Retry::IdempotencyKey, Some(header)) => quote!(IdempotencyKey(#header)),
        // A key with no header to carry it can never be set.
        (Retry::IdempotencyKey, None) | (Retry::Never, _) => quote!(Never),
    };
    let id = &op.id;
    let path = &op.path;
    let auth = match &op.security.schemes {
        None => quote!(crate::runtime::client::AuthRule::ANY),
        Some(schemes) => {
            let kinds = schemes.iter().filter_map(|s| auth_kind_tokens(&s.kind));
            let labels = schemes
                .iter()
                .flat_map(|s| scheme_labels(&s.names, &s.kind));
            let anonymous = op.security.anonymous;
            quote! {
                crate::runtime::client::AuthRule {
                    accepts: Some(&[#(#kinds),*]),
                    schemes: &[#(#labels),*],
                    anonymous: #anonymous,
                }
            }
        }
    };
    quote! {
        crate::runtime::client::OperationPolicy {
            id: #id,
            path: #path,
            retry: crate::runtime::retry::RetrySafety::#retry,
            secret_fields: SECRET_FIELDS,
            auth: #auth,
        }
    }
}

/// The path, as the runtime's literal and parameter parts.
fn path(op: &OperationDef) -> Vec<TokenStream> {
    op.path_parts
        .iter()
        .map(|part| match part {
            PathPart::Literal(s) => quote!(crate::runtime::client::PathPart::Literal(#s)),
            PathPart::Param(i) => {
                let p = &op.params[*i];
                let id = ident(&p.name);
                if p.ty == Ty::String {
                    quote!(crate::runtime::client::PathPart::Param(#id))
                } else {
                    quote!(crate::runtime::client::PathPart::Param(&#id.to_string()))
                }
            }
        })
        .collect()
}

/// Query parameters, headers and the body added to the request.
fn build(api: &Api, op: &OperationDef) -> Vec<TokenStream> {
    let mut build = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
    {
        let id = ident(&p.name);
        let wire = &p.wire;
        let text = param_shape(api, p).to_text;
        // A header value is checked (`?`): it must be sendable in HTTP.
        let call = match p.location {
            ParamLocation::Query => quote!(query),
            _ => quote!(header),
        };
        let fallible = (p.location != ParamLocation::Query).then(|| quote!(?));
        let add = match &p.ty {
            Ty::Array(inner)
                if !matches!(**inner, Ty::Array(_) | Ty::Map(_) | Ty::Object | Ty::Any) =>
            {
                quote! { for v in #id.iter() { req.#call(#wire, v)#fallible; } }
            }
            _ => quote! { req.#call(#wire, &#text)#fallible; },
        };
        if p.required {
            build.push(add);
        } else {
            build.push(quote! { if let Some(#id) = #id { #add } });
        }
    }
    match op.body.as_ref().map(|b| (b, &b.encoding)) {
        Some((b, BodyEncoding::Json)) => {
            if b.required {
                build.push(quote! { req.json(body)?; });
            } else {
                build.push(quote! { if let Some(body) = body { req.json(body)?; } });
            }
        }
        Some((_, BodyEncoding::Multipart { files })) => {
            let required = files.iter().filter(|f| f.required).map(|f| {
                let id = ident(&f.name);
                let wire = &f.wire;
                quote!((#wire, #id))
            });
            let optional: Vec<_> = files
                .iter()
                .filter(|f| !f.required)
                .map(|f| {
                    let id = ident(&f.name);
                    let wire = &f.wire;
                    quote!(if let Some(f) = #id { files.push((#wire, f)); })
                })
                .collect();
            let binding = if optional.is_empty() {
                quote!(let files)
            } else {
                quote!(let mut files)
            };
            build.push(quote! {
                #binding: Vec<(&'static str, crate::Upload)> = vec![#(#required),*];
                #(#optional)*
                req.multipart(&body, files)?;
            });
        }
        None => {}
    }
    build
}

/// Every documented status's arm, success and error, in OpenAPI's order:
/// exact statuses first, then ranges, then `default`.
fn match_arms(op: &OperationDef, mut arms: Arms) -> Vec<TokenStream> {
    let err = ident(&op.error_type);
    arms.extend(op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let decode = e.ty.is_some().then(|| quote!(resp.decode()?));
        let arm = match e.status {
            StatusMatch::Code(code) => {
                let c = Literal::u16_unsuffixed(code);
                match decode {
                    Some(d) => quote!(#c => Err(resp.api(#err::#v(#d))),),
                    None => quote!(#c => Err(resp.api(#err::#v)),),
                }
            }
            m => {
                let pattern = status_pattern(m);
                let value = match decode {
                    Some(d) => quote!(#err::#v { status, body: #d }),
                    None => quote!(#err::#v { status }),
                };
                quote!(#pattern => Err(resp.api(#value)),)
            }
        };
        (e.status.precedence(), arm)
    }));
    arms.sort_by_key(|(p, _)| *p);
    arms.into_iter().map(|(_, a)| a).collect()
}

/// The match pattern of a range or `default` (binding `status`).
fn status_pattern(m: StatusMatch) -> TokenStream {
    match m {
        StatusMatch::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote!(#c)
        }
        StatusMatch::Range(class) => {
            let lo = Literal::u16_unsuffixed(class * 100);
            let hi = Literal::u16_unsuffixed(class * 100 + 99);
            quote!(status @ #lo..=#hi)
        }
        StatusMatch::Default => quote!(status if !(200..=299).contains(&status)),
    }
}

/// The success pattern (no binding: success values do not carry the status).
fn success_pattern(m: StatusMatch) -> TokenStream {
    match m {
        StatusMatch::Range(class) => {
            let lo = Literal::u16_unsuffixed(class * 100);
            let hi = Literal::u16_unsuffixed(class * 100 + 99);
            quote!(#lo..=#hi)
        }
        m => status_pattern(m),
    }
}

fn success_variant(m: StatusMatch) -> proc_macro2::Ident {
    ident(&format!("Status{}", m.key()))
}

type Arms = Vec<(u8, TokenStream)>;

fn success(op: &OperationDef) -> (TokenStream, Arms, TokenStream) {
    let s = &op.success;
    match &s.enum_name {
        // Every success a file (returned before this match) or a redirect.
        None if !s.raw.is_empty() => {
            let (_, kind) = s.raw[0];
            let ret = raw_type(kind);
            let arms = s
                .raw
                .iter()
                .filter(|(_, r)| *r == RawSuccess::Redirect)
                .map(|(m, _)| {
                    let p = success_pattern(*m);
                    (m.precedence(), quote!(#p => Ok(resp.redirect()),))
                })
                .collect();
            (ret, arms, quote!())
        }
        None => {
            let ret = s.single().map_or(quote!(()), |t| ty_tokens(t, true));
            let decode = if s.single().is_some() {
                quote!(resp.decode())
            } else {
                quote!(Ok(()))
            };
            let mut arms: Arms = s
                .statuses
                .iter()
                .map(|(m, _)| {
                    let p = success_pattern(*m);
                    (m.precedence(), quote!(#p => #decode,))
                })
                .collect();
            // An undocumented 2xx is a success too: its body decodes as
            // the documented one (or is `Error::Undecoded`), never a
            // failure. Every success status decodes alike: one arm.
            let range = StatusMatch::Range(2);
            if !s
                .statuses
                .iter()
                .any(|(m, _)| matches!(m, StatusMatch::Range(2) | StatusMatch::Default))
            {
                arms = vec![(range.precedence(), quote!(200..=299 => #decode,))];
            }
            (ret, arms, quote!())
        }
        Some(name) => {
            let en = ident(name);
            // Exact statuses are their variant; a range variant carries the
            // actual status, as error ranges do.
            let variants = s.statuses.iter().map(|(m, t)| {
                let v = success_variant(*m);
                if let Some(kind) = s.raw_of(*m) {
                    let t = raw_type(kind);
                    let d = doc_raw(&format!("HTTP {}.", m.key()));
                    return quote!(#d #v(#t),);
                }
                let d = doc_raw(&match m {
                    StatusMatch::Code(c) => format!("HTTP {c}."),
                    _ => format!(
                        "HTTP {} (any status of the range not documented on its own).",
                        m.key()
                    ),
                });
                status_variant_decl(&d, &v, *m, t.as_ref())
            });
            let arms = s
                .statuses
                .iter()
                .filter(|(m, _)| s.raw_of(*m) != Some(RawSuccess::File))
                .map(|(m, t)| {
                    let v = success_variant(*m);
                    if let (StatusMatch::Code(c), Some(RawSuccess::Redirect)) = (*m, s.raw_of(*m)) {
                        let c = Literal::u16_unsuffixed(c);
                        return (m.precedence(), quote!(#c => Ok(#en::#v(resp.redirect())),));
                    }
                    let arm = match (*m, t.is_some()) {
                        (StatusMatch::Code(c), true) => {
                            let c = Literal::u16_unsuffixed(c);
                            quote!(#c => Ok(#en::#v(resp.decode()?)),)
                        }
                        (StatusMatch::Code(c), false) => {
                            let c = Literal::u16_unsuffixed(c);
                            quote!(#c => Ok(#en::#v),)
                        }
                        (m, true) => {
                            let p = status_pattern(m);
                            quote!(#p => Ok(#en::#v { status, body: resp.decode()? }),)
                        }
                        (m, false) => {
                            let p = status_pattern(m);
                            quote!(#p => Ok(#en::#v { status }),)
                        }
                    };
                    (m.precedence(), arm)
                })
                .collect();
            let status_arms = s.statuses.iter().map(|(m, t)| {
                status_arm(
                    &success_variant(*m),
                    *m,
                    t.is_some() || s.raw_of(*m).is_some(),
                )
            });
            let doc = doc_raw(&format!(
                "What a successful `{}` returns, by status.",
                op.method_name
            ));
            // A download holds an open response: it can be neither cloned nor compared.
            let derive = if s.raw.iter().any(|(_, r)| *r == RawSuccess::File) {
                quote!(#[derive(Debug)])
            } else {
                quote!(#[derive(Debug, Clone, PartialEq)])
            };
            let def = quote! {
                #doc
                #derive
                #[allow(clippy::large_enum_variant, reason = "decoded responses, moved rarely")]
                pub enum #en { #(#variants)* }
                impl #en {
                    /// The HTTP status.
                    pub fn status(&self) -> u16 {
                        match self { #(#status_arms)* }
                    }
                }
            };
            (quote!(#en), arms, def)
        }
    }
}

/// The runtime type of a success that is not JSON.
fn raw_type(kind: RawSuccess) -> TokenStream {
    match kind {
        RawSuccess::File => quote!(crate::Download),
        RawSuccess::Redirect => quote!(crate::Redirect),
    }
}

/// A variant of a success or error enum: an exact status is the variant
/// itself (with its body, if any); a range or `default` also carries the
/// actual status.
fn status_variant_decl(
    doc: &TokenStream,
    v: &proc_macro2::Ident,
    m: StatusMatch,
    ty: Option<&Ty>,
) -> TokenStream {
    let ty = ty.map(|t| ty_tokens(t, true));
    match (m, ty) {
        (StatusMatch::Code(_), Some(t)) => quote!(#doc #v(#t),),
        (StatusMatch::Code(_), None) => quote!(#doc #v,),
        (_, Some(t)) => quote!(#doc #v {
            /// The actual HTTP status.
            status: u16,
            /// The decoded body.
            body: #t,
        },),
        (_, None) => quote!(#doc #v {
            /// The actual HTTP status.
            status: u16,
        },),
    }
}

/// The `status()` arm of such a variant.
fn status_arm(v: &proc_macro2::Ident, m: StatusMatch, has_body: bool) -> TokenStream {
    match m {
        StatusMatch::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            if has_body {
                quote!(Self::#v(_) => #c,)
            } else {
                quote!(Self::#v => #c,)
            }
        }
        _ => quote!(Self::#v { status, .. } => *status,),
    }
}

fn error_enum(op: &OperationDef) -> TokenStream {
    let err = ident(&op.error_type);
    let variants = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let what = match e.status {
            StatusMatch::Code(c) => format!("HTTP {c}"),
            StatusMatch::Range(class) => format!(
                "HTTP {class}XX (any {}..={} status not documented on its own)",
                class * 100,
                class * 100 + 99
            ),
            StatusMatch::Default => {
                "`default` (any status outside 200..=299 not documented otherwise)".to_string()
            }
        };
        let text = match &e.doc {
            Some(d) => format!("{what}: {}", clean(d)),
            None => format!("{what}."),
        };
        let d = doc_raw(&text);
        status_variant_decl(&d, &v, e.status, e.ty.as_ref())
    });
    let status_arms = op
        .errors
        .iter()
        .map(|e| status_arm(&ident(&e.variant), e.status, e.ty.is_some()));
    let name_arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let n = &e.variant;
        match (e.status, &e.ty) {
            (StatusMatch::Code(_), Some(_)) => quote!(Self::#v(_) => #n,),
            (StatusMatch::Code(_), None) => quote!(Self::#v => #n,),
            _ => quote!(Self::#v { .. } => #n,),
        }
    });
    let body_arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        match (e.status, &e.ty) {
            (StatusMatch::Code(_), Some(_)) => quote!(Self::#v(b) => serde_json::to_value(b).ok(),),
            (StatusMatch::Code(_), None) => quote!(Self::#v => None,),
            (_, Some(_)) => quote!(Self::#v { body, .. } => serde_json::to_value(body).ok(),),
            _ => quote!(Self::#v { .. } => None,),
        }
    });
    let doc = doc_raw(&format!(
        "The documented error responses of `{}`. Transport failures and undocumented statuses are other variants of [`Error`](crate::Error).\n\n\
         A status is matched as OpenAPI says: its exact code first, then its range (`4XX`), then `default`. \
         Range and `default` variants carry the actual status. Statuses 200..=299 are never errors: \
         a `2XX` response is a success, and `default` only covers statuses outside 200..=299 \
         (it is the success type too when nothing else describes success). \
         A status nothing matches is [`Error::UnexpectedStatus`](crate::Error::UnexpectedStatus).",
        op.method_name
    ));
    let (status_body, name_body, json_body) = if op.errors.is_empty() {
        let never = quote!(match *self {});
        (never.clone(), never.clone(), never)
    } else {
        (
            quote!(match self { #(#status_arms)* }),
            quote!(match self { #(#name_arms)* }),
            quote!(match self { #(#body_arms)* }),
        )
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant, reason = "decoded responses, moved rarely")]
        pub enum #err { #(#variants)* }
        impl #err {
            /// The HTTP status.
            pub fn status(&self) -> u16 { #status_body }
            fn name(&self) -> &'static str { #name_body }
            fn json(&self) -> Option<serde_json::Value> { #json_body }
            /// What the body says, as Django REST Framework writes errors:
            /// `detail` (and its `code`), field errors as `path: message`
            /// at any depth, `non_field_errors`, list items. Secret values are not shown.
            pub fn messages(&self) -> Vec<String> {
                self.json().map(|v| crate::runtime::drf::messages(&v, SECRET_FIELDS)).unwrap_or_default()
            }
        }
        impl std::fmt::Display for #err {
            /// `HTTP 400 (BadRequest): payload.paymentData: Invalid.`
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "HTTP {} ({})", self.status(), self.name())?;
                crate::runtime::drf::write_messages(f, &self.messages())
            }
        }
    }
}
