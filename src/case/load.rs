//! Streaming case loader: walks the JSON once, keeps only the laid-out paths, converts each to
//! the kind the rules read it as, and skips everything else without building it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use std::collections::HashMap;
use std::sync::Arc;

use crate::eval::interval::Interval;
use crate::time;

use super::layout::{Field, Kind, Layout, ObjectTree};
use super::{Case, ListData, NO_SYMBOL, Slot};
use crate::limits::Limits;

/// Why a case could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseError {
    /// The path of the bad field (`posts[3].at`), when known.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// 1-based line in the case text; 0 when the case was read from a parsed document (judged
    /// as of a moment), which has no lines: the path then names the place.
    pub line: usize,
    /// 1-based column (0 with line 0).
    pub column: usize,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "`{path}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CaseError {}

/// Loads a case from JSON text, reading only what `layout` lays out, within `limits`.
///
/// The whole text must be UTF-8, as JSON requires, including the parts no rule reads: the
/// parser skips those without looking inside their strings.
pub(crate) fn load_case(layout: &Layout, limits: &Limits, json: &[u8]) -> Result<Case, CaseError> {
    match std::str::from_utf8(json) {
        // Nearly every case: read as text, whose strings the parser need not check again.
        Ok(text) => {
            let case = load_with(layout, limits, |seed| {
                parse(seed, serde_json::Deserializer::from_str(text))
            })?;
            check_unread_values(json)?;
            Ok(case)
        }
        // Not UTF-8: bad text in a field the rules read is refused with its path, as it is
        // read; then bad text anywhere else.
        Err(bad) => {
            load_with(layout, limits, |seed| {
                parse(seed, serde_json::Deserializer::from_slice(json))
            })?;
            let (line, column) = position_of(json, bad.valid_up_to());
            Err(CaseError {
                path: None,
                message: "the case is not UTF-8 text (JSON must be)".to_string(),
                line,
                column,
            })
        }
    }
}

/// Reads a whole document into the root seed: nothing but white space may follow it.
fn parse<'de, R: serde_json::de::Read<'de>>(
    seed: ObjectSeed<'_, '_, '_>,
    mut de: serde_json::Deserializer<R>,
) -> Result<(), serde_json::Error> {
    seed.deserialize(&mut de)?;
    de.end()
}

/// Refuses what the loader skipped without decoding (fields no rule reads) when the JSON
/// parser refuses it once decoded: a `\u` escape of half a surrogate pair, or a number too
/// large for a float. The case then loads, or does not, the same way whether it is scored whole
/// or as of a moment (which parses the whole document). Both are rare (ASCII-only writers
/// escape emoji as surrogate pairs): only when one may be there is the whole document decoded.
fn check_unread_values(json: &[u8]) -> Result<(), CaseError> {
    if may_be_refused(json)
        && let Err(err) = serde_json::from_slice::<serde_json::Value>(json)
    {
        let text = err.to_string();
        let message = text
            .rfind(" at line ")
            .map_or(text.clone(), |cut| text[..cut].to_string());
        return Err(CaseError {
            path: None,
            message,
            line: err.line(),
            column: err.column(),
        });
    }
    Ok(())
}

/// Whether the text may hold an escape of a surrogate (`\uD…`), or a number a float may
/// overflow at: one with an exponent of three digits or more, or with 200 digits or more in a
/// row (with at most two digits of exponent, a number overflows only from 210 digits on:
/// 10^209 × 10^99 is beyond 10^308). This runs for every case: the bytes that start each are
/// searched for with `memchr`, then looked at closely.
fn may_be_refused(json: &[u8]) -> bool {
    let digit = |at: usize| json.get(at).is_some_and(u8::is_ascii_digit);
    let surrogate = || {
        memchr::memmem::find_iter(json, b"\\u")
            .any(|at| json.get(at + 2).is_some_and(|b| (b | 0x20) == b'd'))
    };
    // An exponent follows a digit: `1e308`, `2E-400`.
    let exponent = || {
        memchr::memchr2_iter(b'e', b'E', json).any(|at| {
            let first = at + 1 + usize::from(matches!(json.get(at + 1), Some(b'-' | b'+')));
            at > 0 && digit(at - 1) && digit(first) && digit(first + 1) && digit(first + 2)
        })
    };
    // A run of 199 digits or more holds a whole one of these 100-byte blocks.
    let long = || {
        json.chunks_exact(100)
            .any(|block| block.iter().all(u8::is_ascii_digit))
    };
    surrogate() || exponent() || long()
}

