//! Finds the `{{ … }}` interpolations of a format string, following the
//! reference scanner's rules (an interpolation ends at the first `}}`, there
//! is no escape), but tolerantly: it reports every problem and still returns
//! the interpolations it found, including an unterminated last one, which is
//! where completion happens while the user types.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Interpolation {
    /// Offset of the opening `{{`.
    pub open: usize,
    /// Offset of the closing `}}`, if there is one.
    pub close: Option<usize>,
    /// The expression text between the braces, trimmed.
    pub expr: Range<usize>,
}

impl Interpolation {
    /// The whole `{{ … }}` (to the end of the value when unterminated).
    pub fn full(&self, value_len: usize) -> Range<usize> {
        self.open..self.close.map_or(value_len, |c| c + 2)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ScanErrorKind {
    MissingOpen,
    Unterminated,
    Empty,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScanError {
    pub range: Range<usize>,
    pub kind: ScanErrorKind,
}

impl ScanError {
    pub fn message(&self) -> &'static str {
        match self.kind {
            ScanErrorKind::MissingOpen => {
                "`}}` without a matching `{{`; to write literal braces use an expression such as {{ '}' + '}' }}"
            }
            ScanErrorKind::Unterminated => "`{{` is never closed with `}}`",
            ScanErrorKind::Empty => "Empty `{{ }}`; put a variable or expression inside",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Scan {
    pub interpolations: Vec<Interpolation>,
    pub errors: Vec<ScanError>,
}

/// Byte offset of the first `{{` (for `b'{'`) or `}}` (for `b'}'`). A plain
/// byte scan: `str::find` sets up a substring searcher on every call, which
/// cost more than the search itself on the short values of a template.
pub(crate) fn find_double(s: &str, b: u8) -> Option<usize> {
    s.as_bytes().windows(2).position(|w| w[0] == b && w[1] == b)
}

pub(crate) fn scan(value: &str) -> Scan {
    let mut out = Scan::default();
    let mut pos = 0;
    // The next `{{` and `}}` at or after `pos`, searched for again only once
    // `pos` passed them: searching the rest of the value at every step made
    // a value of many `}}` and no `{{` quadratic.
    let mut open: Option<usize> = None;
    let mut stray_close: Option<usize> = None;
    let mut searched = false;
    while pos < value.len() {
        let next = |found: Option<usize>, b: u8| match found {
            Some(at) if at >= pos => Some(at),
            None if searched => None,
            _ => find_double(&value[pos..], b).map(|at| pos + at),
        };
        open = next(open, b'{');
        stray_close = next(stray_close, b'}');
        searched = true;
        match (open, stray_close) {
            (None, None) => break,
            (None, Some(c)) => {
                out.errors.push(ScanError {
                    range: c..c + 2,
                    kind: ScanErrorKind::MissingOpen,
                });
                pos = c + 2;
            }
            (Some(o), Some(c)) if c < o => {
                out.errors.push(ScanError {
                    range: c..c + 2,
                    kind: ScanErrorKind::MissingOpen,
                });
                pos = c + 2;
            }
            (Some(o), _) => {
                let inner_start = o + 2;
                match find_double(&value[inner_start..], b'}').map(|c| inner_start + c) {
                    None => {
                        out.errors.push(ScanError {
                            range: o..o + 2,
                            kind: ScanErrorKind::Unterminated,
                        });
                        out.interpolations.push(Interpolation {
                            open: o,
                            close: None,
                            expr: trimmed(value, inner_start..value.len()),
                        });
                        break;
                    }
                    Some(c) => {
                        let expr = trimmed(value, inner_start..c);
                        if expr.is_empty() {
                            out.errors.push(ScanError {
                                range: o..c + 2,
                                kind: ScanErrorKind::Empty,
                            });
                        }
                        out.interpolations.push(Interpolation {
                            open: o,
                            close: Some(c),
                            expr,
                        });
                        pos = c + 2;
                    }
                }
            }
        }
    }
    out
}

fn trimmed(value: &str, range: Range<usize>) -> Range<usize> {
    let s = &value[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return range.start + lead..range.start + lead;
    }
    range.start + lead..range.end - trail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_interpolations_and_errors() {
        let s = scan("a {{ Param.X }} b {{Task.File.Y}}");
        assert!(s.errors.is_empty());
        assert_eq!(s.interpolations.len(), 2);
        assert_eq!(s.interpolations[0].expr, 5..12);
        let s = scan("x }} {{ y");
        assert_eq!(s.errors.len(), 2);
        assert_eq!(s.errors[0].kind, ScanErrorKind::MissingOpen);
        assert_eq!(s.errors[1].kind, ScanErrorKind::Unterminated);
        assert_eq!(s.interpolations[0].close, None);
        let s = scan("{{  }}");
        assert_eq!(s.errors[0].kind, ScanErrorKind::Empty);
        // The first `}}` closes, even inside a string literal.
        let s = scan("{{ '}}' }}");
        assert_eq!(s.interpolations[0].expr, 3..4);
    }

    #[test]
    fn every_stray_close_is_reported() {
        let value = "}} ".repeat(5_000) + "{{ x }} }}";
        let s = scan(&value);
        assert_eq!(s.errors.len(), 5_001);
        assert!(
            s.errors
                .iter()
                .all(|e| e.kind == ScanErrorKind::MissingOpen)
        );
        assert_eq!(s.errors[4_999].range, 14_997..14_999);
        assert_eq!(s.interpolations.len(), 1);
        assert_eq!(s.interpolations[0].open, 15_000);
    }

    #[test]
    fn braces_in_every_order_scan_as_the_reference_reads_them() {
        // Each piece, and each pair of pieces, against what the reference
        // scanner's rule gives: the first `}}` after a `{{` closes it.
        let pieces = [
            "{{", "}}", "{", "}", "{{{", "}}}", "a", " ", "{{}}", "{{ x }}",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let value = format!("{a}{b}{c}");
                    let s = scan(&value);
                    let (mut opens, mut at) = (Vec::new(), 0);
                    while let Some(o) = find_double(&value[at..], b'{') {
                        let o = at + o;
                        opens.push(o);
                        match find_double(&value[o + 2..], b'}') {
                            Some(c) => at = o + 2 + c + 2,
                            None => break,
                        }
                    }
                    let found: Vec<usize> = s.interpolations.iter().map(|i| i.open).collect();
                    assert_eq!(found, opens, "{value:?}");
                }
            }
        }
    }
}
