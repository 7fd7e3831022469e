//! RFC 3339 timestamps as milliseconds since the Unix epoch (UTC), over the whole range the RFC
//! allows: years 0000–9999, any number of fractional digits, leap seconds, any offset.
//!
//! jiff covers most of this but rejects more than nine fractional digits and instants after
//! 9999-12-30T22:00Z, both valid RFC 3339 that case data may carry; this module is the one place
//! timestamps are read and written, for rule literals, case values and schema validation alike.

use std::fmt;

const MS_PER_DAY: i64 = 86_400_000;

/// Why a text is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimeError(&'static str);

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TimeError {}

/// True when a text has the shape of a timestamp (`YYYY-MM-DDThh:mm…`): strings of that shape
/// are read as timestamps where the rules do not say otherwise.
pub(crate) fn looks_like_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[..4].iter().all(u8::is_ascii_digit)
}

/// Parses an RFC 3339 date-time (`2018-03-23T09:10:00Z`, `…T11:10:00.5+02:00`) to milliseconds
/// since the epoch. Fractions beyond milliseconds are truncated; a leap second (`:60`) is read
/// as the last millisecond of its minute.
pub(crate) fn parse(text: &str) -> Result<i64, TimeError> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let year = r.digits(4, "expected a four-digit year")?;
    r.expect(b'-', "expected `-` after the year")?;
    let month = r.digits(2, "expected a two-digit month")?;
    r.expect(b'-', "expected `-` after the month")?;
    let day = r.digits(2, "expected a two-digit day")?;
    if !(1..=12).contains(&month) {
        return Err(TimeError("the month must be 01 to 12"));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(TimeError("the day does not exist in that month"));
    }
    match r.next() {
        Some(b'T' | b't' | b' ') => {}
        _ => return Err(TimeError("expected `T` between the date and the time")),
    }
    let hour = r.digits(2, "expected a two-digit hour")?;
    r.expect(b':', "expected `:` after the hour")?;
    let minute = r.digits(2, "expected two-digit minutes")?;
    r.expect(b':', "expected `:` after the minutes")?;
    let second = r.digits(2, "expected two-digit seconds")?;
    if hour > 23 || minute > 59 || second > 60 {
        return Err(TimeError("the time of day is out of range"));
    }
    let mut millis = 0;
    let mut leap_fill = 0;
    if r.peek() == Some(b'.') {
        r.at += 1;
        let start = r.at;
        while r.peek().is_some_and(|b| b.is_ascii_digit()) {
            let place = r.at - start;
            if place < 3 {
                millis = millis * 10 + i64::from(r.bytes[r.at] - b'0');
            }
            r.at += 1;
        }
        match r.at - start {
            0 => return Err(TimeError("expected digits after `.`")),
            n @ 1..=2 => millis *= 10_i64.pow(3 - n as u32),
            _ => {}
        }
    }
    let second = if second == 60 {
        leap_fill = 999 - millis;
        59
    } else {
        second
    };
    let offset_minutes = match r.next() {
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = r.digits(2, "expected a two-digit offset hour")?;
            r.expect(b':', "expected `:` in the offset")?;
            let minutes = r.digits(2, "expected two-digit offset minutes")?;
            if hours > 23 || minutes > 59 {
                return Err(TimeError("the offset is out of range"));
            }
            let total = hours * 60 + minutes;
            if sign == b'-' { -total } else { total }
        }
        _ => return Err(TimeError("expected `Z` or an offset such as `+02:00`")),
    };
    if r.at != r.bytes.len() {
        return Err(TimeError("unexpected text after the timestamp"));
    }
    let days = days_from_civil(year, month, day);
    let in_day = ((hour * 60 + minute) * 60 + second) * 1000 + millis + leap_fill;
    Ok(days * MS_PER_DAY + in_day - offset_minutes * 60_000)
}

