//! The JSON Schema keywords Credence implements, and the refusal of any other: a constraint a
//! checker ignores is worse than one it rejects, since the author believes it holds.

use serde_json::Value as Json;

/// Keywords that hold a schema.
const SUBSCHEMA: &[&str] = &["items", "additionalProperties"];
/// Keywords that hold a list of schemas.
const SUBSCHEMAS: &[&str] = &["anyOf", "oneOf", "allOf"];
/// Keywords that map names to schemas.
const SCHEMA_MAPS: &[&str] = &["properties", "$defs", "definitions"];
/// Keywords checked on values (see `validate.rs`), besides the structural ones above.
const CHECKED: &[&str] = &[
    "type",
    "enum",
    "const",
    "required",
    "format",
    "$ref",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
];
/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Checks every schema in the document for keywords Credence does not implement, and for
/// `$ref`s outside the document; the error names the keyword and where it is.
pub(super) fn check(root: &Json) -> Result<(), String> {
    let mut stack: Vec<(&Json, String)> = vec![(root, "#".to_string())];
    while let Some((node, at)) = stack.pop() {
        // `true`, `false` and other non-objects have no keywords.
        let Some(object) = node.as_object() else {
            continue;
        };
        for (key, value) in object {
            let here = format!("{at}/{}", escape(key));
            if SUBSCHEMA.contains(&key.as_str()) {
                stack.push((value, here));
            } else if SUBSCHEMAS.contains(&key.as_str()) {
                let list = value
                    .as_array()
                    .ok_or(format!("`{here}` must be a list of schemas"))?;
                for (i, item) in list.iter().enumerate() {
                    stack.push((item, format!("{here}/{i}")));
                }
            } else if SCHEMA_MAPS.contains(&key.as_str()) {
                let map = value
                    .as_object()
                    .ok_or(format!("`{here}` must be an object"))?;
                for (name, schema) in map {
                    stack.push((schema, format!("{here}/{}", escape(name))));
                }
            } else if key == "$ref" {
                let local = value.as_str().is_some_and(|r| r.starts_with('#'));
                if !local {
                    return Err(format!(
                        "`{here}`: only references inside the schema (`#/…`) are supported"
                    ));
                }
            } else if !CHECKED.contains(&key.as_str()) && !ANNOTATIONS.contains(&key.as_str()) {
                return Err(unsupported(key, &at));
            }
        }
    }
    Ok(())
}

fn unsupported(key: &str, at: &str) -> String {
    format!(
        "`{key}` at `{at}` is not supported: Credence would not check it. Supported: {}, {}, {}, {} (and annotations such as `description`)",
        SCHEMA_MAPS.join(", "),
        SUBSCHEMAS.join(", "),
        SUBSCHEMA.join(", "),
        CHECKED.join(", ")
    )
}

/// A key as a JSON Pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn refuses_what_it_would_not_check_and_names_where() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {"claim": {"type": "object", "properties": {
                "channel": {"type": "string", "pattern": "^[a-z]+$"}
            }}}
        });
        let error = check(&schema).expect_err("pattern is not implemented");
        assert!(
            error.starts_with("`pattern` at `#/properties/claim/properties/channel`"),
            "{error}"
        );
        let remote = serde_json::json!({"$ref": "https://example.org/other.json"});
        assert!(check(&remote).is_err());
    }

    #[test]
    fn accepts_what_it_checks() {
        let schema = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "required": ["n"],
            "additionalProperties": false,
            "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 10},
                           "s": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/s"}]}},
            "$defs": {"s": {"type": "string", "maxLength": 3, "enum": ["a"]}}
        });
        assert_eq!(check(&schema), Ok(()));
    }
}
