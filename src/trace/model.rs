//! Typed views over an evaluation: what a trace shows, borrowed from the program and the
//! evaluation records, built on demand. Renderers read only these views and match their enums
//! exhaustively, so a new status is a compile error in every renderer until it is handled.

use crate::eval::matchers::FieldOutcome;
use crate::eval::value::Value;
use crate::eval::{
    Alternative, Bounds, CriterionResult, DecisionResult, Evaluation, EvidenceItem, EvidenceState,
    Handling, Mark, Outcome, ScoreResult, Slice,
};
use crate::program::{
    CollectionDef, CriterionDef, DecisionDef, LetDef, MatchFieldDef, Node, Points, Program, Read,
    RowTestDef, ScoreDef, ScoreMode, TextPart, WeightDef, per_units,
};
use crate::source::LineRef;

use super::format;
use super::range_test::RangeTestView;

/// One score's result.
#[derive(Clone, Copy)]
pub struct ScoreView<'t, 'a> {
    pub(super) ev: &'t Evaluation<'a>,
    /// Position among the program's scores.
    pub(crate) index: usize,
    /// The score as compiled.
    pub(crate) def: &'a ScoreDef,
    pub(super) result: &'t ScoreResult,
}

impl<'t, 'a> ScoreView<'t, 'a> {
    /// Its position among the program's scores.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The program it belongs to.
    pub(crate) fn program(&self) -> &'a Program {
        self.ev.program
    }

    /// Its name.
    pub fn name(&self) -> &'a str {
        &self.def.name
    }

    /// Its title, or its name.
    pub fn title(&self) -> &'a str {
        self.def.title.as_deref().unwrap_or(&self.def.name)
    }

    /// Additive (points) or evidence (probability).
    pub fn mode(&self) -> ScoreMode {
        self.def.mode
    }

    /// Starting amount: 0 points, or the prior's log-odds.
    pub fn base(&self) -> Points {
        self.result.base
    }

    /// base + Σ contributions.
    pub fn total(&self) -> Points {
        self.result.total
    }

    /// Evidence scores: the probability.
    pub fn probability(&self) -> Option<f64> {
        self.result.probability
    }

    /// The value in the reader's unit: the probability (from the exact odds when every weight
    /// is an exact ratio), or the points.
    pub fn value(&self) -> f64 {
        self.result
            .probability
            .unwrap_or(self.result.total.as_f64())
    }

    /// A total in the reader's unit.
    pub fn in_units(&self, total: Points) -> f64 {
        crate::eval::probability(self.def.mode, total).unwrap_or(total.as_f64())
    }

    /// The totals the score could reach once its unknown evidence is known.
    pub fn possible(&self) -> Bounds {
        self.result.possible
    }

    /// True when the band is the same whatever the unknown evidence turns out to be.
    pub fn settled(&self) -> bool {
        self.result.settled
    }

    /// The band.
    pub fn band(&self) -> Option<DecisionView<'t, 'a>> {
        let (def, result) = (self.def.bands.as_ref()?, self.result.band.as_ref()?);
        Some(DecisionView {
            ev: self.ev,
            def,
            result,
            probability: matches!(self.def.mode, ScoreMode::Evidence { .. }),
        })
    }

    /// The band its total alone gives, by the thresholds and `else` of its bands, when a
    /// `when` row decided otherwise or not: what the points say.
    pub fn band_by_points(&self) -> Option<&'a str> {
        let total = crate::eval::ScoreTotal::new(self.result.total, self.result.odds);
        let rows = &self.def.bands.as_ref()?.rows;
        rows.iter()
            .find(|row| match row.test {
                RowTestDef::Threshold { .. } => total.reaches(&row.test),
                RowTestDef::Else => true,
                RowTestDef::When(_) => false,
            })
            .map(|row| row.label.as_str())
    }

    /// Criteria with known evidence, and all criteria.
    pub fn coverage(&self) -> (usize, usize) {
        (self.result.known, self.result.criteria.len())
    }

    /// Each criterion, in order.
    pub fn criteria(&self) -> impl Iterator<Item = CriterionView<'t, 'a>> + 't {
        let (ev, mode) = (self.ev, self.def.mode);
        self.def
            .criteria
            .iter()
            .zip(&self.result.criteria)
            .map(move |(def, result)| CriterionView {
                ev,
                mode,
                def,
                result,
            })
    }
}

