//! Maps byte offsets inside a scalar's decoded value back to the document, so
//! that a diagnostic about part of a string underlines exactly that part, in
//! every YAML scalar style and in JSON strings with escapes.
//!
//! The raw source is cut into units, each producing at most one character of
//! the value (an escape, a doubled quote, an ordinary character), and the
//! value is aligned against them. Line folding only removes or rewrites
//! whitespace, so the alignment skips whitespace units that produce nothing
//! visible in the value.

use super::tree::{ScalarStyle, Span};

struct Unit {
    start: usize,
    end: usize,
    produces: Option<char>,
}

/// Per character of the value: its byte offset in the value and the source
/// range that produced it.
#[derive(Debug)]
pub struct ScalarMap {
    chars: Vec<(usize, usize, usize)>,
    value_len: usize,
    /// Where the value ends in the source (before a closing quote).
    source_end: usize,
}

impl ScalarMap {
    pub fn new(text: &str, span: &Span, style: ScalarStyle, value: &str) -> Self {
        let raw_start = span.start.min(text.len());
        let raw_end = span.end.min(text.len()).max(raw_start);
        let raw = &text[raw_start..raw_end];
        let units = units(raw, raw_start, style);
        let mut chars = Vec::with_capacity(value.len());
        let mut u = 0;
        for (off, c) in value.char_indices() {
            let mut mapped = None;
            while u < units.len() {
                let unit = &units[u];
                if unit.produces == Some(c) {
                    mapped = Some((unit.start, unit.end));
                    u += 1;
                    break;
                }
                let skippable = unit.produces.is_none_or(char::is_whitespace);
                if skippable {
                    u += 1;
                } else {
                    mapped = Some((unit.start, unit.start));
                    break;
                }
            }
            let (s, e) = mapped.unwrap_or((raw_end, raw_end));
            chars.push((off, s, e));
        }
        let closing = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                raw_end.saturating_sub(1).max(raw_start)
            }
            _ => units
                .iter()
                .rev()
                .find(|u| u.produces.is_some_and(|c| !c.is_whitespace()))
                .map_or(raw_end, |u| u.end),
        };
        let source_end = chars
            .last()
            .map_or(closing, |&(_, _, e)| e.max(closing.min(raw_end)));
        ScalarMap {
            chars,
            value_len: value.len(),
            source_end,
        }
    }

    /// The map of a scalar node's value; `None` for other nodes.
    pub(crate) fn of_node(text: &str, node: &super::tree::Node) -> Option<Self> {
        let s = node.scalar()?;
        Some(ScalarMap::new(text, &node.span, s.style, &s.value))
    }

    fn index_of(&self, value_offset: usize) -> usize {
        match self.chars.binary_search_by_key(&value_offset, |c| c.0) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Document offset of a position inside the value (a cursor).
    pub(crate) fn to_source(&self, value_offset: usize) -> usize {
        if value_offset >= self.value_len || self.chars.is_empty() {
            return self.source_end;
        }
        self.chars[self.index_of(value_offset)].1
    }

    /// Document range of a byte range of the value.
    pub(crate) fn range_to_source(&self, range: std::ops::Range<usize>) -> Span {
        let start = self.to_source(range.start);
        if range.end <= range.start || self.chars.is_empty() {
            return start..start;
        }
        let last = self.index_of(
            range
                .end
                .saturating_sub(1)
                .min(self.value_len.saturating_sub(1)),
        );
        let end = self.chars[last].2.max(start);
        start..end
    }

    /// Value offset of a document offset (for a cursor inside the scalar):
    /// the first value character produced at or after it.
    pub fn from_source(&self, source_offset: usize) -> usize {
        self.chars
            .iter()
            .find(|&&(_, s, _)| s >= source_offset)
            .map_or(self.value_len, |&(v, _, _)| v)
    }
}

fn units(raw: &str, base: usize, style: ScalarStyle) -> Vec<Unit> {
    let mut out = Vec::with_capacity(raw.len());
    let bytes = raw.as_bytes();
    let mut iter = raw.char_indices().peekable();
    let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
    while let Some((i, c)) = iter.next() {
        let last = i + c.len_utf8() == raw.len();
        let unit = |end: usize, produces: Option<char>| Unit {
            start: base + i,
            end: base + end,
            produces,
        };
        if quoted && (i == 0 || last) && (c == '\'' || c == '"') {
            out.push(unit(i + 1, None));
            continue;
        }
        match (style, c) {
            (ScalarStyle::SingleQuoted, '\'') if bytes.get(i + 1) == Some(&b'\'') => {
                iter.next();
                out.push(unit(i + 2, Some('\'')));
            }
            (ScalarStyle::DoubleQuoted, '\\') => {
                let Some(&(_, e)) = iter.peek() else {
                    out.push(unit(i + 1, None));
                    continue;
                };
                iter.next();
                let hex_len = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    _ => 0,
                };
                if hex_len > 0 {
                    let digits_start = i + 2;
                    let digits_end = (digits_start + hex_len).min(raw.len());
                    let decoded = raw
                        .get(digits_start..digits_end)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32);
                    for _ in 0..hex_len {
                        iter.next();
                    }
                    out.push(unit(digits_end, decoded));
                    continue;
                }
                let produced = match e {
                    '0' => Some('\0'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    't' | '\t' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\x0b'),
                    'f' => Some('\x0c'),
                    'r' => Some('\r'),
                    'e' => Some('\x1b'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '/' => Some('/'),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{a0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    // An escaped line break joins the lines with nothing.
                    '\n' | '\r' => None,
                    other => Some(other),
                };
                out.push(unit(i + 1 + e.len_utf8(), produced));
            }
            _ => out.push(unit(i + c.len_utf8(), Some(c))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse::parse;

    /// The document range of `needle` inside the value of key `k`.
    fn locate(text: &str, k: &str, needle: &str) -> String {
        let p = parse(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let root = p.root.unwrap();
        let node = root.get(k).unwrap();
        let s = node.scalar().unwrap();
        let at = s.value.find(needle).unwrap();
        let map = ScalarMap::new(text, &node.span, s.style, &s.value);
        let r = map.range_to_source(at..at + needle.len());
        text[r].to_string()
    }

    #[test]
    fn every_style_maps_back() {
        assert_eq!(locate("k: a {{X}} b\n", "k", "X"), "X");
        assert_eq!(locate("k: 'it''s {{X}}'\n", "k", "X"), "X");
        assert_eq!(locate("k: 'it''s {{X}}'\n", "k", "'s"), "''s");
        assert_eq!(locate("k: \"\\t\\u00e9 {{X}}\"\n", "k", "X"), "X");
        assert_eq!(locate("k: \"\\t\\u00e9 {{X}}\"\n", "k", "é"), "\\u00e9");
        assert_eq!(locate("k: |\n  one\n  two {{X}}\n", "k", "X"), "X");
        assert_eq!(locate("k: >\n  one\n  two {{X}}\n", "k", "X"), "X");
        assert_eq!(locate("k: plain\n  folded {{X}}\n", "k", "X"), "X");
        assert_eq!(locate("k: \"a\\\n   b {{X}}\"\n", "k", "X"), "X");
        assert_eq!(locate("{\"k\": \"\\\"q\\\" {{X}}\"}", "k", "X"), "X");
        assert_eq!(locate("k: \"é😀 {{X}}\"\r\n", "k", "X"), "X");
    }
}
