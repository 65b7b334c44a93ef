//! Visits every schema of an OpenAPI document, with its JSON pointer.
//!
//! Schema positions are found by structure (components, parameters, media
//! types, headers, then JSON Schema's own subschema keywords), never by
//! guessing from key names, so a property called `nullable` or `$ref` is
//! still just a property.

use serde_json::Value;

use crate::pointer;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keywords whose value is one subschema.
const SUB_ONE: [&str; 11] = [
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
];
/// Keywords whose value is an array of subschemas.
const SUB_ARRAY: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to subschemas.
const SUB_MAP: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Calls `f` on every schema object (pre-order: parents before children).
pub fn schemas_mut(doc: &mut Value, f: &mut dyn FnMut(&mut Value, &str)) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(map) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            for (name, s) in map.iter_mut() {
                schema_mut(s, &pointer::push("/components/schemas", name), f);
            }
        }
        for kind in ["parameters", "headers"] {
            if let Some(map) = components.get_mut(kind).and_then(Value::as_object_mut) {
                for (name, p) in map.iter_mut() {
                    parameter_mut(p, &pointer::push(&format!("/components/{kind}"), name), f);
                }
            }
        }
        if let Some(map) = components
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        {
            for (name, r) in map.iter_mut() {
                response_mut(r, &pointer::push("/components/responses", name), f);
            }
        }
        if let Some(map) = components
            .get_mut("requestBodies")
            .and_then(Value::as_object_mut)
        {
            for (name, r) in map.iter_mut() {
                content_mut(r, &pointer::push("/components/requestBodies", name), f);
            }
        }
        if let Some(map) = components
            .get_mut("pathItems")
            .and_then(Value::as_object_mut)
        {
            for (name, item) in map.iter_mut() {
                path_item_mut(item, &pointer::push("/components/pathItems", name), f);
            }
        }
    }
    for section in ["paths", "webhooks"] {
        if let Some(map) = root.get_mut(section).and_then(Value::as_object_mut) {
            for (name, item) in map.iter_mut() {
                path_item_mut(item, &pointer::push(&format!("/{section}"), name), f);
            }
        }
    }
}

fn path_item_mut(item: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    let Some(obj) = item.as_object_mut() else {
        return;
    };
    if let Some(params) = obj.get_mut("parameters").and_then(Value::as_array_mut) {
        for (i, p) in params.iter_mut().enumerate() {
            parameter_mut(p, &format!("{at}/parameters/{i}"), f);
        }
    }
    for method in METHODS {
        let Some(op) = obj.get_mut(method).and_then(Value::as_object_mut) else {
            continue;
        };
        let op_at = pointer::push(at, method);
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            for (i, p) in params.iter_mut().enumerate() {
                parameter_mut(p, &format!("{op_at}/parameters/{i}"), f);
            }
        }
        if let Some(body) = op.get_mut("requestBody") {
            content_mut(body, &format!("{op_at}/requestBody"), f);
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, r) in responses.iter_mut() {
                response_mut(r, &pointer::push(&format!("{op_at}/responses"), status), f);
            }
        }
    }
}

fn parameter_mut(p: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(s) = p.get_mut("schema") {
        schema_mut(s, &format!("{at}/schema"), f);
    }
    content_mut(p, at, f);
}

fn response_mut(r: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    content_mut(r, at, f);
    if let Some(headers) = r.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, h) in headers.iter_mut() {
            parameter_mut(h, &pointer::push(&format!("{at}/headers"), name), f);
        }
    }
}

fn content_mut(holder: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) {
        for (media, m) in content.iter_mut() {
            if let Some(s) = m.get_mut("schema") {
                schema_mut(
                    s,
                    &format!("{}/schema", pointer::push(&format!("{at}/content"), media)),
                    f,
                );
            }
        }
    }
}

/// Calls `f` on `schema` and then on each of its subschemas.
pub fn schema_mut(schema: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    if !schema.is_object() {
        return; // boolean schemas have nothing to visit
    }
    f(schema, at);
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    for key in SUB_ONE {
        if let Some(s) = obj.get_mut(key) {
            schema_mut(s, &pointer::push(at, key), f);
        }
    }
    for key in SUB_ARRAY {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for (i, s) in list.iter_mut().enumerate() {
                schema_mut(s, &format!("{at}/{key}/{i}"), f);
            }
        }
    }
    for key in SUB_MAP {
        if let Some(map) = obj.get_mut(key).and_then(Value::as_object_mut) {
            let base = pointer::push(at, key);
            for (name, s) in map.iter_mut() {
                schema_mut(s, &pointer::push(&base, name), f);
            }
        }
    }
}

/// Read-only variant of [`schemas_mut`]; clones nothing.
pub fn schemas(doc: &Value, f: &mut dyn FnMut(&Value, &str)) {
    // Used once per lint run: cloning ~100 KB once is cheaper to live with
    // than a second copy of the traversal for shared references.
    let mut copy = doc.clone();
    schemas_mut(&mut copy, &mut |s, at| f(s, at));
}

/// Every operation of a document: `(path, method, pointer, operation)`.
pub fn operations(doc: &Value) -> Vec<(String, String, String, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method).filter(|v| v.is_object()) {
                    let at = pointer::push(&pointer::push("/paths", path), method);
                    out.push((path.clone(), method.to_string(), at, op));
                }
            }
        }
    }
    out
}

/// The HTTP methods OpenAPI allows in a path item, in canonical order.
pub fn methods() -> &'static [&'static str] {
    &METHODS
}
