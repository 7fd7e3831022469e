//! Validating a case against the schema (`score --schema`): every violation, with its path.

use serde_json::Value as Json;

use super::Schema;
use crate::trace::format::number;

/// A problem found when validating a case against the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path of the bad value, such as `claim.published_at`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Schema {
    /// Checks a case against the schema; returns every violation, in document order.
    pub fn validate(&self, case: &Json) -> Vec<Violation> {
        let mut out = Vec::new();
        self.validate_node(&self.root, case, &mut String::new(), &mut out);
        out
    }

    fn validate_node(
        &self,
        schema: &Json,
        value: &Json,
        path: &mut String,
        out: &mut Vec<Violation>,
    ) {
        let schema = self.resolve(schema);
        for part in schema
            .get("allOf")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            self.validate_node(part, value, path, out);
        }
        if let Some(branches) = self.branches(schema) {
            return self.validate_any(&branches, value, path, out);
        }
        let types = Self::types(schema);
        let shown = if path.is_empty() {
            "(case)".to_string()
        } else {
            path.clone()
        };
        if !types.is_empty() && !types.iter().any(|t| fits(t, value)) {
            out.push(Violation {
                path: shown,
                message: format!("expected {}, found {}", types.join(" or "), describe(value)),
            });
            return;
        }
        if let Some(choices) = schema.get("enum").and_then(Json::as_array)
            && !choices.contains(value)
        {
            let list: Vec<String> = choices.iter().map(Json::to_string).collect();
            out.push(Violation {
                path: shown.clone(),
                message: format!("{value} is not one of {}", list.join(", ")),
            });
        }
        if let Some(constant) = schema.get("const")
            && constant != value
        {
            out.push(Violation {
                path: shown.clone(),
                message: format!("expected {constant}, found {}", describe(value)),
            });
        }
        for message in bounds(schema, value) {
            out.push(Violation {
                path: shown.clone(),
                message,
            });
        }
        if schema.get("format").and_then(Json::as_str) == Some("date-time")
            && let Some(text) = value.as_str()
            && crate::time::parse(text).is_err()
        {
            out.push(Violation {
                path: shown.clone(),
                message: format!("{text:?} is not an RFC 3339 timestamp"),
            });
        }
        match value {
            Json::Object(fields) => {
                if let Some(required) = schema.get("required").and_then(Json::as_array) {
                    for name in required.iter().filter_map(Json::as_str) {
                        if !fields.contains_key(name) {
                            out.push(Violation {
                                path: shown.clone(),
                                message: format!("missing required field `{name}`"),
                            });
                        }
                    }
                }
                let props = schema.get("properties").and_then(Json::as_object);
                let others = schema.get("additionalProperties");
                for (name, v) in fields {
                    let child = match (props.and_then(|p| p.get(name)), others) {
                        (Some(child), _) => child,
                        (None, Some(Json::Bool(false))) => {
                            out.push(Violation {
                                path: shown.clone(),
                                message: format!(
                                    "unexpected field `{name}` (the schema allows no others)"
                                ),
                            });
                            continue;
                        }
                        (None, Some(other)) if other.is_object() => other,
                        (None, _) => continue,
                    };
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                    self.validate_node(child, v, path, out);
                    path.truncate(len);
                }
            }
            Json::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        let len = path.len();
                        path.push_str(&format!("[{i}]"));
                        self.validate_node(item_schema, item, path, out);
                        path.truncate(len);
                    }
                }
            }
            _ => {}
        }
    }
}

impl Schema {
    /// A value against the branches of an `anyOf`: valid when one branch accepts it. Otherwise
    /// the violations of the one branch of the value's type, or a list of what would fit.
    fn validate_any(
        &self,
        branches: &[&Json],
        value: &Json,
        path: &mut String,
        out: &mut Vec<Violation>,
    ) {
        let mut typed = Vec::new();
        for branch in branches {
            let types = Self::types(branch);
            if !types.is_empty() && !types.iter().any(|t| fits(t, value)) {
                continue;
            }
            let mut found = Vec::new();
            self.validate_node(branch, value, path, &mut found);
            if found.is_empty() {
                return;
            }
            typed.push(found);
        }
        if typed.len() == 1 {
            out.extend(typed.pop().into_iter().flatten());
            return;
        }
        let fitting: Vec<String> = branches.iter().map(|b| self.describe_schema(b)).collect();
        out.push(Violation {
            path: if path.is_empty() {
                "(case)".into()
            } else {
                path.clone()
            },
            message: format!(
                "expected {}, found {}",
                fitting.join(" or "),
                describe(value)
            ),
        });
    }

