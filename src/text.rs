//! Line index over a document's text and conversions between byte offsets and
//! LSP positions in either UTF-8 or UTF-16 code units.
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as in both YAML and LSP.

/// How the `character` of an LSP position is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
}

/// A zero-based line and a column counted in the chosen encoding's code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset at which each line starts; the first entry is 0.
    line_starts: Vec<usize>,
    /// (byte offset, UTF-16 column) about every [`CHECKPOINT_BYTES`] along
    /// each line longer than that, in order: a UTF-16 column is counted
    /// from the nearest checkpoint before it, not from its line's start,
    /// so the positions of the many tokens or diagnostics of a line of
    /// megabytes cost what its length does, not its square.
    checkpoints: Vec<(usize, u32)>,
    len: usize,
}

/// How far apart the UTF-16 checkpoints of a long line are.
const CHECKPOINT_BYTES: usize = 1024;

/// The UTF-16 code units of `s`.
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    line_starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        let mut checkpoints = Vec::new();
        let ends = line_starts.iter().skip(1).copied().chain([text.len()]);
        for (&start, end) in line_starts.iter().zip(ends) {
            let (mut at, mut col) = (start, 0);
            while end - at > CHECKPOINT_BYTES {
                let next = floor_char_boundary(text, at + CHECKPOINT_BYTES);
                col += utf16_len(&text[at..next]);
                checkpoints.push((next, col as u32));
                at = next;
            }
        }
        LineIndex {
            line_starts,
            checkpoints,
            len: text.len(),
        }
    }

    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where `line` starts, clamped to the end of the text.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Zero-based line containing the byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of a line's content, without its line break.
    pub(crate) fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let mut end = if line + 1 < self.line_starts.len() {
            self.line_starts[line + 1]
        } else {
            self.len
        };
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        start..end
    }

    /// Position of a byte offset. Offsets inside a multi-byte character or past
    /// the end are clamped to the nearest valid position before them.
    pub fn position(&self, text: &str, offset: usize, encoding: PositionEncoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let col = match encoding {
            PositionEncoding::Utf8 => offset - start,
            PositionEncoding::Utf16 => {
                let after = self.checkpoints.partition_point(|&(at, _)| at <= offset);
                let (from, base) = match after.checked_sub(1).map(|k| self.checkpoints[k]) {
                    Some((at, col)) if at >= start => (at, col as usize),
                    _ => (start, 0),
                };
                base + utf16_len(&text[from..offset])
            }
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Byte offset of a position. A column past the end of its line is clamped
    /// to the line's end; a line past the end of the text to the text's end; a
    /// column in the middle of a character to that character's start.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: PositionEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return self.len;
        }
        let range = self.line_range(text, line);
        column_offset(text, range, pos.col, encoding).0
    }
}

/// The byte range of line `line`'s content (without its line break), found
/// by scanning `text`: for a text that has no [`LineIndex`]. `None` past the
/// last line.
pub(crate) fn find_line(text: &str, line: usize) -> Option<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for _ in 0..line {
        let at = start + memchr::memchr2(b'\n', b'\r', &bytes[start..])?;
        start = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
    }
    let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |k| start + k);
    Some(start..end)
}

/// The byte offset of column `col` of the line whose content is `line`, and
/// whether it lay past the line's end (then it is the line's end). A column
/// in the middle of a character gives that character's start.
pub(crate) fn column_offset(
    text: &str,
    line: std::ops::Range<usize>,
    col: u32,
    encoding: PositionEncoding,
) -> (usize, bool) {
    let content = &text[line.clone()];
    let wanted = col as usize;
    let mut units = 0;
    for (i, ch) in content.char_indices() {
        if units >= wanted {
            return (line.start + i, false);
        }
        units += match encoding {
            PositionEncoding::Utf8 => ch.len_utf8(),
            PositionEncoding::Utf16 => ch.len_utf16(),
        };
        if units > wanted {
            return (line.start + i, false);
        }
    }
    (line.end, units < wanted)
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    if offset >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_both_encodings() {
        let text = "a: 1\r\nb: é😀x\rc\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let x = text.find('x').unwrap();
        assert_eq!(
            index.position(text, x, PositionEncoding::Utf16),
            LineCol { line: 1, col: 6 }
        );
        assert_eq!(
            index.position(text, x, PositionEncoding::Utf8),
            LineCol { line: 1, col: 9 }
        );
        assert_eq!(
            index.offset(text, LineCol { line: 1, col: 6 }, PositionEncoding::Utf16),
            x
        );
        assert_eq!(
            index.offset(text, LineCol { line: 1, col: 9 }, PositionEncoding::Utf8),
            x
        );
        let c = text.find('c').unwrap();
        assert_eq!(index.position(text, c, PositionEncoding::Utf16).line, 2);
    }

    #[test]
    fn columns_on_a_long_line_count_every_character_before_them() {
        // Long lines get checkpoints; a column is the same as counted from
        // the line's start, in both encodings, wherever the checkpoints fall.
        let line: String = "é😀a{{ x }}".repeat(700);
        let text = format!("short\r\n{line}\n{line}\rend");
        let index = LineIndex::new(&text);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let line = index.line_of(offset);
            let prefix = &text[index.line_start(line)..offset];
            let utf16: usize = prefix.chars().map(char::len_utf16).sum();
            assert_eq!(
                index.position(&text, offset, PositionEncoding::Utf16),
                LineCol {
                    line: line as u32,
                    col: utf16 as u32
                },
                "at {offset}"
            );
            assert_eq!(
                index.position(&text, offset, PositionEncoding::Utf8).col as usize,
                prefix.len()
            );
        }
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 99 }, PositionEncoding::Utf16),
            2
        );
        assert_eq!(
            index.offset(text, LineCol { line: 9, col: 0 }, PositionEncoding::Utf16),
            5
        );
        // A column inside a surrogate pair lands on the character's start.
        let text = "😀a";
        let index = LineIndex::new(text);
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 1 }, PositionEncoding::Utf16),
            0
        );
    }
}
