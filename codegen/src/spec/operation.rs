//! The typed view of one operation: parameters, request body, responses,
//! media types and security requirements, each resolved through `$ref` and
//! carrying the JSON pointer (in the merged document) it came from.
//!
//! This is the one place that indexes an operation's `parameters`,
//! `requestBody`, `responses` and `security`: model, lint, diff, the
//! validators, the mock and the suite all read through it. The loader
//! checks the shapes read here ([`super::check`]), so the view never has to
//! skip a construct it cannot represent.

use serde_json::Value;

use super::{Policy, Spec, Status};
use crate::pointer;

/// One operation of the merged document.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    pub path: &'a str,
    /// Lower case (`get`, `post`, ...).
    pub method: &'a str,
    pub id: Option<&'a str>,
    /// The raw operation object (summary, description, extensions).
    pub value: &'a Value,
    pub(crate) spec: &'a Spec,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamIn {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamIn {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "path" => Self::Path,
            "query" => Self::Query,
            "header" => Self::Header,
            "cookie" => Self::Cookie,
            _ => return None,
        })
    }

    /// The spec's spelling (`path`, `query`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
        }
    }
}

/// One parameter, `$ref` resolved.
#[derive(Debug, Clone)]
pub struct Parameter<'a> {
    pub name: &'a str,
    pub location: ParamIn,
    /// Path parameters are always required.
    pub required: bool,
    /// The schema as written (may be a `$ref`); `true` when absent.
    pub schema: &'a Value,
    /// The resolved parameter object (description, examples, extensions).
    pub value: &'a Value,
    /// `/paths/<path>/<method>/parameters/<i>`.
    pub pointer: String,
}

impl Parameter<'_> {
    /// Pointer of the parameter's schema.
    pub fn schema_pointer(&self) -> String {
        pointer::push(&self.pointer, "schema")
    }
}

/// What a media type is, for choosing a decoder or encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// `application/json`, `application/*+json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/*`.
    Multipart,
    /// `text/*`.
    Text,
    /// Anything else: bytes (`application/pdf`, `application/octet-stream`, ...).
    Binary,
}

impl MediaKind {
    /// The one rule for every consumer. Parameters (`; charset=...`) and
    /// case are ignored.
    pub fn of(media_type: &str) -> Self {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence == "application/json" || essence.ends_with("+json") {
            Self::Json
        } else if essence == "application/x-www-form-urlencoded" {
            Self::Form
        } else if essence.starts_with("multipart/") {
            Self::Multipart
        } else if essence.starts_with("text/") {
            Self::Text
        } else {
            Self::Binary
        }
    }
}

/// One entry of a `content` map.
#[derive(Debug, Clone)]
pub struct MediaType<'a> {
    /// As written (`application/json`).
    pub media_type: &'a str,
    pub kind: MediaKind,
    /// `None` when the media type declares no schema.
    pub schema: Option<&'a Value>,
    /// `.../content/<media type>`.
    pub pointer: String,
}

impl MediaType<'_> {
    /// Pointer of the schema.
    pub fn schema_pointer(&self) -> String {
        pointer::push(&self.pointer, "schema")
    }
}

/// The one rule for "the JSON body" of a `content` map: `application/json`
/// exactly, else the first other JSON media type.
pub fn json_of<'m, 'a>(content: &'m [MediaType<'a>]) -> Option<&'m MediaType<'a>> {
    content
        .iter()
        .find(|m| m.media_type.eq_ignore_ascii_case("application/json"))
        .or_else(|| content.iter().find(|m| m.kind == MediaKind::Json))
}

fn content_of<'a>(owner: &'a Value, owner_ptr: &str) -> Vec<MediaType<'a>> {
    let base = pointer::push(owner_ptr, "content");
    owner
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(mt, m)| MediaType {
            media_type: mt,
            kind: MediaKind::of(mt),
            schema: m.get("schema"),
            pointer: pointer::push(&base, mt),
        })
        .collect()
}

/// A request body, `$ref` resolved.
#[derive(Debug, Clone)]
pub struct RequestBody<'a> {
    pub required: bool,
    /// In document order.
    pub content: Vec<MediaType<'a>>,
    /// The resolved object (description, extensions).
    pub value: &'a Value,
    /// `/paths/<path>/<method>/requestBody`.
    pub pointer: String,
}

impl<'a> RequestBody<'a> {
    /// The JSON media type (see [`json_of`]).
    pub fn json(&self) -> Option<&MediaType<'a>> {
        json_of(&self.content)
    }

    /// The first media type of this kind.
    pub fn of_kind(&self, kind: MediaKind) -> Option<&MediaType<'a>> {
        self.content.iter().find(|m| m.kind == kind)
    }
}

/// One documented response, `$ref` resolved.
#[derive(Debug, Clone)]
pub struct Response<'a> {
    /// The key as written (`200`, `4XX`, `default`).
    pub key: &'a str,
    pub status: Status,
    /// In document order.
    pub content: Vec<MediaType<'a>>,
    /// The resolved response object (description, headers, extensions).
    pub value: &'a Value,
    /// `/paths/<path>/<method>/responses/<key>`.
    pub pointer: String,
}