    /// What a schema accepts, in words: `an RFC 3339 timestamp`, `a range`, `null`.
    fn describe_schema(&self, node: &Json) -> String {
        let types = Self::types(node);
        match types.as_slice() {
            ["string"] if node.get("format").and_then(Json::as_str) == Some("date-time") => {
                "an RFC 3339 timestamp".into()
            }
            ["object"] => match node.get("properties").and_then(Json::as_object) {
                Some(p) => format!(
                    "an object with {}",
                    p.keys()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => "an object".into(),
            },
            [] => "a value".into(),
            list => list.join(" or "),
        }
    }
}

/// A bound: its keyword, whether a measure satisfies it, and how to say it.
type Limit = (&'static str, fn(f64, f64) -> bool, &'static str);

/// The numeric, length and size bounds of `schema` that `value` breaks, in words.
fn bounds(schema: &Json, value: &Json) -> Vec<String> {
    let (measured, what) = match value {
        Json::Number(n) => (n.as_f64(), "the value"),
        Json::String(s) => (Some(s.chars().count() as f64), "the length"),
        Json::Array(items) => (Some(items.len() as f64), "the number of items"),
        _ => (None, ""),
    };
    let Some(actual) = measured else {
        return Vec::new();
    };
    let limits: &[Limit] = match value {
        Json::Number(_) => &[
            ("minimum", |a, b| a >= b, "at least"),
            ("maximum", |a, b| a <= b, "at most"),
            ("exclusiveMinimum", |a, b| a > b, "more than"),
            ("exclusiveMaximum", |a, b| a < b, "less than"),
        ],
        Json::String(_) => &[
            ("minLength", |a, b| a >= b, "at least"),
            ("maxLength", |a, b| a <= b, "at most"),
        ],
        _ => &[
            ("minItems", |a, b| a >= b, "at least"),
            ("maxItems", |a, b| a <= b, "at most"),
        ],
    };
    limits
        .iter()
        .filter_map(|(key, holds, words)| {
            let limit = schema.get(*key)?.as_f64()?;
            (!holds(actual, limit)).then(|| {
                format!(
                    "{what} must be {words} {}, but is {}",
                    number(limit),
                    number(actual)
                )
            })
        })
        .collect()
}

/// Whether a value is of the JSON Schema type `t`.
fn fits(t: &str, value: &Json) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn describe(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => format!("`{b}`"),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) => format!("the string {s:?}"),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::Schema;

    fn violations(schema: serde_json::Value, case: serde_json::Value) -> Vec<String> {
        let schema = Schema::parse(&schema.to_string()).expect("supported schema");
        schema
            .validate(&case)
            .into_iter()
            .map(|v| format!("{}: {}", v.path, v.message))
            .collect()
    }

    #[test]
    fn bounds_constants_and_other_fields_are_checked() {
        let schema = serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "killed": {"type": "integer", "minimum": 0, "maximum": 1000},
                "name": {"type": "string", "minLength": 2},
                "posts": {"type": "array", "maxItems": 1},
                "format": {"const": 1},
                "both": {"allOf": [{"type": "number"}, {"exclusiveMinimum": 0}]},
                "known_at": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        });
        let case = serde_json::json!({
            "killed": -1, "name": "x", "posts": [1, 2], "format": 2, "both": 0,
            "known_at": {"a": "t", "b": 3}, "extra": true
        });
        assert_eq!(
            violations(schema, case),
            [
                "killed: the value must be at least 0, but is -1",
                "name: the length must be at least 2, but is 1",
                "posts: the number of items must be at most 1, but is 2",
                "format: expected 1, found the number 2",
                "both: the value must be more than 0, but is 0",
                "known_at.b: expected string, found the number 3",
                "(case): unexpected field `extra` (the schema allows no others)",
            ]
        );
    }
}