/// One criterion's result.
#[derive(Clone, Copy)]
pub struct CriterionView<'t, 'a> {
    pub(super) ev: &'t Evaluation<'a>,
    pub(super) mode: ScoreMode,
    /// The criterion as compiled.
    pub(crate) def: &'a CriterionDef,
    pub(super) result: &'t CriterionResult,
}

impl<'t, 'a> CriterionView<'t, 'a> {
    /// Its name.
    pub fn name(&self) -> &'a str {
        &self.def.name
    }

    /// Its title, or its name.
    pub fn title(&self) -> &'a str {
        self.def.title.as_deref().unwrap_or(&self.def.name)
    }

    /// The reasoning behind it.
    pub fn about(&self) -> Option<&'a str> {
        self.def.about.as_deref()
    }

    /// How it was decided.
    pub fn outcome(&self) -> Outcome {
        self.result.outcome
    }

    /// Points or log-odds added to the score.
    pub fn contribution(&self) -> Points {
        self.result.contribution
    }

    /// Evidence scores: the likelihood ratio of the contribution, as the rules wrote it (`lr 2`
    /// is 2, `lr 3 per n` with two items is 9), or from the log-odds for a ramp between its ends.
    pub fn likelihood_ratio(&self) -> Option<f64> {
        let ScoreMode::Evidence { .. } = self.mode else {
            return None;
        };
        let written = match self.result.outcome {
            Outcome::Applied { row, refinement } => {
                let row = &self.def.outcomes[row as usize];
                let weight = match refinement {
                    Some(r) => &row.refinements[r as usize].weight,
                    None => &row.weight,
                };
                written_ratio(weight, self.result.input)
            }
            Outcome::Unknown {
                handling: Handling::Defaulted,
                ..
            } => self.def.unknown.default.map(|d| d.written),
            Outcome::Unknown { .. } | Outcome::NoOutcome => Some(1.0),
        };
        written.or_else(|| ratio(self.mode, self.result.contribution))
    }

    /// The contribution in the reader's unit, the ratio as the rules wrote it: `×3`, `+15`.
    pub fn amount(&self) -> String {
        match self.likelihood_ratio() {
            Some(ratio) => format::ratio(ratio),
            None => format::signed(self.result.contribution.as_f64()),
        }
    }

    /// For `per` and `ramp` weights: the count or input used.
    pub fn input(&self) -> Option<f64> {
        self.result.input
    }

    /// What it could contribute once its unknown evidence is known.
    pub fn possible(&self) -> Bounds {
        self.result.possible
    }

    /// The condition of the row that applied (or was unknown), as written; `else` for the
    /// fallback row.
    pub fn condition(&self) -> Option<&'a str> {
        let row = match self.result.outcome {
            Outcome::Applied { row, .. } | Outcome::Unknown { row, .. } => row,
            Outcome::NoOutcome => return None,
        };
        Some(row_condition(self.ev.program, self.def, row))
    }

    /// The condition of the refinement that applied, as written.
    pub fn refinement(&self) -> Option<&'a str> {
        let Outcome::Applied {
            row,
            refinement: Some(r),
        } = self.result.outcome
        else {
            return None;
        };
        let guard = self.def.outcomes[row as usize].refinements[r as usize].guard;
        Some(self.ev.program.expression(guard))
    }

    /// Where the applied row (or the criterion) is, as `file:line`.
    pub fn rule(&self) -> LineRef<'a> {
        self.ev.program.sources.line_at(self.rule_span())
    }

    /// Where the applied row (or the criterion) is.
    pub(crate) fn rule_span(&self) -> crate::source::Span {
        match self.result.outcome {
            Outcome::Applied { row, refinement } => {
                let row = &self.def.outcomes[row as usize];
                refinement.map_or(row.span, |r| row.refinements[r as usize].span)
            }
            Outcome::NoOutcome | Outcome::Unknown { .. } => self.def.span,
        }
    }

    /// The program it belongs to.
    pub(crate) fn program(&self) -> &'a Program {
        self.ev.program
    }

    /// The reason of the outcome, with its values written in.
    pub fn reason(&self) -> Option<String> {
        let parts: &[TextPart] = match self.result.outcome {
            Outcome::Applied { row, refinement } => {
                let row = &self.def.outcomes[row as usize];
                match refinement {
                    Some(r) => &row.refinements[r as usize].reason,
                    None => &row.reason,
                }
            }
            Outcome::Unknown { .. } => &self.def.unknown.reason,
            Outcome::NoOutcome => &[],
        };
        render_text(parts, self.result.reason.of(&self.ev.values))
    }

    /// The values it read, in order.
    pub fn evidence(&self) -> impl Iterator<Item = EvidenceView<'t, 'a>> + 't {
        evidence(self.ev, &self.def.reads, self.result.evidence)
    }

    /// Outcomes it could still reach once unknown evidence is known.
    pub fn alternatives(&self) -> impl Iterator<Item = AlternativeView<'t, 'a>> + 't {
        let (ev, def, mode) = (self.ev, self.def, self.mode);
        self.result
            .alternatives
            .of(&self.ev.alternatives)
            .iter()
            .map(move |alternative| AlternativeView {
                ev,
                def,
                mode,
                alternative: *alternative,
            })
    }

    /// Comparisons in the conditions of the rows it went through that read a value known only
    /// as a range: whether each held for every possible value, and which end decided.
    pub fn range_tests(&self) -> impl Iterator<Item = RangeTestView<'t, 'a>> + 't {
        let ev = self.ev;
        self.result
            .range_tests
            .of(&self.ev.range_tests)
            .iter()
            .map(move |test| RangeTestView { ev, test: *test })
    }

    /// The case paths whose value is not known among everything it read, definitions
    /// followed, each once: `path (missing)`, `path (null)`.
    pub fn unknown_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.evidence() {
            e.collect_unknown(&mut out, 0);
        }
        out
    }
}

