//! The reference validator's input built from our tree instead of parsing
//! the text a second time: on large templates that second YAML parse is
//! more than half of the reference's cost.
//!
//! Only a tree that is a plain transcription of the text qualifies, and
//! only scalars whose YAML type cannot be read two ways: everything else
//! (tags, anchors, aliases, merge keys, numbers in exotic notations, words
//! such as `True` or `inf`, very deep or very large documents) returns
//! `None`, and the caller lets the reference parse the text itself. A test
//! holds this conversion to the reference parser's own result.

use serde_json::{Map, Number, Value};

use crate::syntax::{Node, NodeKind, Scalar, ScalarStyle};

/// Deeper than the reference parser's own depth budget allows, or more
/// nodes than its event budget: leave those limits to the reference.
const MAX_DEPTH: usize = 60;
const MAX_NODES: usize = 200_000;

pub(crate) fn convert(root: &Node) -> Option<Value> {
    if root.weight > MAX_NODES {
        return None;
    }
    value(root, 0)
}

fn value(node: &Node, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &node.kind {
        NodeKind::Scalar(s) => scalar(s),
        NodeKind::Sequence(items) => items
            .iter()
            .map(|item| value(item, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        NodeKind::Mapping(entries) => {
            let mut map = Map::new();
            for entry in entries {
                let key = key(entry.key.scalar()?)?;
                let v = value(&entry.value, depth + 1)?;
                if map.insert(key, v).is_some() {
                    return None;
                }
            }
            Some(Value::Object(map))
        }
    }
}

fn key(s: &Scalar) -> Option<String> {
    if s.tag.is_some() {
        return None;
    }
    (s.style != ScalarStyle::Plain || is_plain_text(&s.value)).then(|| s.value.to_string())
}

fn scalar(s: &Scalar) -> Option<Value> {
    if s.tag.is_some() {
        return None;
    }
    if s.style != ScalarStyle::Plain {
        return Some(Value::String(s.value.to_string()));
    }
    let v = s.value.as_str();
    match v {
        "" | "~" | "null" => return Some(Value::Null),
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(n) = decimal_integer(v) {
        return Some(Value::Number(n));
    }
    is_plain_text(v).then(|| Value::String(v.to_owned()))
}

/// `0`, `42`, `-7`: no sign on positives, no leading zeros, no separators.
fn decimal_integer(v: &str) -> Option<Number> {
    let digits = v.strip_prefix('-').unwrap_or(v);
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (v == "0" || !digits.starts_with('0'));
    if !well_formed {
        return None;
    }
    if v.starts_with('-') {
        v.parse::<i64>().ok().map(Number::from)
    } else {
        v.parse::<u64>().ok().map(Number::from)
    }
}

/// A plain scalar that every YAML reading takes as a string.
fn is_plain_text(v: &str) -> bool {
    const WORDS: [&str; 13] = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "inf", "infinity", "nan", "~",
    ];
    let unsigned = v.strip_prefix(['+', '-']).unwrap_or(v);
    let body = unsigned.strip_prefix('.').unwrap_or(unsigned);
    let Some(first) = body.chars().next() else {
        return false;
    };
    if WORDS.iter().any(|w| body.eq_ignore_ascii_case(w))
        || v.contains("${")
        || v.parse::<f64>().is_ok()
    {
        return false;
    }
    // A leading digit may begin a number in some notation; a sign inside
    // that is not an exponent's (as in the frame range `1-10`) rules that out.
    !first.is_ascii_digit() || has_inner_sign(unsigned)
}

fn has_inner_sign(s: &str) -> bool {
    let b = s.as_bytes();
    (1..b.len()).any(|i| matches!(b[i], b'-' | b'+') && !matches!(b[i - 1], b'e' | b'E'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;
    use openjd_model::{CallerLimits, DocumentType};

    fn reference_value(text: &str) -> Option<Value> {
        openjd_model::template::parse::document_string_to_object(
            text,
            DocumentType::Yaml,
            &CallerLimits::default(),
        )
        .ok()
    }

    /// The conversion as the analysis uses it: only for trees without
    /// syntax errors, anchors, aliases or merge keys.
    fn fast(text: &str) -> Option<Value> {
        let parsed = parse::parse(text);
        if !parsed.errors.is_empty() || parsed.indirect {
            return None;
        }
        convert(parsed.root.as_ref()?)
    }

    /// Where the conversion answers, it must be what the reference parser reads.
    fn agrees(text: &str) -> bool {
        match fast(text) {
            None => false,
            Some(ours) => {
                assert_eq!(Some(&ours), reference_value(text).as_ref(), "{text:?}");
                true
            }
        }
    }

    #[test]
    fn scalars_are_converted_only_when_unambiguous() {
        let converted = [
            "a",
            "Render frames",
            "foo#bar",
            "'a: b'",
            "0",
            "42",
            "-7",
            "true",
            "false",
            "null",
            "~",
            "''",
            "'1'",
            "\"0x1F\"",
            "|\n  line\n",
            ">\n  folded\n  text\n",
            "\"tab\\tx\"",
            "9223372036854775807",
            "18446744073709551615",
            "-9223372036854775808",
            "[1, two, '3']",
            "{k: v}",
            "Param.Frames",
            "\"{{Param.X}}\"",
            "1-10",
            "1-100:2",
            "2024-01-01",
            "./output",
            "-foo",
            ".hidden",
            "/opt/x",
        ];
        for v in converted {
            assert!(agrees(&format!("key: {v}\n")), "should convert: {v}");
        }
        let left_to_the_reference = [
            "True",
            "NULL",
            "Yes",
            "inf",
            "-inf",
            ".inf",
            "nan",
            ".NaN",
            "0x1F",
            "0o17",
            "012",
            "+5",
            "1_000",
            "1e3",
            "1.5",
            ".5",
            "1.",
            "-",
            "${HOME}",
            "!!str 5",
            "!custom x",
            "18446744073709551616",
            "-9223372036854775809",
            "&a x",
            "infinity",
            "-0",
            "1.2.3",
        ];
        for v in left_to_the_reference {
            let text = format!("key: {v}\n");
            assert_eq!(fast(&text), None, "should leave to the reference: {v}");
        }
        for text in [
            "a: &x 1\nb: *x\n",
            "base: &b {k: v}\nm:\n  <<: *b\n",
            "m:\n  <<: {k: v}\n",
        ] {
            assert_eq!(fast(text), None, "{text:?}");
        }
    }

    #[test]
    fn keys_must_be_text() {
        for text in [
            "1: a\n",
            "true: a\n",
            "null: a\n",
            "? [a]\n: b\n",
            "!!str k: v\n",
        ] {
            assert_eq!(fast(text), None, "{text:?}");
        }
        assert!(agrees("'1': a\n\"true\": b\nplain: c\n"));
    }

    /// The conformance suite's location, shared with the integration tests.
    #[allow(dead_code)]
    mod conformance {
        include!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/conformance.rs"
        ));
    }

    #[test]
    fn the_examples_and_the_conformance_corpus_read_the_same() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        let corpus = conformance::conformance_dir("reading the conformance corpus from our tree");
        let mut dirs = vec![root.join("examples")];
        dirs.extend(corpus.clone());
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    files.push(path);
                }
            }
        }
        let (mut converted, mut total) = (0, 0);
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            if !parse::parse(&text).errors.is_empty() {
                continue;
            }
            total += 1;
            if let Some(ours) = fast(&text) {
                converted += 1;
                assert_eq!(
                    Some(&ours),
                    reference_value(&text).as_ref(),
                    "{}",
                    file.display()
                );
            }
        }
        println!("{converted} of {total} YAML files read from our tree");
        // The examples alone are a handful of files; with the corpus, hundreds.
        let least = if corpus.is_some() { 200 } else { 4 };
        assert!(total > least, "only {total} files found");
        assert!(
            converted * 2 > total,
            "only {converted} of {total} converted"
        );
    }
}