/// Writes milliseconds since the epoch as RFC 3339 in UTC (`2018-03-23T09:10:00Z`, with
/// `.250` only when there are milliseconds). Instants outside years 0000–9999, which only
/// arithmetic can reach, are written with a signed six-digit year as ISO 8601 extends it.
pub(crate) fn format(ms: i64) -> String {
    Rfc3339(ms).to_string()
}

/// A time written as RFC 3339 in UTC, without allocating: `2018-03-23T16:00:00Z`, with
/// milliseconds when there are any (`.5`, `.125`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rfc3339(pub(crate) i64);

impl Rfc3339 {
    /// The text, built on the stack: traces write a time per item of a window, so digits go
    /// into a buffer, not through the formatting machinery.
    pub(crate) fn ascii(self) -> Ascii {
        let ms = self.0;
        let (year, month, day) = civil_from_days(ms.div_euclid(MS_PER_DAY));
        let in_day = ms.rem_euclid(MS_PER_DAY);
        let (seconds, millis) = (in_day / 1000, in_day % 1000);
        let (hour, minute, second) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        let mut text = Ascii::default();
        if (0..=9999).contains(&year) {
            text.digits(year, 4);
        } else {
            // An extended year: its sign and at least six digits (`+010000`, `-000001`).
            text.push(if year < 0 { b'-' } else { b'+' });
            let magnitude = year.unsigned_abs();
            let width = magnitude.checked_ilog10().map_or(1, |d| d + 1).max(6);
            text.digits(magnitude as i64, width);
        }
        for (separator, value) in [
            (b'-', month),
            (b'-', day),
            (b'T', hour),
            (b':', minute),
            (b':', second),
        ] {
            text.push(separator);
            text.digits(value, 2);
        }
        let (fraction, width) = match millis {
            0 => (0, 0),
            m if m % 100 == 0 => (m / 100, 1),
            m if m % 10 == 0 => (m / 10, 2),
            m => (m, 3),
        };
        if width > 0 {
            text.push(b'.');
            text.digits(fraction, width);
        }
        text.push(b'Z');
        text
    }
}

impl std::fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.ascii().as_str())
    }
}

/// A short ASCII text built on the stack (long enough for any RFC 3339 time of an `i64` of
/// milliseconds: a sign, nine digits of year and 21 more characters).
#[derive(Default)]
pub(crate) struct Ascii {
    bytes: [u8; 32],
    len: usize,
}

