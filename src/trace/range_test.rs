//! Comparisons that read a value known only as a range, in words: whether each holds for every
//! possible value, for none, or is open, and which end of the range decided.

use crate::eval::value::{self, Value};
use crate::eval::{Evaluation, RangeTest, RangeTestKind};
use crate::ops::BinOp;

use super::format;

/// A comparison in a criterion's conditions that read a range.
#[derive(Clone, Copy)]
pub struct RangeTestView<'t, 'a> {
    pub(super) ev: &'t Evaluation<'a>,
    pub(super) test: RangeTest<'a>,
}

/// One end of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The smallest (earliest) possible value.
    Lower,
    /// The largest (latest) possible value.
    Upper,
}

impl End {
    /// `lower end` or `upper end`.
    pub fn word(self) -> &'static str {
        match self {
            End::Lower => "lower end",
            End::Upper => "upper end",
        }
    }
}

/// The end of an operand's range that decided a comparison.
#[derive(Debug, Clone, Copy)]
pub struct Decider<'a> {
    /// The operand, as written.
    pub operand: &'a str,
    /// Which end.
    pub end: End,
    /// The value at that end.
    pub value: Value<'a>,
}

impl<'t, 'a> RangeTestView<'t, 'a> {
    /// The comparison, as written.
    pub fn text(&self) -> &'a str {
        self.ev.program.expression(self.test.node)
    }

    /// The row of the criterion whose condition holds it.
    pub fn row(&self) -> u32 {
        self.test.row
    }

    /// True when it holds for every possible value, false when for none, `None` when open.
    pub fn holds(&self) -> Option<bool> {
        self.test.holds
    }

    /// The two operands as written, with their values (for a window: the tested time and the
    /// anchor).
    pub fn operands(&self) -> [(&'a str, Value<'a>); 2] {
        let [a, b] = self.test.operands;
        [
            (self.ev.program.expression(a), self.test.left),
            (self.ev.program.expression(b), self.test.right),
        ]
    }

    /// For a comparison that held or failed for every value: the end of each range operand
    /// that decided it. Empty for windows and open comparisons.
    pub fn deciders(&self) -> Vec<Decider<'a>> {
        let (RangeTestKind::Compare(op), Some(holds)) = (self.test.test, self.test.holds) else {
            return Vec::new();
        };
        let (Some((left_kind, left)), Some((right_kind, right))) = (
            value::measure(self.test.left),
            value::measure(self.test.right),
        ) else {
            return Vec::new();
        };
        // Which end of the left operand decided; the right's is the opposite one.
        let left_end = match (op, holds) {
            (BinOp::Lt | BinOp::Le, true) | (BinOp::Gt | BinOp::Ge, false) => End::Upper,
            (BinOp::Lt | BinOp::Le, false) | (BinOp::Gt | BinOp::Ge, true) => End::Lower,
            // Equality decided for certain: the ranges are apart.
            _ if left.hi < right.lo => End::Upper,
            _ => End::Lower,
        };
        let right_end = match left_end {
            End::Upper => End::Lower,
            End::Lower => End::Upper,
        };
        let [(left_text, _), (right_text, _)] = self.operands();
        let mut out = Vec::new();
        for (text, kind, range, end) in [
            (left_text, left_kind, left, left_end),
            (right_text, right_kind, right, right_end),
        ] {
            if !range.is_point() {
                let at = match end {
                    End::Lower => range.lo,
                    End::Upper => range.hi,
                };
                out.push(Decider {
                    operand: text,
                    end,
                    value: value::of_measure(kind, crate::eval::interval::Interval::point(at)),
                });
            }
        }
        out
    }

    /// Why, in words: `holds for every possible value: decided by the upper end of
    /// claim_delay (7h)`, or how an open comparison straddles.
    pub fn explanation(&self) -> String {
        let deciders = self.deciders();
        let decided_by = deciders
            .iter()
            .map(|d| {
                format!(
                    "the {} of {} ({})",
                    d.end.word(),
                    d.operand,
                    format::text(d.value)
                )
            })
            .collect::<Vec<_>>()
            .join(" and ");
        let [(left_text, left), (right_text, right)] = self.operands();
        let ranges = [(left_text, left), (right_text, right)]
            .into_iter()
            .filter(|(_, v)| v.is_range())
            .map(|(text, v)| format!("{text} is {}", format::text(v)))
            .collect::<Vec<_>>()
            .join(", ");
        match (self.test.holds, decided_by.is_empty()) {
            (Some(true), false) => {
                format!("holds for every possible value: decided by {decided_by}")
            }
            (Some(false), false) => {
                format!("fails for every possible value: decided by {decided_by}")
            }
            (Some(true), true) => format!("holds for every possible value ({ranges})"),
            (Some(false), true) => format!("fails for every possible value ({ranges})"),
            (None, _) => self.open_ends().unwrap_or_else(|| {
                format!("is open: {ranges}, so it holds for some possible values only")
            }),
        }
    }

    /// An open comparison with one range operand: what each end of the range gives.
    fn open_ends(&self) -> Option<String> {
        let RangeTestKind::Compare(op) = self.test.test else {
            return None;
        };
        let [(left_text, left), (right_text, right)] = self.operands();
        let (text, range, other, range_on_left) = match (left.is_range(), right.is_range()) {
            (true, false) => (left_text, left, right, true),
            (false, true) => (right_text, right, left, false),
            _ => return None,
        };
        let (kind, r) = value::measure(range)?;
        let at = |x: f64| value::of_measure(kind, crate::eval::interval::Interval::point(x));
        let gives = |x: Value<'a>| {
            let truth = if range_on_left {
                value::binary(op, x, other)
            } else {
                value::binary(op, other, x)
            };
            truth.truth()
        };
        let word = |holds: Option<bool>| {
            if holds == Some(true) {
                "it holds"
            } else {
                "it does not"
            }
        };
        let end = |x: f64, name: &str| {
            if x.is_finite() {
                format!(
                    "at its {name} ({}) {}",
                    format::text(at(x)),
                    word(gives(at(x)))
                )
            } else {
                format!("it has no {name}")
            }
        };
        Some(if op == BinOp::Eq || op == BinOp::Ne {
            format!(
                "is open: {text} is {}, which includes {} and other values",
                format::text(range),
                format::text(other)
            )
        } else {
            format!(
                "is open: {text} is {}; {}, {}",
                format::text(range),
                end(r.lo, "lower end"),
                end(r.hi, "upper end")
            )
        })
    }
}