/// The likelihood ratio of a contribution to an evidence score, from its log-odds: to four
/// significant digits, which recovers any ratio written with four (fixed point keeps log-odds
/// to 0.0001, a relative error of at most 0.005 % in the ratio).
pub(super) fn ratio(mode: ScoreMode, contribution: Points) -> Option<f64> {
    match mode {
        ScoreMode::Evidence { .. } => Some(format::significant(contribution.as_f64().exp(), 4)),
        ScoreMode::Additive => None,
    }
}

/// The likelihood ratio a weight gave, as written, for the count it read; `None` for a ramp
/// between its ends or a count known only as a range.
fn written_ratio(weight: &WeightDef, input: Option<f64>) -> Option<f64> {
    match weight {
        WeightDef::Fixed(amount) => Some(amount.written),
        WeightDef::Per { amount, max, .. } => Some(amount.written.powf(per_units(input?, *max))),
        WeightDef::Ramp { .. } => None,
    }
}

fn row_condition<'a>(program: &'a Program, def: &'a CriterionDef, row: u32) -> &'a str {
    match def.outcomes[row as usize].guard {
        Some(guard) => program.expression(guard),
        None => "else",
    }
}

/// An outcome a criterion could still reach.
#[derive(Clone, Copy)]
pub struct AlternativeView<'t, 'a> {
    ev: &'t Evaluation<'a>,
    def: &'a CriterionDef,
    mode: ScoreMode,
    /// The outcome.
    pub(crate) alternative: Alternative,
}