impl Ascii {
    fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// `value` (not negative) in `width` decimal digits, with leading zeros.
    fn digits(&mut self, mut value: i64, width: u32) {
        let end = self.len + width as usize;
        for at in (self.len..end).rev() {
            self.bytes[at] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.len = end;
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits and separators are pushed.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

struct Reader<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl Reader<'_> {
    fn next(&mut self) -> Option<u8> {
        let b = self.bytes.get(self.at).copied();
        self.at += 1;
        b
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, want: u8, problem: &'static str) -> Result<(), TimeError> {
        if self.next() == Some(want) {
            Ok(())
        } else {
            Err(TimeError(problem))
        }
    }

    fn digits(&mut self, count: usize, problem: &'static str) -> Result<i64, TimeError> {
        let slice = self
            .bytes
            .get(self.at..self.at + count)
            .filter(|s| s.iter().all(u8::is_ascii_digit))
            .ok_or(TimeError(problem))?;
        self.at += count;
        Ok(slice.iter().fold(0, |n, b| n * 10 + i64::from(b - b'0')))
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (inverse of the above).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Duration units and their length in milliseconds, as rules and the command line write them.
pub(crate) const UNITS: &[(&str, i64)] = &[
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
    ("w", 604_800_000),
];

/// A duration written as number-unit pairs (`24h`, `1h30m`, `2d`), in milliseconds.
pub(crate) fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || {
        format!(
            "`{text}` is not a duration such as `90m`, `24h` or `1h30m` (units: ms, s, m, h, d, w)"
        )
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_end = rest[digits..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(rest.len(), |p| p + digits);
        let amount: i64 = rest[..digits].parse().map_err(|_| invalid())?;
        let (_, ms) = UNITS
            .iter()
            .find(|(name, _)| *name == &rest[digits..unit_end])
            .ok_or_else(invalid)?;
        total = amount
            .checked_mul(*ms)
            .and_then(|x| total.checked_add(x))
            .ok_or_else(invalid)?;
        rest = &rest[unit_end..];
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_jiff_where_jiff_has_range() {
        for text in [
            "2018-03-23T09:10:00Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999Z",
            "2000-02-29T12:00:00+05:30",
            "0001-01-01T00:00:00Z",
            "2016-07-14T22:34:00.123-04:00",
        ] {
            let ours = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let jiffs = text
                .parse::<jiff::Timestamp>()
                .map(|t| t.as_millisecond())
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(ours, jiffs, "{text}");
        }
    }

    #[test]
    fn accepts_the_whole_rfc_3339_range() {
        assert_eq!(
            format(parse("9999-12-31T23:59:59Z").expect("end of range")),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            format(parse("0000-01-01T00:00:00Z").expect("start")),
            "0000-01-01T00:00:00Z"
        );
        assert_eq!(
            parse("2018-03-23T09:10:00.123456789012Z"),
            parse("2018-03-23T09:10:00.123Z"),
            "fractions beyond milliseconds are truncated"
        );
        assert_eq!(
            parse("2016-12-31T23:59:60Z"),
            parse("2016-12-31T23:59:59.999Z"),
            "a leap second is the last millisecond of its minute"
        );
        assert_eq!(parse("2018-03-23t09:10:00z"), parse("2018-03-23T09:10:00Z"));
        assert_eq!(parse("2018-03-23 09:10:00Z"), parse("2018-03-23T09:10:00Z"));
        assert_eq!(
            parse("2018-03-23T09:10:00-00:00"),
            parse("2018-03-23T09:10:00Z")
        );
    }

    #[test]
    fn rejects_what_is_not_rfc_3339() {
        for text in [
            "2018-02-29T00:00:00Z",
            "2018-13-01T00:00:00Z",
            "2018-03-23T24:00:00Z",
            "2018-03-23T09:10:00",
            "2018-03-23T09:10:00+2:00",
            "2018-03-23T09:10:00.Z",
            "2018-03-23T09:10Z",
            "yesterday",
            "2018-03-23T09:10:00Zjunk",
            "",
        ] {
            assert!(parse(text).is_err(), "{text} accepted");
        }
    }

    #[test]
    fn format_round_trips_and_writes_milliseconds_only_when_present() {
        for ms in [
            0,
            1_521_796_200_000,
            1_521_796_200_250,
            -1,
            -62_135_596_800_000,
        ] {
            assert_eq!(parse(&format(ms)), Ok(ms), "{}", format(ms));
        }
        assert_eq!(format(1_521_796_200_250), "2018-03-23T09:10:00.25Z");
        assert_eq!(format(i64::MAX).chars().next(), Some('+'), "extended year");
        // Extended years as `{year:+07}` writes them: a sign and at least six digits.
        assert_eq!(format(i64::MAX), "+292278994-08-17T07:12:55.807Z");
        assert_eq!(format(i64::MIN), "-292275055-05-16T16:47:04.192Z");
        assert_eq!(format(253_402_300_800_000), "+010000-01-01T00:00:00Z");
        assert_eq!(format(-62_167_219_200_001), "-000001-12-31T23:59:59.999Z");
    }

    #[test]
    fn command_line_durations() {
        assert_eq!(parse_duration("24h"), Ok(86_400_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("2d"), Ok(172_800_000));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("24").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("3 hours").is_err());
        assert!(parse_duration("99999999999999999w").is_err());
    }
}
