//! How values, amounts, durations, timestamps and probabilities are written, and how text is
//! made safe for each medium: a terminal, Markdown, HTML.

use std::borrow::Cow;

use crate::eval::interval::Interval;
use crate::eval::value::{Value, items};
use crate::program::{Matcher, Points, ScoreMode};

/// Case text made safe to print: control characters (newlines and escape sequences among
/// them), bidirectional overrides and line separators are written as `\u{1b}` escapes, so case
/// data cannot forge trace lines, reorder text or recolour a terminal.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Text for Markdown: safe to print (see [`clean`]), HTML special characters as entities (so
/// no renderer turns case text into markup), and Markdown's own characters backslashed.
pub fn markdown(text: &str) -> String {
    let text = clean(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '{' | '}' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Rule text (a condition, a path) as a Markdown code span that no backtick inside can end.
pub fn markdown_code(text: &str) -> String {
    let text = clean(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    // A code span is literal in CommonMark, but a table cell still ends at `|`.
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

/// Text for HTML character data and attribute values.
pub fn html(text: &str) -> String {
    let text = clean(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A duration in milliseconds as `2d 3h`, `6h 50m`, `45s`: its two largest units.
pub fn duration(ms: i64) -> String {
    let mut out = String::with_capacity(12);
    let _ = write_duration(&mut out, ms);
    out
}

/// [`duration`], written into `out` (a `String`, or a formatter).
pub(crate) fn write_duration<W: std::fmt::Write>(out: &mut W, ms: i64) -> std::fmt::Result {
    let mut rest = ms.unsigned_abs();
    if rest == 0 {
        return out.write_str("0s");
    }
    if ms < 0 {
        out.write_str("-")?;
    }
    let mut parts = 0;
    for (unit, size) in [
        ("d", 86_400_000u64),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if rest >= size {
            if parts > 0 {
                out.write_str(" ")?;
            }
            out.write_str(itoa::Buffer::new().format(rest / size))?;
            out.write_str(unit)?;
            rest %= size;
            parts += 1;
        }
        if parts == 2 {
            break;
        }
    }
    Ok(())
}

/// A duration displayed as [`duration`] writes it, without building a string.
pub(crate) struct Duration(pub(crate) i64);

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_duration(f, self.0)
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A timestamp in milliseconds as RFC 3339 UTC.
pub fn timestamp(ms: i64) -> String {
    crate::time::format(ms)
}

/// A number without needless decimals (at most four).
pub fn number(n: f64) -> String {
    let mut out = String::new();
    write_number(&mut out, n);
    out
}

/// [`number`], written at the end of `out`: whole numbers without the formatting machinery.
pub(crate) fn write_number(out: &mut String, n: f64) {
    use std::fmt::Write;
    if n.fract() == 0.0 && n.abs() < 1e15 {
        out.push_str(itoa::Buffer::new().format(n as i64));
    } else {
        // Four decimals, then the trailing zeros and a bare point taken off: the text always
        // has a point (or is `NaN`/`inf`), so nothing before it is taken.
        let _ = write!(out, "{n:.4}");
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            out.pop();
        }
    }
}

/// `x` rounded to `digits` significant digits (`1.99993` to 4 digits is `2`).
pub(crate) fn significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// A probability as a percentage with one decimal.
pub fn percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

/// The ICD 203 words of estimative probability, from the least likely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Estimative {
    /// Below 5 %.
    AlmostNoChance,
    /// 5 % to 20 %.
    VeryUnlikely,
    /// 20 % to 45 %.
    Unlikely,
    /// 45 % to 55 %.
    RoughlyEvenChance,
    /// 55 % to 80 %.
    Likely,
    /// 80 % to 95 %.
    VeryLikely,
    /// 95 % and above.
    AlmostCertain,
}

impl Estimative {
    /// Every word, from the least likely.
    pub const ALL: [Estimative; 7] = [
        Estimative::AlmostNoChance,
        Estimative::VeryUnlikely,
        Estimative::Unlikely,
        Estimative::RoughlyEvenChance,
        Estimative::Likely,
        Estimative::VeryLikely,
        Estimative::AlmostCertain,
    ];

    /// The word for probability `p`.
    pub fn of(p: f64) -> Estimative {
        match p {
            p if p < 0.05 => Estimative::AlmostNoChance,
            p if p < 0.20 => Estimative::VeryUnlikely,
            p if p < 0.45 => Estimative::Unlikely,
            p if p <= 0.55 => Estimative::RoughlyEvenChance,
            p if p < 0.80 => Estimative::Likely,
            p if p < 0.95 => Estimative::VeryLikely,
            _ => Estimative::AlmostCertain,
        }
    }

    /// The words as ICD 203 writes them.
    pub fn word(self) -> &'static str {
        match self {
            Estimative::AlmostNoChance => "almost no chance",
            Estimative::VeryUnlikely => "very unlikely",
            Estimative::Unlikely => "unlikely",
            Estimative::RoughlyEvenChance => "roughly even chance",
            Estimative::Likely => "likely",
            Estimative::VeryLikely => "very likely",
            Estimative::AlmostCertain => "almost certain",
        }
    }

    /// The probabilities the word covers, as ICD 203 gives them (lowest, highest).
    pub fn range(self) -> (f64, f64) {
        match self {
            Estimative::AlmostNoChance => (0.0, 0.05),
            Estimative::VeryUnlikely => (0.05, 0.20),
            Estimative::Unlikely => (0.20, 0.45),
            Estimative::RoughlyEvenChance => (0.45, 0.55),
            Estimative::Likely => (0.55, 0.80),
            Estimative::VeryLikely => (0.80, 0.95),
            Estimative::AlmostCertain => (0.95, 1.0),
        }
    }
}

impl std::fmt::Display for Estimative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// The ICD 203 word of estimative probability for `p`.
pub fn estimative(p: f64) -> &'static str {
    Estimative::of(p).word()
}

/// `, similarity 0.93` when a similarity was measured, else nothing.
pub fn similarity(value: Option<f64>) -> String {
    value
        .map(|s| {
            let mut out = String::from(", similarity ");
            write_number(&mut out, s);
            out
        })
        .unwrap_or_default()
}

/// A signed number: `+1.5`, `-2`, `0`.
pub fn signed(x: f64) -> String {
    let mut out = String::with_capacity(8);
    if x > 0.0 {
        out.push('+');
    }
    write_number(&mut out, x);
    out
}

/// A likelihood ratio to four significant digits, so a ratio as written shows as written:
/// `×4`, `×0.25`, `×1.125`.
pub fn ratio(r: f64) -> String {
    format!("×{}", significant(r, 4))
}

/// An amount in the reader's unit: a likelihood ratio for evidence scores (`×4`, from the
/// log-odds), signed points for additive ones (`+10`).
pub fn amount(mode: ScoreMode, contribution: Points) -> String {
    match mode {
        ScoreMode::Evidence { .. } => ratio(contribution.as_f64().exp()),
        ScoreMode::Additive => signed(contribution.as_f64()),
    }
}

/// A score's value in the reader's unit (a probability or points): `92.2% (very likely)` or
/// `30 points`.
pub fn score_value(mode: ScoreMode, value: f64) -> String {
    match mode {
        ScoreMode::Evidence { .. } => format!("{} ({})", percent(value), estimative(value)),
        ScoreMode::Additive => {
            let mut out = String::with_capacity(16);
            write_number(&mut out, value);
            out.push_str(" points");
            out
        }
    }
}

/// A value in a score's unit without its word: `92.2%` (a probability) or `30` (points).
pub fn score_number_of(mode: ScoreMode, value: f64) -> String {
    match mode {
        ScoreMode::Evidence { .. } => percent(value),
        ScoreMode::Additive => number(value),
    }
}

/// A score's value without its word: `92.2%` or `30`.
pub fn score_number(mode: ScoreMode, total: Points) -> String {
    match crate::eval::probability(mode, total) {
        Some(p) => percent(p),
        None => number(total.as_f64()),
    }
}

/// A range for a reader: `1h–7h`, `at least 2`, `at most 30`.
pub fn range(r: Interval, each: impl Fn(f64) -> String) -> String {
    match (r.lo.is_finite(), r.hi.is_finite()) {
        (true, true) => format!("{}–{}", each(r.lo), each(r.hi)),
        (true, false) => format!("at least {}", each(r.lo)),
        (false, true) => format!("at most {}", each(r.hi)),
        (false, false) => "anything".into(),
    }
}

/// A span of time: `between A and B`, `A or later`, `B or earlier`.
pub fn time_range(r: Interval) -> String {
    let at = |t: f64| timestamp(t as i64);
    match (r.lo.is_finite(), r.hi.is_finite()) {
        (true, true) => format!("between {} and {}", at(r.lo), at(r.hi)),
        (true, false) => format!("{} or later", at(r.lo)),
        (false, true) => format!("{} or earlier", at(r.hi)),
        (false, false) => "any time".into(),
    }
}

/// How a detail match compares a field: `exact`, `fuzzy 90.0%`, `within 2`.
pub(crate) fn matcher(matcher: Matcher) -> String {
    match matcher {
        Matcher::Exact => "exact".into(),
        Matcher::Nocase => "nocase".into(),
        Matcher::Fuzzy(t) => format!("fuzzy {}", percent(t)),
        Matcher::Within(t) => format!("within {}", number(t)),
        Matcher::WithinPercent(t) => format!("within {}", percent(t)),
        Matcher::Overlap(None) => "overlap".into(),
        Matcher::Overlap(Some(t)) => format!("overlap {}", percent(t)),
    }
}

/// A value for a reader, written at the end of `out`; strings quoted and made safe.
pub(crate) fn write_text(out: &mut String, v: Value<'_>) {
    use std::fmt::Write;
    match v {
        Value::Unknown => out.push_str("unknown"),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Num(n) => write_number(out, n),
        Value::Str(s) => {
            let _ = write!(out, "{s:?}");
        }
        Value::Time(t) => out.push_str(crate::time::Rfc3339(t).ascii().as_str()),
        Value::Dur(d) => {
            let _ = write_duration(out, d);
        }
        Value::NumRange(r) => out.push_str(&range(r, number)),
        Value::TimeRange(r) => out.push_str(&time_range(r)),
        Value::DurRange(r) => out.push_str(&range(r, |d| duration(d as i64))),
        Value::List(list) if list.stride == 1 => {
            out.push('[');
            for (i, item) in items(v).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_text(out, item);
            }
            out.push(']');
        }
        Value::List(list) => {
            let _ = write!(out, "{} items", list.len());
        }
        Value::Match(_) => out.push_str("detail match"),
    }
}

/// A value for a reader; strings quoted and made safe.
pub fn text(v: Value<'_>) -> String {
    let mut out = String::new();
    write_text(&mut out, v);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_text_cannot_forge_lines_or_escape_sequences() {
        assert_eq!(clean("plain é"), "plain é");
        assert_eq!(
            clean("x\nCase forged: CREDIBLE\u{1b}[31m\u{202e}"),
            "x\\u{a}Case forged: CREDIBLE\\u{1b}[31m\\u{202e}"
        );
    }

    #[test]
    fn case_text_cannot_become_markup() {
        assert_eq!(
            markdown("<script>alert(1)</script> `x` *y*"),
            "&lt;script&gt;alert(1)&lt;/script&gt; \\`x\\` \\*y\\*"
        );
        assert_eq!(html("<b a=\"1\">&'"), "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
        assert_eq!(markdown_code("a == \"x\""), "`a == \"x\"`");
        assert_eq!(markdown_code("a `b` c"), "``a `b` c``");
        assert_eq!(markdown_code("`"), "`` ` ``");
    }

    /// Numbers without needless decimals, and the texts built on them.
    #[test]
    fn numbers_read_as_a_reader_expects() {
        let numbers = [
            (2.0, "2"),
            (0.5, "0.5"),
            (1.23456, "1.2346"),
            (100.00001, "100"),
            (-0.00001, "-0"),
            (1e16, "10000000000000000"),
            (1e15 + 0.5, "1000000000000000.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
        ];
        for (n, text) in numbers {
            assert_eq!(number(n), text, "{n}");
        }
        assert_eq!(signed(1.5), "+1.5");
        assert_eq!(signed(-2.0), "-2");
        assert_eq!(signed(0.0), "0");
        assert_eq!(similarity(Some(0.93)), ", similarity 0.93");
        assert_eq!(similarity(None), "");
        assert_eq!(score_value(ScoreMode::Additive, 30.0), "30 points");
    }

    #[test]
    fn values_read_as_a_reader_expects() {
        let values = [
            (Value::Unknown, "unknown"),
            (Value::Bool(true), "true"),
            (Value::Bool(false), "false"),
            (Value::Num(3.0), "3"),
            (Value::Num(-2.5), "-2.5"),
            (Value::Num(1e16), "10000000000000000"),
            (Value::Str("a \"quoted\"\nline"), r#""a \"quoted\"\nline""#),
            (Value::Time(1_521_820_800_125), "2018-03-23T16:00:00.125Z"),
            (
                Value::Time(-62_167_219_200_001),
                "-000001-12-31T23:59:59.999Z",
            ),
            (Value::Dur(90 * 60_000), "1h 30m"),
        ];
        for (v, expected) in values {
            let mut out = String::from("> ");
            write_text(&mut out, v);
            assert_eq!(out, format!("> {expected}"), "{v:?}");
            assert_eq!(text(v), expected, "{v:?}");
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(6 * 3_600_000 + 50 * 60_000), "6h 50m");
        assert_eq!(duration(2 * 86_400_000 + 3 * 3_600_000 + 5_000), "2d 3h");
        assert_eq!(duration(-90 * 60_000), "-1h 30m");
    }

    #[test]
    fn icd_203_words_cover_the_scale() {
        let words: Vec<&str> = [0.01, 0.1, 0.3, 0.5, 0.6, 0.9, 0.97]
            .into_iter()
            .map(estimative)
            .collect();
        assert_eq!(
            words,
            [
                "almost no chance",
                "very unlikely",
                "unlikely",
                "roughly even chance",
                "likely",
                "very likely",
                "almost certain"
            ]
        );
    }

    #[test]
    fn each_word_is_given_within_its_own_range() {
        for word in Estimative::ALL {
            let (low, high) = word.range();
            for p in [low + 1e-9, (low + high) / 2.0, high - 1e-9] {
                assert_eq!(Estimative::of(p), word, "{p}");
            }
        }
    }
}
