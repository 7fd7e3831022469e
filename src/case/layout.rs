//! Which case paths the rules read, with the type each is read as.
//!
//! Records are the case root and the items of each list the rules iterate; each has a tree of
//! object fields whose leaves are slot numbers. Nested objects are flattened into their record.

use indexmap::IndexMap;

use super::as_of::Step;

/// How a slot's JSON is read.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Any scalar, or a list of scalars.
    Any,
    /// true / false
    Bool,
    /// A number.
    Num,
    /// A string.
    Str,
    /// An RFC 3339 timestamp string.
    Time,
    /// A list whose items are laid out by the record with this id.
    List(u32),
}

impl Kind {
    /// How the kind is named to users.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Any => "a value",
            Kind::Bool => "true or false",
            Kind::Num => "a number",
            Kind::Str => "a string",
            Kind::Time => "an RFC 3339 timestamp",
            Kind::List(_) => "a list",
        }
    }
}

/// One slot of a record.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub(crate) struct SlotInfo {
    /// How it is read.
    pub(crate) kind: Kind,
    /// Strings read into this slot get a per-case symbol number (for `distinct`).
    pub(crate) intern: bool,
    /// Its path within the record, dotted.
    pub(crate) path: String,
}

/// A field in a record's object tree.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub(crate) enum Field {
    /// A leaf: the value goes to this slot.
    Slot(u32),
    /// A nested object.
    Object(ObjectTree),
}

/// An object's fields that the rules read.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub(crate) struct ObjectTree {
    /// Field name → what to do with it.
    pub(crate) fields: IndexMap<String, Field>,
}

impl ObjectTree {
    /// The field called `name`, with its index. Objects read by rules have few fields, where
    /// comparing names beats hashing them (this runs for every key of every case).
    pub(crate) fn field(&self, name: &str) -> Option<(usize, &Field)> {
        if self.fields.len() <= 12 {
            self.fields
                .iter()
                .enumerate()
                .find(|(_, (k, _))| k.as_str() == name)
                .map(|(i, (_, f))| (i, f))
        } else {
            self.fields.get_full(name).map(|(i, _, f)| (i, f))
        }
    }
}

/// The case root or a list item.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub(crate) struct Record {
    /// Object fields read.
    pub(crate) tree: ObjectTree,
    /// For lists of scalars: the slot that receives the item itself.
    pub(crate) whole: Option<u32>,
    /// Slot descriptions, by slot number.
    pub(crate) slots: Vec<SlotInfo>,
    /// Path of the list this record lays out (empty for the root).
    pub(crate) path: String,
}

/// All records; record 0 is the case root.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub(crate) struct Layout {
    /// Records by id.
    pub(crate) records: Vec<Record>,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            records: vec![Record::default()],
        }
    }
}

/// A path cannot be read the way the rules want.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// The path is read as an object elsewhere (it has fields).
    ObjectAndValue,
    /// The path is read as another kind elsewhere.
    Kinds(Kind, Kind),
}

impl Layout {
    /// The slot for `segments` under `record`, created as [`Kind::Any`] when new.
    pub(crate) fn slot(&mut self, record: u32, segments: &[&str]) -> Result<u32, Conflict> {
        let rec = &mut self.records[record as usize];
        let Some((last, parents)) = segments.split_last() else {
            return Err(Conflict::ObjectAndValue);
        };
        let mut tree = &mut rec.tree;
        for seg in parents {
            let field = tree
                .fields
                .entry((*seg).to_string())
                .or_insert_with(|| Field::Object(ObjectTree::default()));
            match field {
                Field::Object(inner) => tree = inner,
                Field::Slot(_) => return Err(Conflict::ObjectAndValue),
            }
        }
        if let Some(existing) = tree.fields.get(*last) {
            return match existing {
                Field::Slot(id) => Ok(*id),
                Field::Object(_) => Err(Conflict::ObjectAndValue),
            };
        }
        let id = rec.slots.len() as u32;
        let prefix = if rec.path.is_empty() {
            String::new()
        } else {
            format!("{}[].", rec.path)
        };
        rec.slots.push(SlotInfo {
            kind: Kind::Any,
            intern: false,
            path: format!("{prefix}{}", segments.join(".")),
        });
        tree.fields.insert((*last).to_string(), Field::Slot(id));
        Ok(id)
    }

    /// The slot that receives each item of a list of scalars.
    pub(crate) fn whole(&mut self, record: u32) -> Result<u32, Conflict> {
        let rec = &mut self.records[record as usize];
        if !rec.tree.fields.is_empty() {
            return Err(Conflict::ObjectAndValue);
        }
        if let Some(id) = rec.whole {
            return Ok(id);
        }
        let id = rec.slots.len() as u32;
        rec.slots.push(SlotInfo {
            kind: Kind::Any,
            intern: false,
            path: format!("{}[]", rec.path),
        });
        rec.whole = Some(id);
        Ok(id)
    }

    /// The kind a slot is read as.
    pub(crate) fn kind(&self, record: u32, slot: u32) -> Kind {
        self.records[record as usize].slots[slot as usize].kind
    }

    /// Narrows a slot from [`Kind::Any`] to `kind`; fails when it is already another kind.
    pub(crate) fn demand(&mut self, record: u32, slot: u32, kind: Kind) -> Result<(), Conflict> {
        let info = &mut self.records[record as usize].slots[slot as usize];
        match info.kind {
            Kind::Any => {
                info.kind = kind;
                Ok(())
            }
            current if current == kind => Ok(()),
            current => Err(Conflict::Kinds(current, kind)),
        }
    }

    /// The item record of a list slot, making the slot a list when it was [`Kind::Any`].
    pub(crate) fn list_record(&mut self, record: u32, slot: u32) -> Result<u32, Conflict> {
        let kind = self.kind(record, slot);
        match kind {
            Kind::List(items) => Ok(items),
            Kind::Any => {
                let items = self.records.len() as u32;
                let path = self.records[record as usize].slots[slot as usize]
                    .path
                    .clone();
                self.records.push(Record {
                    path,
                    ..Record::default()
                });
                self.demand(record, slot, Kind::List(items))?;
                Ok(items)
            }
            other => Err(Conflict::Kinds(other, Kind::List(0))),
        }
    }

    /// Marks a slot whose strings are interned when a case is read.
    pub(crate) fn intern(&mut self, record: u32, slot: u32) {
        self.records[record as usize].slots[slot as usize].intern = true;
    }

    /// The dotted path of a slot.
    pub(crate) fn path(&self, record: u32, slot: u32) -> &str {
        &self.records[record as usize].slots[slot as usize].path
    }

    /// Whether the rules read anything at or under a path of the case: evidence elsewhere
    /// cannot change a judgement.
    pub(crate) fn reads(&self, path: &[Step]) -> bool {
        let mut record = &self.records[0];
        let mut tree = &record.tree;
        let mut steps = path.iter();
        while let Some(step) = steps.next() {
            let Step::Key(key) = step else {
                // An index into a list of scalars: the item is read whole.
                return record.whole.is_some();
            };
            match tree.field(key) {
                None => return false,
                Some((_, Field::Object(inner))) => tree = inner,
                Some((_, Field::Slot(slot))) => {
                    let Kind::List(items) = record.slots[*slot as usize].kind else {
                        return true;
                    };
                    // Into the list's items: past the index, on in their record.
                    record = &self.records[items as usize];
                    tree = &record.tree;
                    match steps.next() {
                        Some(Step::Index(_)) | None => {}
                        Some(Step::Key(_)) => return false,
                    }
                    if record.whole.is_some() {
                        return true;
                    }
                }
            }
        }
        true
    }
}