impl<'a> AlternativeView<'_, 'a> {
    /// True when the outcome is the `else` row: it applies if no condition above it holds.
    pub fn otherwise(&self) -> bool {
        self.alternative.refinement.is_none()
            && self.def.outcomes[self.alternative.row as usize]
                .guard
                .is_none()
    }

    /// The condition that would have to hold, as written (the refinement's, for a refinement).
    pub fn condition(&self) -> &'a str {
        let row = &self.def.outcomes[self.alternative.row as usize];
        match self.alternative.refinement {
            Some(r) => self
                .ev
                .program
                .expression(row.refinements[r as usize].guard),
            None => row_condition(self.ev.program, self.def, self.alternative.row),
        }
    }

    /// The contribution it would make.
    pub fn contribution(&self) -> Bounds {
        self.alternative.contribution
    }

    /// Evidence scores: its likelihood ratio, when exact (as written for a fixed weight).
    pub fn likelihood_ratio(&self) -> Option<f64> {
        let c = self.alternative.contribution;
        if !c.is_exact() {
            return None;
        }
        let row = &self.def.outcomes[self.alternative.row as usize];
        let weight = match self.alternative.refinement {
            Some(r) => &row.refinements[r as usize].weight,
            None => &row.weight,
        };
        match (self.mode, weight) {
            (ScoreMode::Evidence { .. }, WeightDef::Fixed(amount)) => Some(amount.written),
            _ => ratio(self.mode, c.min),
        }
    }

    /// The reason it would give, without values (they may not be known yet).
    pub fn reason(&self) -> Option<String> {
        let row = &self.def.outcomes[self.alternative.row as usize];
        let parts = match self.alternative.refinement {
            Some(r) => &row.refinements[r as usize].reason,
            None => &row.reason,
        };
        reason_without_values(parts)
    }
}

/// One value read as evidence.
#[derive(Clone, Copy)]
pub struct EvidenceView<'t, 'a> {
    ev: &'t Evaluation<'a>,
    /// What was read.
    pub(crate) read: &'a Read,
    /// Its value and state.
    pub(crate) item: EvidenceItem<'a>,
}

fn evidence<'t, 'a>(
    ev: &'t Evaluation<'a>,
    reads: &'a [Read],
    values: Slice,
) -> impl Iterator<Item = EvidenceView<'t, 'a>> + 't {
    reads
        .iter()
        .zip(values.of(&ev.evidence))
        .map(move |(read, item)| EvidenceView {
            ev,
            read,
            item: *item,
        })
}

impl<'t, 'a> EvidenceView<'t, 'a> {
    /// A case path, definition name or collection, as written.
    pub fn name(&self) -> &'a str {
        &self.read.label
    }

    /// The value (unknown when not known).
    pub fn value(&self) -> Value<'a> {
        self.item.value
    }

    /// Known, missing, null, or unknown.
    pub fn state(&self) -> EvidenceState {
        self.item.state
    }

    /// The definition this reads, when it reads one.
    pub fn definition(&self) -> Option<DefinitionView<'t, 'a>> {
        match self.ev.program.nodes[self.read.node as usize] {
            Node::Let(id) => Some(DefinitionView { ev: self.ev, id }),
            _ => None,
        }
    }

    /// The items a top-level collection counted and left out, when this is one.
    pub fn window(&self) -> Option<WindowView<'t, 'a>> {
        window_of(self.ev, self.read.node)
    }

    fn collect_unknown(&self, out: &mut Vec<String>, depth: usize) {
        if let Some(definition) = self.definition() {
            if self.item.state.is_known() || depth > crate::limits::MAX_DEPTH {
                return;
            }
            for e in definition.evidence() {
                e.collect_unknown(out, depth + 1);
            }
            for field in definition.fields().into_iter().flatten() {
                for (side, read) in [
                    (field.claimed, &field.def.claimed),
                    (field.confirmed, &field.def.confirmed),
                ] {
                    if let Some(entry) = unknown_entry(&read.label, side) {
                        push_once(out, entry);
                    }
                }
            }
            return;
        }
        if let Some(entry) = unknown_entry(&self.read.label, self.item) {
            push_once(out, entry);
        }
    }
}

fn unknown_entry(name: &str, item: EvidenceItem<'_>) -> Option<String> {
    let stated = !matches!(item.value, Value::List(l) if l.is_empty());
    match item.state {
        EvidenceState::Known if stated => None,
        EvidenceState::Known => Some(format!("{name} (not stated)")),
        EvidenceState::Missing => Some(format!("{name} (missing)")),
        EvidenceState::Null => Some(format!("{name} (null)")),
        EvidenceState::Unknown => Some(name.to_string()),
    }
}

