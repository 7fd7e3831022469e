//! The subset of JSON Schema that Credence reads: object `properties`, array `items`, `type`,
//! `format: date-time`, `enum`, `required`, `anyOf`/`oneOf` of those, and local `$ref`s. Used to check rule paths
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

    /// The branches of an `anyOf` or `oneOf`, resolved.
    fn branches<'s>(&'s self, node: &'s Json) -> Option<Vec<&'s Json>> {
        let list = node
            .get("anyOf")
            .or_else(|| node.get("oneOf"))
            .and_then(Json::as_array)?;
        Some(list.iter().map(|b| self.resolve(b)).collect())
    }

    fn kind_of(&self, node: &Json) -> Kind {
        // A value or a range of it (an object), or null: the value's kind.
        if let Some(branches) = self.branches(node) {
            let mut kinds = branches
                .into_iter()
                .filter(|b| !matches!(Self::types(b).as_slice(), ["null"] | ["object"]))
                .map(|b| self.kind_of(b));
            let first = kinds.next().unwrap_or(Kind::Any);
            return if kinds.all(|k| k == first) {
                first
            } else {
                Kind::Any
            };
        }
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

    /// The strings a value at `node` may be, when the schema lists them (`enum`, in every
    /// branch of an `anyOf` that is not `null`); `None` when any string is allowed.
    pub(crate) fn enum_strings(&self, node: &SchemaNode) -> Option<Vec<String>> {
        self.enum_of(self.resolve(&node.0), 0)
    }

    fn enum_of(&self, node: &Json, depth: usize) -> Option<Vec<String>> {
        if let Some(choices) = node.get("enum").and_then(Json::as_array) {
            return Some(
                choices
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect(),
            );
        }
        if depth >= MAX_BRANCH_DEPTH {
            return None;
        }
        let branches = self.branches(node)?;
        let mut all = Vec::new();
        for branch in branches {
            if Self::types(branch).as_slice() == ["null"] {
                continue;
            }
            all.extend(self.enum_of(branch, depth + 1)?);
        }
        Some(all)
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
                    for (name, v) in fields {
                        if let Some(child) = props.get(name) {
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

/// How deeply `anyOf` branches are followed when listing allowed values.
const MAX_BRANCH_DEPTH: usize = 8;

/// A position in the schema (the schema of a list's items, say).
#[derive(Debug, Clone)]
pub(crate) struct SchemaNode(Json);

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
