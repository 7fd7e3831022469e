//! Case documents: only the values the rules read, loaded into slots resolved at compile time.

use std::sync::Arc;

pub mod as_of;
pub(crate) mod layout;
mod load;

pub use load::CaseError;

/// The root slot of the case's `id`, always laid out first: traces name cases by it.
pub(crate) const ID_SLOT: u32 = 0;
/// The root slot of the case's `format` version, always laid out second.
pub(crate) const FORMAT_SLOT: u32 = 1;
/// The newest case format this engine reads (docs/CASE_FORMAT.md).
pub const CASE_FORMAT: u32 = 2;
pub(crate) use load::{load_case, load_case_value};

/// One loaded value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Slot {
    /// The field is absent.
    Missing,
    /// The field is `null`.
    Null,
    /// true / false
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string, with its symbol number when its slot is interned ([`NO_SYMBOL`] otherwise).
    /// Interned strings share one allocation per distinct text.
    Str(Arc<str>, u32),
    /// A timestamp, milliseconds since the epoch (UTC).
    Time(i64),
    /// A number known only to lie in a range (`{"min": 20, "max": 30}`).
    NumRange(crate::eval::interval::Interval),
    /// A timestamp known only to lie in a range (`{"earliest": …, "latest": …}`).
    TimeRange(crate::eval::interval::Interval),
    /// A list.
    List(ListData),
}

/// A list's items, stored flat: item `i` holds slots `i * stride .. (i + 1) * stride`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListData {
    /// Slots per item.
    pub(crate) stride: u32,
    /// All items' slots.
    pub(crate) slots: Box<[Slot]>,
}

impl ListData {
    /// Number of items.
    pub(crate) fn len(&self) -> usize {
        if self.stride == 0 {
            0
        } else {
            self.slots.len() / self.stride as usize
        }
    }

    /// True when the list has no items.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The slots of item `index`.
    pub(crate) fn item(&self, index: usize) -> &[Slot] {
        let stride = self.stride as usize;
        &self.slots[index * stride..(index + 1) * stride]
    }
}

/// The symbol of a string that was not interned.
pub(crate) const NO_SYMBOL: u32 = u32::MAX;

/// A loaded case: the root record's slots.
#[derive(Debug, Clone)]
pub struct Case {
    /// Root slots, as laid out by the program's [`layout::Layout`].
    pub(crate) slots: Box<[Slot]>,
    /// How many distinct interned strings the case has (symbols are `0..symbols`).
    pub(crate) symbols: u32,
}
