//! A plain (unquoted) scalar where the schema wants a string, as the two
//! newest references read it. The Rust openjd-model (0.14) reads YAML 1.2's
//! core schema; its format strings take a number or boolean as its text,
//! its other strings refuse them, and non-finite floats are kept as their
//! text everywhere. The Python openjd-model (Deadline Cloud's submitter)
//! reads YAML 1.1 through PyYAML and refuses anything that is not a string.

use crate::syntax::{Scalar, ScalarKind, ScalarStyle};

/// Who refuses a plain scalar in a string field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Both references refuse it: a type error.
    BothReject,
    /// Only the Rust reference refuses it; YAML 1.2 reads it as this.
    RustRejects(&'static str),
    /// Only the Python reference refuses it; YAML 1.1 reads it as this.
    PythonRejects(&'static str),
}

/// The verdict on `scalar` in a string field: a format string when
/// `format_string`, else a plain string. Quoted, block and `!!str` scalars
/// are strings to both readers.
pub fn verdict(scalar: &Scalar, format_string: bool) -> Verdict {
    let written_string = scalar.style != ScalarStyle::Plain || scalar.tag().is_some();
    if written_string && scalar.kind() == ScalarKind::Str {
        return Verdict::Accepted;
    }
    let yaml12 = match scalar.kind() {
        // The Rust reference's reader (serde-saphyr) also reads binary
        // `0b101` and `1_000` as integers, which the core schema does not.
        ScalarKind::Str if is_saphyr_int(&scalar.value) && !format_string => Some("an integer"),
        ScalarKind::Str => None,
        ScalarKind::Float(f) if !f.is_finite() => None,
        // Null where a string is required: both refuse it.
        ScalarKind::Null => return Verdict::BothReject,
        _ if format_string => None,
        ScalarKind::Int(_) => Some("an integer"),
        ScalarKind::Float(_) => Some("a number"),
        ScalarKind::Bool(_) => Some("a boolean"),
    };
    match (yaml12, yaml11_reading(&scalar.value)) {
        (None, None) => Verdict::Accepted,
        (Some(_), Some(_)) => Verdict::BothReject,
        (Some(rust), None) => Verdict::RustRejects(rust),
        (None, Some(python)) => Verdict::PythonRejects(python),
    }
}

/// What PyYAML's resolver (YAML 1.1) makes of a plain scalar that is not a
/// string: its implicit resolvers for booleans, null, integers, floats and
/// timestamps, tried on the whole value.
pub fn yaml11_reading(value: &str) -> Option<&'static str> {
    const BOOLS: [&str; 18] = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ];
    if BOOLS.contains(&value) {
        return Some("a boolean");
    }
    if matches!(value, "" | "~" | "null" | "Null" | "NULL") {
        return Some("null");
    }
    if is_sexagesimal_int(value) {
        return Some("a base-60 integer");
    }
    if is_int(value) {
        return Some("an integer");
    }
    if is_float(value) {
        return Some("a number");
    }
    if is_timestamp(value) {
        return Some("a date");
    }
    None
}

/// serde-saphyr's integers beyond the core schema's: `[-+]?0b[01]+` and
/// decimals (no leading zero) or `0x`/`0o`/`0b` numerals with single `_`
/// between digits.
fn is_saphyr_int(value: &str) -> bool {
    let v = unsigned(value);
    let (digits, radix) = if let Some(d) = v.strip_prefix("0b") {
        (d, 2)
    } else if let Some(d) = v.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = v.strip_prefix("0o") {
        (d, 8)
    } else if v.starts_with('0') {
        return false;
    } else {
        (v, 10)
    };
    !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c == '_' || c.is_digit(radix))
}

fn unsigned(value: &str) -> &str {
    value.strip_prefix(['-', '+']).unwrap_or(value)
}

fn all(s: &str, pred: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(pred)
}

fn digit_or_underscore(b: u8) -> bool {
    b.is_ascii_digit() || b == b'_'
}

/// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+`
fn is_int(value: &str) -> bool {
    let v = unsigned(value);
    let rest_nonempty = |r: &str, pred: fn(u8) -> bool| !r.is_empty() && all(r, pred);
    if let Some(r) = v.strip_prefix("0b") {
        return rest_nonempty(r, |b| matches!(b, b'0' | b'1' | b'_'));
    }
    if let Some(r) = v.strip_prefix("0x") {
        return rest_nonempty(r, |b| b.is_ascii_hexdigit() || b == b'_');
    }
    if v == "0" {
        return true;
    }
    if let Some(r) = v.strip_prefix('0') {
        return rest_nonempty(r, |b| matches!(b, b'0'..=b'7' | b'_'));
    }
    v.starts_with(|c: char| ('1'..='9').contains(&c)) && all(v, digit_or_underscore)
}

/// `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
fn is_sexagesimal_int(value: &str) -> bool {
    let mut parts = unsigned(value).split(':');
    let head = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && head.starts_with(|c: char| ('1'..='9').contains(&c))
        && all(head, digit_or_underscore)
        && rest.iter().all(|p| is_base60_digit(p))
}

