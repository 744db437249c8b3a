//! How deeply expression text nests, measured before a parser that recurses
//! sees it. A recursive-descent parser (ours for combinations, openjd-expr's
//! and ruff's for expressions, the reference's for combinations at job
//! creation) uses stack for every level, and running out of stack aborts the
//! whole process: the editor would restart the server on the same workspace
//! file and lose it again. Text past [`MAX_NESTING`] is never parsed.

/// Levels past which expression or combination text is not handed to a
/// parser. No real template comes near it; every parser we call survives it
/// on a 2 MiB thread stack.
pub const MAX_NESTING: usize = 200;

/// An upper bound on the levels a recursive-descent parser descends into for
/// the expression `text`: the deepest bracket nesting plus every operator
/// that can open a level of its own (prefix `not`, `-`, `+`, `~`, and the
/// right-associative `**`, `if … else` and `lambda`).
pub fn expression_nesting(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut levels = 0usize;
    // After an operand (a name, a literal, a closing bracket) `-` and `+`
    // are binary and loop in the parser rather than recurse.
    let mut after_operand = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                after_operand = false;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                after_operand = true;
            }
            b'\'' | b'"' => {
                i = string_end(bytes, i);
                after_operand = true;
                continue;
            }
            b'*' if bytes.get(i + 1) == Some(&b'*') => {
                levels += 1;
                after_operand = false;
                i += 2;
                continue;
            }
            b'-' | b'+' | b'~' => {
                if !after_operand || b == b'~' {
                    levels += 1;
                }
                after_operand = false;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                let word = &bytes[start..i];
                let keyword = matches!(word, b"not" | b"if" | b"lambda" | b"else" | b"and" | b"or");
                if matches!(word, b"not" | b"if" | b"lambda") {
                    levels += 1;
                }
                after_operand = !keyword;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => after_operand = false,
        }
        i += 1;
    }
    deepest.saturating_add(levels)
}

/// The deepest bracket nesting anywhere in `text`, quotes not considered:
/// a cheap bound for a whole document before it goes to a validator whose
/// parsers recurse (combinations and expressions are both bracketed).
pub fn bracket_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The deepest nesting of any `{{ … }}` region of a whole document's raw
/// text and of its brackets, for a validator that parses every expression
/// of the document itself.
pub fn document_nesting(text: &str) -> usize {
    let mut deepest = bracket_depth(text);
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let inner = &rest[open + 2..];
        let end = inner.find("}}").unwrap_or(inner.len());
        deepest = deepest.max(expression_nesting(&inner[..end]));
        rest = &inner[end..];
    }
    deepest
}

/// The index just past the string literal that starts at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_expressions_are_shallow() {
        for (expr, at_most) in [
            ("Param.Frames", 0),
            ("Task.Param.Frame + 1", 0),
            ("repr_sh(Param.Scene)", 1),
            ("[x * 2 for x in range(1, 10)] if Param.Double else []", 3),
            ("-Param.Offset", 1),
            ("'(((' + Param.Name", 0),
            ("Param.A - Param.B - Param.C", 0),
        ] {
            assert!(
                expression_nesting(expr) <= at_most,
                "{expr}: {}",
                expression_nesting(expr)
            );
        }
    }

    #[test]
    fn every_kind_of_level_counts() {
        let n = 1_000;
        for deep in [
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
            format!("{}1{}", "[".repeat(n), "]".repeat(n)),
            format!("{}x", "not ".repeat(n)),
            format!("{}1", "-".repeat(n)),
            format!("2{}", "**2".repeat(n)),
            format!("1{}", " if x else 1".repeat(n)),
            format!("{}1", "lambda: ".repeat(n)),
        ] {
            assert!(expression_nesting(&deep) >= n, "{}", &deep[..20]);
        }
    }

    #[test]
    fn a_document_is_as_deep_as_its_deepest_expression() {
        let shallow = "args: ['{{ Param.A }}', '{{ -Param.B }}']\n";
        // `[`, then the two braces of `{{`.
        assert_eq!(document_nesting(shallow), 3);
        let deep = format!("args: ['{{{{ {}x }}}}']\n", "not ".repeat(500));
        assert_eq!(document_nesting(&deep), 500);
        let combination = format!("combination: \"{}A{}\"\n", "(".repeat(300), ")".repeat(300));
        assert_eq!(document_nesting(&combination), 300);
        assert_eq!(document_nesting("unclosed: '{{ (('\n"), 4);
    }
}