fn push_once(out: &mut Vec<String>, entry: String) {
    if !out.contains(&entry) {
        out.push(entry);
    }
}

/// A definition (`let`) and what it was computed from.
#[derive(Clone, Copy)]
pub struct DefinitionView<'t, 'a> {
    ev: &'t Evaluation<'a>,
    /// Its index among the program's definitions.
    pub id: u32,
}

impl<'t, 'a> DefinitionView<'t, 'a> {
    /// The definition as compiled.
    pub(crate) fn def(&self) -> &'a LetDef {
        &self.ev.program.lets[self.id as usize]
    }

    /// Its name.
    pub fn name(&self) -> &'a str {
        &self.def().name
    }

    /// Its description.
    pub fn description(&self) -> Option<&'a str> {
        self.def().description.as_deref()
    }

    /// Its value (unknown when it was not evaluated or is not known).
    pub fn value(&self) -> Value<'a> {
        self.ev.lets[self.id as usize].unwrap_or(Value::Unknown)
    }

    /// The values it was computed from.
    pub fn evidence(&self) -> impl Iterator<Item = EvidenceView<'t, 'a>> + 't {
        let values = self.ev.let_evidence[self.id as usize].unwrap_or_default();
        evidence(
            self.ev,
            &self.ev.program.lets[self.id as usize].reads,
            values,
        )
    }

    /// The fields, when the definition is a detail match.
    pub fn fields(&self) -> Option<impl Iterator<Item = FieldView<'a>> + 't> {
        let Node::Match(m) = self.ev.program.nodes[self.def().node as usize] else {
            return None;
        };
        let result = self.ev.matches.get(m as usize)?.as_ref()?;
        let def = &self.ev.program.matches[m as usize];
        Some(
            def.fields
                .iter()
                .zip(&result.fields)
                .zip(&result.sides)
                .map(|((def, outcome), (claimed, confirmed))| FieldView {
                    def,
                    outcome: *outcome,
                    claimed: *claimed,
                    confirmed: *confirmed,
                }),
        )
    }
}

/// The definitions a trace involved, in program order: those evaluated for the case.
pub(super) fn definitions<'t, 'a>(
    ev: &'t Evaluation<'a>,
) -> impl Iterator<Item = DefinitionView<'t, 'a>> + 't {
    (0..ev.program.lets.len() as u32)
        .filter(|id| ev.let_evidence[*id as usize].is_some())
        .map(move |id| DefinitionView { ev, id })
}

/// How one field of a detail match came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldResult {
    /// The claim matches the confirmed fact.
    Match,
    /// It does not.
    Mismatch,
    /// A side is missing, null, or not stated.
    Unknown,
}

/// One field of a detail match.
#[derive(Clone, Copy)]
pub struct FieldView<'a> {
    /// The field as compiled.
    pub(crate) def: &'a MatchFieldDef,
    /// Matched, and how similar.
    pub(crate) outcome: FieldOutcome,
    /// What the claim stated.
    pub(crate) claimed: EvidenceItem<'a>,
    /// What investigators confirmed.
    pub(crate) confirmed: EvidenceItem<'a>,
}

impl<'a> FieldView<'a> {
    /// The field's name.
    pub fn name(&self) -> &'a str {
        &self.def.name
    }

    /// The claimed value's path, as written.
    pub fn claimed_path(&self) -> &'a str {
        &self.def.claimed.label
    }

    /// The confirmed value's path, as written.
    pub fn confirmed_path(&self) -> &'a str {
        &self.def.confirmed.label
    }

    /// What the claim stated, and what is known of it.
    pub fn claimed(&self) -> EvidenceItem<'a> {
        self.claimed
    }

    /// What investigators confirmed, and what is known of it.
    pub fn confirmed(&self) -> EvidenceItem<'a> {
        self.confirmed
    }

    /// How similar the two are (0 to 1), where the matcher measures it.
    pub fn similarity(&self) -> Option<f64> {
        self.outcome.similarity
    }

    /// Match, mismatch or unknown.
    pub fn result(&self) -> FieldResult {
        match self.outcome.matched {
            Some(true) => FieldResult::Match,
            Some(false) => FieldResult::Mismatch,
            None => FieldResult::Unknown,
        }
    }

    /// The matcher, as written (`fuzzy 85%`).
    pub fn matcher(&self) -> &'a str {
        &self.def.matcher_text
    }
}

