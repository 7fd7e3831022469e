//! The subset of JSON Schema that Credence reads: object `properties`, array `items`, `type`,
//! `format: date-time`, `enum`, `required` and local `$ref`s. Used to check rule paths
//! (`credence check --schema`) and to validate cases (`credence score --schema`).

use serde_json::Value as Json;

use crate::case::layout::Kind;

/// A loaded JSON Schema document.
#[derive(Debug, Clone)]
pub struct Schema {
    root: Json,
}

/// Why a rule path is not in the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathError {
    /// Index of the first segment the schema does not have.
    pub(crate) segment: usize,
    /// The properties available at that point.
    pub(crate) candidates: Vec<String>,
    /// True when the parent is a list (read it with a collection).
    pub(crate) through_list: bool,
}

/// A problem found when validating a case against the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path of the bad value, such as `claim.published_at`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Schema {
    /// Parses a schema from JSON text.
    pub fn parse(text: &str) -> Result<Schema, String> {
        let root: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if !root.is_object() {
            return Err("a schema must be a JSON object".into());
        }
        Ok(Schema { root })
    }

    fn resolve<'s>(&'s self, node: &'s Json) -> &'s Json {
        let mut node = node;
        for _ in 0..32 {
            match node.get("$ref").and_then(Json::as_str) {
                Some(pointer) => match pointer.strip_prefix('#').and_then(|p| self.root.pointer(p))
                {
                    Some(target) => node = target,
                    None => return node,
                },
                None => return node,
            }
        }
        node
    }

    fn types(node: &Json) -> Vec<&str> {
        match node.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The kind of value at `segments` under the root (or under a list item schema).
    pub(crate) fn lookup(
        &self,
        from: Option<&SchemaNode>,
        segments: &[&str],
    ) -> Result<(Kind, SchemaNode), PathError> {
        let mut node = self.resolve(from.map_or(&self.root, |n| &n.0));
        for (index, seg) in segments.iter().enumerate() {
            let properties = node.get("properties").and_then(Json::as_object);
            match properties.and_then(|p| p.get(*seg)) {
                Some(child) => node = self.resolve(child),
                None => {
                    return Err(PathError {
                        segment: index,
                        candidates: properties
                            .map(|p| p.keys().cloned().collect())
                            .unwrap_or_default(),
                        through_list: Self::types(node).contains(&"array"),
                    });
                }
            }
        }
        Ok((self.kind_of(node), SchemaNode(node.clone())))
    }

    fn kind_of(&self, node: &Json) -> Kind {
        let types: Vec<&str> = Self::types(node)
            .into_iter()
            .filter(|t| *t != "null")
            .collect();
        match types.as_slice() {
            ["string"] if node.get("format").and_then(Json::as_str) == Some("date-time") => {
                Kind::Time
            }
            ["string"] => Kind::Str,
            ["number"] | ["integer"] => Kind::Num,
            ["boolean"] => Kind::Bool,
            _ => Kind::Any,
        }
    }

    /// The schema of a list's items, when the node is an array.
    pub(crate) fn items(&self, node: &SchemaNode) -> Option<SchemaNode> {
        let node = self.resolve(&node.0);
        node.get("items")
            .map(|i| SchemaNode(self.resolve(i).clone()))
    }

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
        let types = Self::types(schema);
        let fits = |t: &str| match t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        };
        let shown = if path.is_empty() {
            "(case)".to_string()
        } else {
            path.clone()
        };
        if !types.is_empty() && !types.iter().any(|t| fits(t)) {
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
                if let Some(props) = schema.get("properties").and_then(Json::as_object) {
                    for (name, child) in props {
                        if let Some(v) = fields.get(name) {
                            let len = path.len();
                            if !path.is_empty() {
                                path.push('.');
                            }
                            path.push_str(name);
                            self.validate_node(child, v, path, out);
                            path.truncate(len);
                        }
                    }
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

/// A position in the schema (the schema of a list's items, say).
#[derive(Debug, Clone)]
pub(crate) struct SchemaNode(Json);

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