impl<'a> Response<'a> {
    /// The JSON media type (see [`json_of`]).
    pub fn json(&self) -> Option<&MediaType<'a>> {
        json_of(&self.content)
    }

    /// The response's description.
    pub fn description(&self) -> Option<&'a str> {
        self.value.get("description").and_then(Value::as_str)
    }

    /// Declared response headers: `(name, resolved header object)`.
    pub fn headers(&self) -> Vec<(&'a str, &'a Value)> {
        self.value
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v))
            .collect()
    }
}

/// One alternative of an operation's `security`: every scheme named in it
/// must be satisfied (an empty one means "no authentication").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityRequirement<'a> {
    /// `(scheme name, scopes)`, in document order.
    pub schemes: Vec<(&'a str, Vec<&'a str>)>,
    /// `/paths/<path>/<method>/security/<i>`.
    pub pointer: String,
}

impl<'a> Operation<'a> {
    /// `/paths/<path>/<method>`.
    pub fn pointer(&self) -> String {
        pointer::push(&pointer::push("/paths", self.path), self.method)
    }

    /// `operationId`, or `"<METHOD> <path>"` when the spec gives none.
    pub fn id_or_default(&self) -> String {
        self.id
            .map(str::to_string)
            .unwrap_or_else(|| format!("{} {}", self.method.to_ascii_uppercase(), self.path))
    }

    pub fn summary(&self) -> Option<&'a str> {
        self.value.get("summary").and_then(Value::as_str)
    }

    pub fn description(&self) -> Option<&'a str> {
        self.value.get("description").and_then(Value::as_str)
    }

    /// Parameters in document order (path-level ones were pushed down by
    /// the loader), `$ref` resolved.
    pub fn parameters(&self) -> Vec<Parameter<'a>> {
        let base = pointer::push(&self.pointer(), "parameters");
        let spec = self.spec;
        self.value
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, raw)| {
                let p = spec.resolve(raw);
                let location = ParamIn::parse(p.get("in")?.as_str()?)?;
                Some(Parameter {
                    name: p.get("name")?.as_str()?,
                    location,
                    required: location == ParamIn::Path
                        || p.get("required") == Some(&Value::Bool(true)),
                    schema: p.get("schema").unwrap_or(&Value::Bool(true)),
                    value: p,
                    pointer: format!("{base}/{i}"),
                })
            })
            .collect()
    }

    /// The request body, `$ref` resolved.
    pub fn request_body(&self) -> Option<RequestBody<'a>> {
        let raw = self.value.get("requestBody")?;
        let value = self.spec.resolve(raw);
        let at = pointer::push(&self.pointer(), "requestBody");
        Some(RequestBody {
            required: value.get("required") == Some(&Value::Bool(true)),
            content: content_of(value, &at),
            value,
            pointer: at,
        })
    }

    /// Documented responses in document order; extension keys (`x-...`)
    /// are not responses.
    pub fn responses(&self) -> Vec<Response<'a>> {
        let base = pointer::push(&self.pointer(), "responses");
        self.value
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(key, raw)| {
                let status = Status::parse(key)?;
                let value = self.spec.resolve(raw);
                let at = pointer::push(&base, key);
                Some(Response {
                    key,
                    status,
                    content: content_of(value, &at),
                    value,
                    pointer: at,
                })
            })
            .collect()
    }

    /// The response an actual status selects: exact, then range, then `default`.
    pub fn response_for(&self, status: u16) -> Option<Response<'a>> {
        let mut all = self.responses();
        let i = Status::best(all.iter().map(|r| r.status), status)?;
        Some(all.swap_remove(i))
    }

    /// The security alternatives (the loader pushed the document's down).
    /// `None`: nothing declared anywhere; `Some([])`: explicitly none.
    pub fn security(&self) -> Option<Vec<SecurityRequirement<'a>>> {
        let list = self.value.get("security")?.as_array()?;
        let base = pointer::push(&self.pointer(), "security");
        Some(
            list.iter()
                .enumerate()
                .map(|(i, req)| SecurityRequirement {
                    schemes: req
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(name, scopes)| {
                            let scopes = scopes
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(Value::as_str)
                                .collect();
                            (name.as_str(), scopes)
                        })
                        .collect(),
                    pointer: format!("{base}/{i}"),
                })
                .collect(),
        )
    }

    /// True when the operation may be called without credentials
    /// (`security: []`, or an empty alternative).
    pub fn allows_anonymous(&self) -> bool {
        match self.security() {
            None => false,
            Some(reqs) => reqs.is_empty() || reqs.iter().any(|r| r.schemes.is_empty()),
        }
    }

    /// Ottu policy for this operation (overlay `x-ottu-*` extensions).
    pub fn policy(&self) -> Policy {
        Policy::of(self.value)
    }
}
