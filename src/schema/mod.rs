//! The part of JSON Schema that Credence reads, used to check rule paths and the values compared
//! with them (`credence check --schema`, or the schema a rule set's header declares) and to
//! validate cases (`credence score --schema`). [`keywords`] lists what is supported and refuses
//! a schema with anything else, rather than ignore a constraint silently; [`validate`] checks
//! cases.

mod keywords;
mod validate;

use std::borrow::Cow;

use serde_json::Value as Json;

pub use validate::Violation;

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

impl Schema {
    /// Parses a schema from JSON text; refuses keywords Credence does not implement.
    pub fn parse(text: &str) -> Result<Schema, String> {
        let root: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if !root.is_object() {
            return Err("a schema must be a JSON object".into());
        }
        keywords::check(&root)?;
        Ok(Schema { root })
    }

    /// The schema as JSON text (what [`Schema::parse`] reads back to the same schema).
    pub(crate) fn text(&self) -> String {
        self.root.to_string()
    }

    fn resolve<'s>(&'s self, node: &'s Json) -> &'s Json {
        self.resolve_at(String::new(), node).1
    }

    /// `node` (at JSON pointer `pointer`) with its `$ref`s followed, and where it ends up.
    fn resolve_at<'s>(&'s self, pointer: String, node: &'s Json) -> (String, &'s Json) {
        let (mut pointer, mut node) = (pointer, node);
        for _ in 0..32 {
            let Some(target) = node.get("$ref").and_then(Json::as_str) else {
                break;
            };
            match target
                .strip_prefix('#')
                .and_then(|p| Some((p, self.root.pointer(p)?)))
            {
                Some((at, found)) => (pointer, node) = (at.to_string(), found),
                None => break,
            }
        }
        (pointer, node)
    }

    /// The schema at a position (`Value::pointer` would allocate for every step).
    fn at(&self, node: &SchemaNode) -> &Json {
        static NOTHING: Json = Json::Null;
        let mut at = &self.root;
        for token in node.0.split('/').skip(1) {
            let token = if token.contains('~') {
                Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
            } else {
                Cow::Borrowed(token)
            };
            let next = match at {
                Json::Object(fields) => fields.get(token.as_ref()),
                Json::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(next) => at = next,
                None => return &NOTHING,
            }
        }
        at
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
        let (mut pointer, mut node) = match from {
            Some(from) => self.resolve_at(from.0.clone(), self.at(from)),
            None => self.resolve_at(String::new(), &self.root),
        };
        for (index, seg) in segments.iter().enumerate() {
            let properties = node.get("properties").and_then(Json::as_object);
            match properties.and_then(|p| p.get(*seg)) {
                Some(child) => {
                    let escaped = if seg.contains(['~', '/']) {
                        Cow::Owned(seg.replace('~', "~0").replace('/', "~1"))
                    } else {
                        Cow::Borrowed(*seg)
                    };
                    (pointer, node) =
                        self.resolve_at(format!("{pointer}/properties/{escaped}"), child);
                }
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
        Ok((self.kind_of(node), SchemaNode(pointer)))
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
        self.enum_of(self.resolve(self.at(node)), 0)
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

    /// The fields of the object at `node` (the root when `None`) with their descriptions, for
    /// completion.
    pub(crate) fn properties(&self, node: Option<&SchemaNode>) -> Vec<(String, Option<String>)> {
        let node = self.resolve(node.map_or(&self.root, |n| self.at(n)));
        let mut out = Vec::new();
        for candidate in std::iter::once(node).chain(self.branches(node).into_iter().flatten()) {
            let fields = candidate.get("properties").and_then(Json::as_object);
            for (name, field) in fields.into_iter().flatten() {
                if out.iter().all(|(n, _)| n != name) {
                    let description = Self::description(self.resolve(field));
                    out.push((name.clone(), description));
                }
            }
        }
        out
    }

    /// What the schema says of the value at `node`: its description, its type in words and the
    /// strings it allows (for hover).
    pub(crate) fn documentation(
        &self,
        node: &SchemaNode,
    ) -> (Option<String>, String, Option<Vec<String>>) {
        let resolved = self.resolve(self.at(node));
        let mut types: Vec<String> = Self::types(resolved)
            .iter()
            .map(|t| t.to_string())
            .collect();
        for branch in self.branches(resolved).into_iter().flatten() {
            for t in Self::types(branch) {
                if !types.iter().any(|have| have == t) {
                    types.push(t.to_string());
                }
            }
        }
        if self.kind_of(resolved) == Kind::Time {
            types.retain(|t| t != "string");
            types.insert(0, "RFC 3339 timestamp".into());
        }
        let shown = if types.is_empty() {
            "any value".to_string()
        } else {
            types.join(" or ")
        };
        (Self::description(resolved), shown, self.enum_strings(node))
    }

    fn description(node: &Json) -> Option<String> {
        node.get("description")
            .and_then(Json::as_str)
            .map(str::to_string)
    }

    /// The schema of a list's items, when the node is an array.
    pub(crate) fn items(&self, node: &SchemaNode) -> Option<SchemaNode> {
        let (pointer, node) = self.resolve_at(node.0.clone(), self.at(node));
        let items = node.get("items")?;
        Some(SchemaNode(
            self.resolve_at(format!("{pointer}/items"), items).0,
        ))
    }
}

/// How deeply `anyOf` branches are followed when listing allowed values.
const MAX_BRANCH_DEPTH: usize = 8;

/// A position in the schema (the schema of a list's items, say): a JSON pointer into it, so a
/// position costs a short string, never a copy of the schema below it.
#[derive(Debug, Clone)]
pub(crate) struct SchemaNode(String);