/// The 1-based line and column of byte `at` of `text`, as the JSON parser counts them.
fn position_of(text: &[u8], at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |n| n + 1);
    (line, column)
}

/// Loads a case from a parsed JSON document (a case judged as of a moment, say), as
/// [`load_case`] does from text, without writing it out and reading it again.
pub(crate) fn load_case_value(
    layout: &Layout,
    limits: &Limits,
    json: &serde_json::Value,
) -> Result<Case, CaseError> {
    load_with(layout, limits, |seed| seed.deserialize(json))
}

/// Loads a case by running `read` with the seed for its root object.
fn load_with(
    layout: &Layout,
    limits: &Limits,
    read: impl FnOnce(ObjectSeed<'_, '_, '_>) -> Result<(), serde_json::Error>,
) -> Result<Case, CaseError> {
    let ctx = Ctx {
        layout,
        limits,
        failure: RefCell::new(None),
        symbols: RefCell::new(HashMap::with_capacity_and_hasher(64, Default::default())),
    };
    let mut slots = vec![Slot::Missing; layout.records[0].slots.len()];
    let root = PathCtx {
        parent: None,
        seg: Seg::Root,
    };
    let seed = ObjectSeed {
        ctx: &ctx,
        record: 0,
        tree: &layout.records[0].tree,
        slots: &mut slots,
        path: &root,
    };
    let result = read(seed);
    match result {
        Ok(()) => {
            check_format(&slots[super::FORMAT_SLOT as usize])?;
            Ok(Case {
                slots: slots.into_boxed_slice(),
                symbols: ctx.symbols.borrow().len() as u32,
            })
        }
        Err(err) => {
            let (path, message) = ctx.failure.into_inner().unwrap_or_default();
            let message = message.unwrap_or_else(|| {
                let text = err.to_string();
                match text.rfind(" at line ") {
                    Some(cut) => text[..cut].to_string(),
                    None => text,
                }
            });
            Err(CaseError {
                path: Some(path).filter(|p| !p.is_empty()),
                message,
                line: err.line(),
                column: err.column(),
            })
        }
    }
}

/// A case's `format`: absent (format 1) or a version this engine reads.
fn check_format(slot: &Slot) -> Result<(), CaseError> {
    let newest = super::CASE_FORMAT;
    let message = match slot {
        Slot::Missing | Slot::Null => return Ok(()),
        Slot::Num(n) if n.fract() == 0.0 && *n >= 1.0 && *n <= newest as f64 => return Ok(()),
        Slot::Num(n) if *n > newest as f64 => format!(
            "the case is in format {n}, newer than this credence reads (up to {newest}): upgrade credence"
        ),
        _ => format!("expected a case format version from 1 to {newest}"),
    };
    Err(CaseError {
        path: Some("format".into()),
        message,
        line: 1,
        column: 1,
    })
}

struct Ctx<'l> {
    layout: &'l Layout,
    limits: &'l Limits,
    /// The innermost path where loading failed, and our own message for it.
    failure: RefCell<Option<(String, Option<String>)>>,
    /// Interned strings and their symbol numbers (foldhash, seeded per process: a string
    /// hashes in a few instructions, and symbols are numbered in order of first sight, so no
    /// output depends on the hash).
    symbols: RefCell<HashMap<Arc<str>, u32, foldhash::fast::RandomState>>,
}

impl Ctx<'_> {
    /// A string slot, interned when its slot asks for it.
    fn string(&self, text: &str, intern: bool) -> Slot {
        if !intern {
            return Slot::Str(text.into(), NO_SYMBOL);
        }
        let mut symbols = self.symbols.borrow_mut();
        if let Some((shared, symbol)) = symbols.get_key_value(text) {
            return Slot::Str(shared.clone(), *symbol);
        }
        let shared: Arc<str> = text.into();
        let symbol = symbols.len() as u32;
        symbols.insert(shared.clone(), symbol);
        Slot::Str(shared, symbol)
    }

    fn fail<E: de::Error>(&self, path: &PathCtx<'_>, message: String) -> E {
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some((path.render(), Some(message.clone())));
        }
        E::custom(message)
    }

    fn note_path(&self, path: &PathCtx<'_>) {
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some((path.render(), None));
        }
    }
}

