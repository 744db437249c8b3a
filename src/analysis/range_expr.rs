//! Range expressions (`1-10`, `1-100:5,200`), checked as the newest
//! reference (openjd-expr 0.13) reads them: integers of the 64-bit range
//! except its most negative value, at most 10,000 sub-ranges that do not
//! overlap, at most 2^63 − 1 values. Each problem comes with its place in
//! the expression, so that a diagnostic can point at the offending number.
//!
//! openjd-expr 0.8, which this crate links, bounds every value to below
//! 2^62 and so rejects valid ranges near the int64 edge.

use std::ops::Range;

/// The most sub-ranges a range expression may have.
const MAX_SUB_RANGES: usize = 10_000;

/// CHUNK[INT] task parameters bound their values below 2^62 in magnitude
/// (openjd-model 0.14), so that chunk arithmetic stays inside 64 bits.
pub(crate) const CHUNK_INT_BOUND: i64 = 1 << 62;

/// A problem of a range expression: the bytes of the expression it is
/// about, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: Range<usize>,
    pub message: String,
}

/// One `start-end:step`, normalized to ascending form, with the place of
/// its text in the expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubRange {
    pub start: i64,
    pub end: i64,
    pub step: i64,
    pub at: Range<usize>,
}

fn problem(at: Range<usize>, message: impl Into<String>) -> Problem {
    Problem {
        at,
        message: message.into(),
    }
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl Scanner<'_> {
    fn skip_space(&mut self) {
        while self
            .text
            .as_bytes()
            .get(self.pos)
            .is_some_and(u8::is_ascii_whitespace)
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// The character at `pos`, as a byte range.
    fn here(&self) -> Range<usize> {
        let len = self.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        self.pos..self.pos + len
    }

    fn integer(&mut self) -> Result<i64, Problem> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
            let at = if self.pos < self.text.len() {
                self.here()
            } else {
                start..self.text.len()
            };
            return Err(problem(at, "Expected an integer here"));
        }
        let digits = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let at = start..self.pos;
        match self.text[digits..self.pos].parse::<i64>() {
            Ok(v) if digits > start => Ok(-v),
            Ok(v) => Ok(v),
            Err(_) => Err(problem(
                at,
                format!(
                    "`{}` is outside the 64-bit integer range (-9223372036854775807 to 9223372036854775807)",
                    &self.text[start..self.pos]
                ),
            )),
        }
    }
}