/// `[0-5]?[0-9]`
fn is_base60_digit(p: &str) -> bool {
    match p.as_bytes() {
        [d] => d.is_ascii_digit(),
        [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
        _ => false,
    }
}

/// `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9_]+([eE][-+][0-9]+)?
/// | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)`
fn is_float(value: &str) -> bool {
    let v = unsigned(value);
    if matches!(v, ".inf" | ".Inf" | ".INF") || matches!(value, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match v.find(['e', 'E']) {
        Some(at) => (&v[..at], Some(&v[at + 1..])),
        None => (v, None),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        e.strip_prefix(['-', '+'])
            .is_some_and(|d| !d.is_empty() && all(d, |b| b.is_ascii_digit()))
    });
    let Some((whole, fraction)) = mantissa.split_once('.') else {
        return false;
    };
    let fraction_ok = all(fraction, digit_or_underscore);
    if whole.is_empty() {
        // `\.[0-9_]+`, unsigned only.
        return value == v && !fraction.is_empty() && fraction_ok && exponent_ok;
    }
    let mut base60 = whole.split(':');
    let head = base60.next().unwrap_or("");
    let sixties: Vec<&str> = base60.collect();
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit()) && all(head, digit_or_underscore);
    if sixties.is_empty() {
        head_ok && fraction_ok && exponent_ok
    } else {
        head_ok && sixties.iter().all(|p| is_base60_digit(p)) && fraction_ok && exponent.is_none()
    }
}

/// `YYYY-MM-DD`, or `YYYY-M-D` with a time: `(T|t|[ \t]+)H:MM:SS(.frac)?`
/// then optionally `[ \t]*(Z|[-+]H(:MM)?)`.
fn is_timestamp(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |s: &[u8], min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.iter().all(u8::is_ascii_digit)
    };
    let mut date = value.splitn(3, '-');
    let (Some(year), Some(month), Some(rest)) = (date.next(), date.next(), date.next()) else {
        return false;
    };
    if !digits(year.as_bytes(), 4, 4) || !digits(month.as_bytes(), 1, 2) {
        return false;
    }
    let day_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after_day = &rest[day_len..];
    if after_day.is_empty() {
        return b.len() == 10 && day_len == 2 && month.len() == 2;
    }
    if !(1..=2).contains(&day_len) {
        return false;
    }
    let time = if let Some(t) = after_day.strip_prefix(['T', 't']) {
        t
    } else {
        let trimmed = after_day.trim_start_matches([' ', '\t']);
        if trimmed.len() == after_day.len() {
            return false;
        }
        trimmed
    };
    let time_len = time
        .bytes()
        .take_while(|c| c.is_ascii_digit() || *c == b':' || *c == b'.')
        .count();
    let (clock, zone) = time.split_at(time_len);
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    if !all(fraction, |c| c.is_ascii_digit()) {
        return false;
    }
    let parts: Vec<&str> = hms.split(':').collect();
    let clock_ok = matches!(parts.as_slice(), [h, m, s]
        if digits(h.as_bytes(), 1, 2) && digits(m.as_bytes(), 2, 2) && digits(s.as_bytes(), 2, 2));
    if !clock_ok {
        return false;
    }
    let zone = zone.trim_start_matches([' ', '\t']);
    if zone.is_empty() || zone == "Z" {
        return true;
    }
    let Some(offset) = zone.strip_prefix(['-', '+']) else {
        return false;
    };
    let (hours, minutes) = match offset.split_once(':') {
        Some((h, m)) => (h, Some(m)),
        None => (offset, None),
    };
    digits(hours.as_bytes(), 1, 2) && minutes.is_none_or(|m| digits(m.as_bytes(), 2, 2))
}

#[cfg(test)]
mod tests {
    use super::yaml11_reading;

    #[test]
    fn yaml11_reads_what_pyyaml_reads() {
        let non_strings = [
            "yes",
            "NO",
            "on",
            "Off",
            "true",
            "FALSE",
            "~",
            "null",
            "",
            "1",
            "-1",
            "+0",
            "017",
            "0x1F",
            "-0x1f",
            "0b101",
            "1_000",
            "1:30",
            "-1:30:05",
            "1.5",
            "1.",
            "-1.5",
            ".5",
            "1.0e+3",
            "1:30.5",
            ".inf",
            "-.Inf",
            ".NaN",
            "2001-12-14",
            "2001-12-14T21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "2001-1-2 3:04:05Z",
        ];
        for v in non_strings {
            assert!(yaml11_reading(v).is_some(), "{v:?} should not be a string");
        }
        let strings = [
            "y",
            "N",
            "TrUe",
            "NuLL",
            "0o17",
            "1e3",
            "1.0e3",
            "1e+3",
            "+.5",
            "08",
            "-.nan",
            "2001-12-1",
            "2001-12-14x",
            "1:60",
            "0:30",
            "a1",
            "1.2.3",
            "12:30:5x",
            "-",
        ];
        for v in strings {
            assert_eq!(yaml11_reading(v), None, "{v:?} should be a string");
        }
    }
}