/// The items of a list a top-level collection went through.
#[derive(Clone, Copy)]
pub struct WindowView<'t, 'a> {
    ev: &'t Evaluation<'a>,
    id: u32,
    /// The collection as compiled.
    pub(crate) def: &'a CollectionDef,
    /// How each item was treated.
    pub(crate) marks: &'t [Mark],
}

fn window_of<'t, 'a>(ev: &'t Evaluation<'a>, node: u32) -> Option<WindowView<'t, 'a>> {
    let Node::Collect(id) = ev.program.nodes[node as usize] else {
        return None;
    };
    let marks = &ev.windows.get(id as usize)?.as_ref()?.marks;
    Some(WindowView {
        ev,
        id,
        def: &ev.program.collections[id as usize],
        marks,
    })
}

impl<'a> WindowView<'_, 'a> {
    /// How each item of the list was treated.
    pub fn marks(&self) -> &[Mark] {
        self.marks
    }

    /// True when the window is on a time field of the items (see [`WindowView::time`]).
    pub fn has_times(&self) -> bool {
        self.def.time_slot.is_some()
    }

    /// The list, as written (`posts`).
    pub fn list(&self) -> &'a str {
        self.ev.program.expression(self.def.list)
    }

    /// The collection, as written (on one line).
    pub fn expression(&self) -> std::borrow::Cow<'a, str> {
        let text = self.ev.program.sources.snippet(self.def.span);
        if text.contains('\n') {
            std::borrow::Cow::Owned(crate::program::one_line(text))
        } else {
            std::borrow::Cow::Borrowed(text)
        }
    }

    /// Indices of the items treated as `mark`.
    pub fn items(&self, mark: Mark) -> impl Iterator<Item = usize> + '_ {
        self.marks
            .iter()
            .enumerate()
            .filter(move |(_, m)| **m == mark)
            .map(|(i, _)| i)
    }

    /// How many items were treated as `mark`.
    pub fn count(&self, mark: Mark) -> usize {
        self.marks.iter().filter(|m| **m == mark).count()
    }

    /// The time of item `index`, when the collection's window is on a time field.
    pub fn time(&self, index: usize) -> Option<i64> {
        self.ev.item_time(self.id, index)
    }
}

/// The row a decision table (bands or verdict) chose.
#[derive(Clone, Copy)]
pub struct DecisionView<'t, 'a> {
    pub(super) ev: &'t Evaluation<'a>,
    /// The table as compiled.
    pub(crate) def: &'a DecisionDef,
    pub(super) result: &'t DecisionResult,
    /// True when thresholds are probabilities.
    pub(super) probability: bool,
}