/// Check a range expression; its sub-ranges in ascending order when valid.
pub fn check(text: &str) -> Result<Vec<SubRange>, Problem> {
    let mut s = Scanner { text, pos: 0 };
    let mut ranges: Vec<SubRange> = Vec::new();
    s.skip_space();
    if s.pos == text.len() {
        return Err(problem(
            0..text.len(),
            "A range expression must not be empty; write values such as `1-10` or `1,3,5`",
        ));
    }
    loop {
        s.skip_space();
        let begin = s.pos;
        if begin == text.len() {
            let comma = text.trim_end().len().saturating_sub(1);
            return Err(problem(
                comma..comma + 1,
                "Remove the trailing comma of this range expression",
            ));
        }
        let start = s.integer()?;
        s.skip_space();
        let (mut end, mut step) = (start, 1);
        if s.peek() == Some(b'-') {
            s.pos += 1;
            s.skip_space();
            end = s.integer()?;
            s.skip_space();
            if s.peek() == Some(b':') {
                s.pos += 1;
                s.skip_space();
                let step_at = s.pos;
                step = s.integer()?;
                if step == 0 {
                    return Err(problem(step_at..s.pos, "The step must not be zero"));
                }
                s.skip_space();
            } else if start > end {
                return Err(problem(
                    begin..s.pos,
                    format!(
                        "A descending range needs a negative step: write `{start}-{end}:-1`, or `{end}-{start}`"
                    ),
                ));
            }
        }
        let at = begin..text[..s.pos].trim_end().len();
        if step > 0 && start > end {
            return Err(problem(at, "A descending range must have a negative step"));
        }
        if step < 0 && start < end {
            return Err(problem(at, "An ascending range must have a positive step"));
        }
        // Normalize to ascending: the last value reached becomes an end.
        let magnitude = step.unsigned_abs();
        let offset = start.abs_diff(end) / magnitude * magnitude;
        let (lo, hi) = if start <= end {
            (start, start.wrapping_add_unsigned(offset))
        } else {
            (start.wrapping_sub_unsigned(offset), start)
        };
        ranges.push(SubRange {
            start: lo,
            end: hi,
            step: magnitude as i64,
            at,
        });
        if ranges.len() > MAX_SUB_RANGES {
            return Err(problem(
                0..text.len(),
                format!("A range expression may have at most {MAX_SUB_RANGES} parts"),
            ));
        }
        match s.peek() {
            None => break,
            Some(b',') => s.pos += 1,
            Some(_) => {
                return Err(problem(
                    s.here(),
                    "Unexpected character; parts of a range expression are `N`, `A-B` or `A-B:STEP`, separated by commas",
                ));
            }
        }
    }
    let mut sorted: Vec<&SubRange> = ranges.iter().collect();
    sorted.sort_by_key(|r| (r.start, r.end));
    for pair in sorted.windows(2) {
        if pair[1].start <= pair[0].end {
            let (first, second) = if pair[0].at.start < pair[1].at.start {
                (pair[0], pair[1])
            } else {
                (pair[1], pair[0])
            };
            return Err(problem(
                second.at.clone(),
                format!(
                    "This part overlaps `{}`; each value may appear once",
                    &text[first.at.clone()]
                ),
            ));
        }
    }
    let mut total: u64 = 0;
    for r in &ranges {
        let count = r.start.abs_diff(r.end) / r.step.unsigned_abs() + 1;
        total = match total.checked_add(count).filter(|t| *t <= i64::MAX as u64) {
            Some(t) => t,
            None => {
                return Err(problem(
                    0..text.len(),
                    "A range expression may have at most 9223372036854775807 values",
                ));
            }
        };
    }
    Ok(ranges)
}

/// A value of a CHUNK[INT] range at or beyond 2^62 in magnitude: the
/// sub-range that holds it.
pub(crate) fn beyond_chunk_bound(ranges: &[SubRange]) -> Option<&SubRange> {
    ranges.iter().find(|r| {
        r.start.unsigned_abs() >= CHUNK_INT_BOUND as u64
            || r.end.unsigned_abs() >= CHUNK_INT_BOUND as u64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (String, String) {
        let p = check(text).expect_err(text);
        (text[p.at.clone()].to_string(), p.message)
    }

    #[test]
    fn valid_ranges_up_to_the_int64_edge() {
        for ok in [
            "1-10",
            " 1 - 10 : 2 , 20 ",
            "10-1:-1",
            "-5--1",
            "9223372036854775806-9223372036854775807",
            "-9223372036854775807",
            "-9223372036854775807,9223372036854775807",
        ] {
            assert!(check(ok).is_ok(), "{ok}: {:?}", check(ok));
        }
    }

    #[test]
    fn each_problem_points_at_its_part() {
        assert_eq!(err("1-9223372036854775808").0, "9223372036854775808");
        assert_eq!(err("-9223372036854775808").0, "-9223372036854775808");
        assert_eq!(err("not-a-range").0, "n");
        assert_eq!(err("1-5,").0, ",");
        assert_eq!(err("1-10:0").0, "0");
        assert_eq!(err("1-5, 3").0, "3");
        assert_eq!(err("5-1").0, "5-1");
        assert_eq!(err("1-5:-1").0, "1-5:-1");
        assert_eq!(err("1-5x").0, "x");
        assert!(err("").1.contains("must not be empty"));
        assert!(
            err("-9223372036854775807-9223372036854775807")
                .1
                .contains("at most")
        );
    }

    #[test]
    fn the_chunk_bound_is_two_to_the_sixty_second() {
        let ok = check("1-4611686018427387903").expect("valid");
        assert!(beyond_chunk_bound(&ok).is_none());
        let big = check("1-4611686018427387904").expect("valid");
        assert!(beyond_chunk_bound(&big).is_some());
    }
}