enum Seg<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

/// The path being loaded, as a chain of borrowed segments: rendered only on error.
struct PathCtx<'p> {
    parent: Option<&'p PathCtx<'p>>,
    seg: Seg<'p>,
}

impl PathCtx<'_> {
    fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            segs.push(&p.seg);
            at = p.parent;
        }
        let mut out = String::new();
        for seg in segs.into_iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

/// A map key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Loads an object's laid-out fields into `slots`.
struct ObjectSeed<'c, 's, 'p> {
    ctx: &'c Ctx<'c>,
    record: u32,
    tree: &'c ObjectTree,
    slots: &'s mut [Slot],
    path: &'p PathCtx<'p>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        if self.path.parent.is_none() {
            return Err(self
                .ctx
                .fail(self.path, "a case must be a JSON object, found null".into()));
        }
        fill_null(self.tree, self.slots);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = SeenFields::default();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let path = PathCtx {
                parent: Some(self.path),
                seg: Seg::Key(&key),
            };
            let field = self.tree.field(&key);
            if let Some((index, _)) = field
                && !seen.insert(index)
            {
                return Err(self.ctx.fail(
                    &path,
                    format!("the field `{key}` appears twice in this object"),
                ));
            }
            let outcome = match field.map(|(_, f)| f) {
                // When evidence became known is checked wherever it is, so that a case is as
                // valid judged now as judged as of a moment.
                None if key == "known_at" && self.path.parent.is_none() => {
                    map.next_value_seed(KnownAtMap {
                        ctx: self.ctx,
                        path: &path,
                    })
                }
                None if key == "known_at" => map
                    .next_value_seed(ValueSeed {
                        ctx: self.ctx,
                        kind: Kind::Time,
                        intern: false,
                        path: &path,
                    })
                    .map(drop),
                None => map.next_value::<IgnoredAny>().map(drop),
                Some(Field::Object(tree)) => map.next_value_seed(ObjectSeed {
                    ctx: self.ctx,
                    record: self.record,
                    tree,
                    slots: self.slots,
                    path: &path,
                }),
                Some(Field::Slot(slot)) => {
                    let info = &self.ctx.layout.records[self.record as usize].slots[*slot as usize];
                    let seed = ValueSeed {
                        ctx: self.ctx,
                        kind: info.kind,
                        intern: info.intern,
                        path: &path,
                    };
                    map.next_value_seed(seed)
                        .map(|value| self.slots[*slot as usize] = value)
                }
            };
            outcome.inspect_err(|_| self.ctx.note_path(&path))?;
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self
            .ctx
            .fail(self.path, "expected an object, found true/false".into()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self
            .ctx
            .fail(self.path, "expected an object, found a number".into()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self
            .ctx
            .fail(self.path, "expected an object, found a number".into()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self
            .ctx
            .fail(self.path, "expected an object, found a number".into()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self
            .ctx
            .fail(self.path, "expected an object, found a string".into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self
            .ctx
            .fail(self.path, "expected an object, found a list".into()))
    }
}

/// The fields of one object already read, to refuse a duplicate key (JSON leaves their meaning
/// open; a later value silently replacing an earlier one would change a result unseen).
#[derive(Default)]
struct SeenFields {
    small: u64,
    large: Vec<usize>,
}

impl SeenFields {
    /// Records field `index`; false when it was already seen.
    fn insert(&mut self, index: usize) -> bool {
        if index < 64 {
            let bit = 1u64 << index;
            let new = self.small & bit == 0;
            self.small |= bit;
            new
        } else if self.large.contains(&index) {
            false
        } else {
            self.large.push(index);
            true
        }
    }
}

fn fill_null(tree: &ObjectTree, slots: &mut [Slot]) {
    for field in tree.fields.values() {
        match field {
            Field::Slot(s) => slots[*s as usize] = Slot::Null,
            Field::Object(inner) => fill_null(inner, slots),
        }
    }
}

/// Loads one value as `kind`.
/// The root `known_at` map: each value a time, a range of times or `null`.
struct KnownAtMap<'c, 'p> {
    ctx: &'c Ctx<'c>,
    path: &'p PathCtx<'p>,
}

impl<'de> DeserializeSeed<'de> for KnownAtMap<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KnownAtMap<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of case paths to the times they became known")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let path = PathCtx {
                parent: Some(self.path),
                seg: Seg::Key(&key),
            };
            map.next_value_seed(ValueSeed {
                ctx: self.ctx,
                kind: Kind::Time,
                intern: false,
                path: &path,
            })
            .inspect_err(|_| self.ctx.note_path(&path))?;
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

struct ValueSeed<'c, 'p> {
    ctx: &'c Ctx<'c>,
    kind: Kind,
    intern: bool,
    path: &'p PathCtx<'p>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Slot;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Slot, D::Error> {
        d.deserialize_any(self)
    }
}

impl ValueSeed<'_, '_> {
    fn wrong<E: de::Error>(&self, found: &str) -> E {
        self.ctx.fail(
            self.path,
            format!("expected {}, found {found}", self.kind.describe()),
        )
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.kind.describe())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Slot, E> {
        Ok(Slot::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Slot, E> {
        Ok(Slot::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Slot, E> {
        match self.kind {
            Kind::Any | Kind::Bool => Ok(Slot::Bool(v)),
            _ => Err(self.wrong(if v { "`true`" } else { "`false`" })),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Slot, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Slot, E> {
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Slot, E> {
        match self.kind {
            Kind::Any | Kind::Num => Ok(Slot::Num(v)),
            _ => Err(self.wrong(&format!("the number {v}"))),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Slot, E> {
        let limit = self.ctx.limits.string_bytes;
        if v.len() > limit {
            return Err(self.ctx.fail(
                self.path,
                format!(
                    "a string of {} bytes, over the limit of {}",
                    v.len(),
                    crate::files::bytes(limit as u64)
                ),
            ));
        }
        match self.kind {
            Kind::Any if time::looks_like_timestamp(v) => match time::parse(v) {
                Ok(ms) => Ok(Slot::Time(ms)),
                Err(_) => Ok(self.ctx.string(v, self.intern)),
            },
            Kind::Any | Kind::Str => Ok(self.ctx.string(v, self.intern)),
            Kind::Time => match time::parse(v) {
                Ok(ms) => Ok(Slot::Time(ms)),
                Err(e) => Err(self.ctx.fail(
                    self.path,
                    format!("expected an RFC 3339 timestamp, found {} ({e})", quoted(v)),
                )),
            },
            _ => Err(self.wrong(&format!("the string {}", quoted(v)))),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Slot, A::Error> {
        let layout = self.ctx.layout;
        let (stride, item_kind, tree) = match self.kind {
            Kind::Any => (1, None, None),
            Kind::List(record) => {
                let rec = &layout.records[record as usize];
                match rec.whole {
                    Some(whole) => (1, Some(&rec.slots[whole as usize]), None),
                    // Items are counted but nothing in them is read: accept any item.
                    None if rec.slots.is_empty() => (1, None, None),
                    None => (rec.slots.len(), None, Some((record, &rec.tree))),
                }
            }
            _ => return Err(self.wrong("a list")),
        };
        let mut slots: Vec<Slot> = Vec::with_capacity(seq.size_hint().unwrap_or(0) * stride);
        let mut index = 0;
        loop {
            let path = PathCtx {
                parent: Some(self.path),
                seg: Seg::Index(index),
            };
            if index == self.ctx.limits.list_items {
                // One more item would pass the limit: refuse it if there is one.
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(self.ctx.fail(
                        self.path,
                        format!(
                            "a list of more than {} items, over the limit",
                            self.ctx.limits.list_items
                        ),
                    ));
                }
                break;
            }
            let start = slots.len();
            slots.resize(start + stride, Slot::Missing);
            let more = match tree {
                Some((record, tree)) => seq.next_element_seed(ItemSeed {
                    seed: ObjectSeed {
                        ctx: self.ctx,
                        record,
                        tree,
                        slots: &mut slots[start..],
                        path: &path,
                    },
                }),
                None => {
                    let (kind, intern) =
                        item_kind.map_or((Kind::Any, false), |info| (info.kind, info.intern));
                    let seed = ValueSeed {
                        ctx: self.ctx,
                        kind,
                        intern,
                        path: &path,
                    };
                    if item_kind.is_none() && self.kind != Kind::Any {
                        // Counted, nothing inside read: keep plain values (the list may be
                        // shown as evidence), skip objects and lists.
                        seq.next_element_seed(ScalarSeed {
                            seed,
                            nested: Nested::Skip,
                        })
                        .map(|v| v.map(|v| slots[start] = v))
                    } else if kind == Kind::Any {
                        seq.next_element_seed(ScalarSeed {
                            seed,
                            nested: Nested::Reject,
                        })
                        .map(|v| v.map(|v| slots[start] = v))
                    } else {
                        seq.next_element_seed(seed)
                            .map(|v| v.map(|v| slots[start] = v))
                    }
                }
            }
            .inspect_err(|_| self.ctx.note_path(&path))?;
            if more.is_none() {
                slots.truncate(start);
                break;
            }
            index += 1;
        }
        Ok(Slot::List(ListData {
            stride: stride as u32,
            slots: slots.into_boxed_slice(),
        }))
    }

    /// A range: `{"min": 20, "max": 30}` for a number, `{"earliest": …, "latest": …}` for a
    /// timestamp; an end left out is open.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Slot, A::Error> {
        if !matches!(self.kind, Kind::Any | Kind::Num | Kind::Time) {
            return Err(self.wrong("an object"));
        }
        let mut range = RangeEnds::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let path = PathCtx {
                parent: Some(self.path),
                seg: Seg::Key(&key),
            };
            let Some((end, kind)) = RangeEnd::named(&key) else {
                return Err(self.ctx.fail(&path, self.range_keys(&key)));
            };
            if !matches!(self.kind, Kind::Any) && self.kind != kind {
                return Err(self.ctx.fail(&path, self.range_keys(&key)));
            }
            let seed = ValueSeed {
                ctx: self.ctx,
                kind,
                intern: false,
                path: &path,
            };
            let bound = match map.next_value_seed(seed)? {
                Slot::Num(n) => Some(n),
                Slot::Time(t) => Some(t as f64),
                _ => None, // null: this end is open
            };
            range
                .set(end, bound)
                .map_err(|message| self.ctx.fail(&path, message))?;
        }
        range
            .into_slot()
            .map_err(|message| self.ctx.fail(self.path, message))
    }
}

impl ValueSeed<'_, '_> {
    /// The error for a key that is not an end of the range this field may hold.
    fn range_keys(&self, key: &str) -> String {
        let keys = match self.kind {
            Kind::Num => "`min` and `max`",
            Kind::Time => "`earliest` and `latest`",
            _ => "`min` and `max` (a number) or `earliest` and `latest` (a timestamp)",
        };
        format!(
            "expected {} or a range with {keys}, found the key {}",
            self.kind.describe(),
            quoted(key)
        )
    }
}

/// One end of a range in a case.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeEnd {
    Min,
    Max,
    Earliest,
    Latest,
}

impl RangeEnd {
    /// The end a key names, and the kind of value it takes.
    fn named(key: &str) -> Option<(RangeEnd, Kind)> {
        Some(match key {
            "min" => (RangeEnd::Min, Kind::Num),
            "max" => (RangeEnd::Max, Kind::Num),
            "earliest" => (RangeEnd::Earliest, Kind::Time),
            "latest" => (RangeEnd::Latest, Kind::Time),
            _ => return None,
        })
    }

    fn key(self) -> &'static str {
        match self {
            RangeEnd::Min => "min",
            RangeEnd::Max => "max",
            RangeEnd::Earliest => "earliest",
            RangeEnd::Latest => "latest",
        }
    }
}

/// The ends of a range read so far.
#[derive(Default)]
struct RangeEnds {
    time: Option<bool>,
    low: Option<Option<f64>>,
    high: Option<Option<f64>>,
}

impl RangeEnds {
    fn set(&mut self, end: RangeEnd, bound: Option<f64>) -> Result<(), String> {
        let time = matches!(end, RangeEnd::Earliest | RangeEnd::Latest);
        if self.time.is_some_and(|t| t != time) {
            return Err(
                "a range is either `min`/`max` (a number) or `earliest`/`latest` \
                        (a timestamp), not both"
                    .into(),
            );
        }
        self.time = Some(time);
        let slot = match end {
            RangeEnd::Min | RangeEnd::Earliest => &mut self.low,
            RangeEnd::Max | RangeEnd::Latest => &mut self.high,
        };
        if slot.is_some() {
            return Err(format!("`{}` is given twice", end.key()));
        }
        *slot = Some(bound);
        Ok(())
    }

    fn into_slot(self) -> Result<Slot, String> {
        let Some(time) = self.time else {
            return Err("an empty range: give `min`/`max` for a number or \
                        `earliest`/`latest` for a timestamp"
                .into());
        };
        let lo = self.low.flatten().unwrap_or(f64::NEG_INFINITY);
        let hi = self.high.flatten().unwrap_or(f64::INFINITY);
        let (low_key, high_key) = if time {
            ("earliest", "latest")
        } else {
            ("min", "max")
        };
        let Some(range) = Interval::new(lo, hi) else {
            return Err(format!("`{low_key}` is after `{high_key}`"));
        };
        Ok(match (time, range.is_point()) {
            (false, true) => Slot::Num(lo),
            (true, true) => Slot::Time(lo as i64),
            (false, false) => Slot::NumRange(range),
            (true, false) => Slot::TimeRange(range),
        })
    }
}

/// A list item that is an object.
struct ItemSeed<'c, 's, 'p> {
    seed: ObjectSeed<'c, 's, 'p>,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self.seed)
    }
}

/// What to do with an object or list found where a list item should be a plain value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nested {
    /// The rules read the items: an error naming the path.
    Reject,
    /// The rules only count the items: skip it.
    Skip,
}

/// An item of a list of plain values.
struct ScalarSeed<'c, 'p> {
    seed: ValueSeed<'c, 'p>,
    nested: Nested,
}

impl<'de> DeserializeSeed<'de> for ScalarSeed<'_, '_> {
    type Value = Slot;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Slot, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed<'_, '_> {
    type Value = Slot;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a plain value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Slot, E> {
        Ok(Slot::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Slot, E> {
        self.seed.visit_bool(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Slot, E> {
        self.seed.visit_i64(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Slot, E> {
        self.seed.visit_u64(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Slot, E> {
        self.seed.visit_f64(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Slot, E> {
        self.seed.visit_str(v)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Slot, A::Error> {
        if self.nested == Nested::Reject {
            return Err(self.seed.ctx.fail(
                self.seed.path,
                "expected a value, found a nested list".into(),
            ));
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Slot::Missing)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Slot, A::Error> {
        if self.nested == Nested::Reject {
            // The one object a plain value may be: a range.
            return self.seed.visit_map(map);
        }
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Slot::Missing)
    }
}

/// A case string for an error message: quoted, escaped, and cut short if long.
fn quoted(text: &str) -> String {
    const SHOWN: usize = 60;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::may_be_refused;

    #[test]
    fn what_the_parser_may_refuse_is_found_and_ordinary_text_is_not() {
        let long = format!(r#"{{"n":{}e99}}"#, "9".repeat(210));
        for refused in [
            r#"{"s":"\ud800"}"#,
            r#"{"s":"\uDC00"}"#,
            r#"{"n":1e308}"#,
            r#"{"n":2E-400}"#,
            r#"{"n":7e+7777}"#,
            long.as_str(),
        ] {
            assert!(may_be_refused(refused.as_bytes()), "{refused}");
        }
        let ordinary = format!(
            r#"{{"at":"2018-03-23T10:00:00Z","text":"the element 123 here","n":1e30,"s":"\u00e9","d":{}}}"#,
            "1".repeat(99)
        );
        assert!(!may_be_refused(ordinary.as_bytes()), "{ordinary}");
    }
}