impl<'t, 'a> DecisionView<'t, 'a> {
    /// The table's title, when it has one (`verdict "Assessment" { … }`).
    pub fn title(&self) -> Option<&'a str> {
        self.def.title.as_deref()
    }

    /// The label given.
    pub fn label(&self) -> &'a str {
        &self.def.rows[self.result.row as usize].label
    }

    /// The chosen row's index.
    pub fn row(&self) -> u32 {
        self.result.row
    }

    /// True when a `when` row decided, not the score's total reaching a threshold.
    pub fn by_rule(&self) -> bool {
        matches!(
            self.def.rows[self.result.row as usize].test,
            RowTestDef::When(_)
        )
    }

    /// The row's test, as written.
    pub fn test(&self) -> String {
        self.row_test(self.result.row)
    }

    /// A row's test, as written.
    pub fn row_test(&self, row: u32) -> String {
        match &self.def.rows[row as usize].test {
            RowTestDef::Threshold { strict, shown, .. } => {
                let value = if self.probability {
                    format::percent(*shown)
                } else {
                    format::number(*shown)
                };
                format!("{} {value}", if *strict { ">" } else { ">=" })
            }
            RowTestDef::When(node) => match &self.def.rows[row as usize].unless {
                Some(unless) => format!(
                    "{} unless {}",
                    self.ev.program.expression(unless.condition),
                    self.ev.program.expression(unless.defeater)
                ),
                None => self.ev.program.expression(*node).to_string(),
            },
            RowTestDef::Else => "else".to_string(),
        }
    }

    /// When the row that applied is an override defeated by contrary evidence: the conflict.
    pub fn conflict(&self) -> Option<ConflictView<'a>> {
        let row = &self.def.rows[self.result.row as usize];
        let (overridden, unless) = (row.conflict.as_ref()?, row.unless?);
        let program = self.ev.program;
        Some(ConflictView {
            overridden: program.expression(unless.condition),
            overridden_label: &overridden.label,
            overridden_reason: reason_without_values(&overridden.reason),
            defeater: program.expression(unless.defeater),
            defeater_description: program.description_of(unless.defeater),
        })
    }

    /// Why, with values written in.
    pub fn reason(&self) -> Option<String> {
        let row = &self.def.rows[self.result.row as usize];
        render_text(&row.reason, self.result.reason.of(&self.ev.values))
    }

    /// Where the row is, as `file:line`.
    pub fn rule(&self) -> LineRef<'a> {
        self.ev.program.sources.line_at(self.rule_span())
    }

    /// Where the row is.
    pub(crate) fn rule_span(&self) -> crate::source::Span {
        self.def.rows[self.result.row as usize].span
    }

    /// Earlier rows whose condition was unknown, as written.
    pub fn undecided(&self) -> impl Iterator<Item = String> + '_ {
        self.result.undecided.iter().map(|r| self.row_test(*r))
    }

    /// Values the table read.
    pub fn evidence(&self) -> impl Iterator<Item = EvidenceView<'t, 'a>> + 't {
        evidence(self.ev, &self.def.reads, self.result.evidence)
    }
}

/// An override that contrary evidence defeated: the judgement is in conflict.
#[derive(Clone, Debug)]
pub struct ConflictView<'a> {
    /// The override's condition, as written: what argued against.
    pub overridden: &'a str,
    /// The label it would have given.
    pub overridden_label: &'a str,
    /// Its reason, values left out.
    pub overridden_reason: Option<String>,
    /// The evidence that defeated it, as written: what argued for.
    pub defeater: &'a str,
    /// That evidence in words, when it is a definition with a description.
    pub defeater_description: Option<&'a str>,
}

/// A reason text with `…` for its values (shown for a row that did not apply, whose values
/// were not evaluated).
fn reason_without_values(parts: &[TextPart]) -> Option<String> {
    if parts.is_empty() {
        return None;
    }
    Some(
        parts
            .iter()
            .map(|p| match p {
                TextPart::Text(t) => t.as_str(),
                TextPart::Value(_) => "…",
            })
            .collect(),
    )
}

/// A value as a reason sentence shows it: text as it is (made safe), a list of values as
/// `a, b` (`none` when empty), anything else as the trace writes it.
fn prose_value(out: &mut String, value: Value<'_>) {
    match value {
        Value::Str(s) => out.push_str(&format::clean(s)),
        Value::List(list) if list.stride == 1 => {
            if list.is_empty() {
                out.push_str("none");
            }
            for (i, item) in crate::eval::value::items(value).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                prose_value(out, item);
            }
        }
        other => format::write_text(out, other),
    }
}

/// A reason text with its interpolated values written in; case text in it is made safe.
pub(crate) fn render_text(parts: &[TextPart], values: &[Value<'_>]) -> Option<String> {
    if parts.is_empty() {
        return None;
    }
    let mut values = values.iter();
    let mut out = String::with_capacity(64);
    for part in parts {
        match part {
            TextPart::Text(t) => out.push_str(t),
            TextPart::Value(_) => {
                let value = values.next().copied().unwrap_or(Value::Unknown);
                prose_value(&mut out, value);
            }
        }
    }
    Some(out)
}
