//! Test fixtures: a template with a `$0` cursor marker.
#![cfg(test)]

use crate::analysis::{Analysis, Options, analyze};

/// Analyses `text` with its `$0` marker removed; the offset is where the
/// marker was (0 when there is none).
pub fn fixture(text_with_marker: &str) -> (Analysis, usize) {
    let offset = text_with_marker.find("$0").unwrap_or(0);
    let text = text_with_marker.replacen("$0", "", 1);
    (analyze(&text, &Options::own()), offset)
}

/// Applies non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[(crate::syntax::Span, String)]) -> String {
    let mut sorted: Vec<_> = edits.to_vec();
    sorted.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = text.to_string();
    for (span, new) in sorted {
        out.replace_range(span, &new);
    }
    out
}

/// The diagnostic codes of a text's analysis, for "no new errors" checks.
pub fn codes(text: &str) -> Vec<String> {
    analyze(text, &Options::own())
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

mod robustness {
    use super::*;
    use crate::ide::{outline, semantic_tokens, symbols};
    use crate::syntax::Span;

    const BROKEN: &[&str] = &[
        "",
        "\u{feff}",
        "{{",
        "specificationVersion: jobtemplate-2023-09\nname: é😀{{ Param.é😀 }}\nsteps: [\n",
        "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nparameterDefinitions:\n- name: X\n  type: INT\nsteps:\n- name: [unclosed\n  script: {{ Param.X\n    let:\n    - a = Param.X +\n",
        "specificationVersion: jobtemplate-2023-09\r\nname: \"{{ Param.X \\u00\"\r\nparameterDefinitions:\r\n- name: X\r\n  type: STRING\r\nsteps:\r\n- name: S\r\n  script:\r\n    actions:\r\n      onRun:\r\n        command: '{{ ''' }}{{ \"é\\\n          x }}'\r\n        args: [\"{{ Task.File.\", '{{ [y for y in', \"\\\"é}}\"]\r\n  dependencies:\r\n  - dependsOn: S\r\n",
        "{\"specificationVersion\": \"jobtemplate-2023-09\", \"name\": \"J\", \"parameterDefinitions\": [{\"name\": \"Fé\", \"type\": \"INT\"}], \"steps\": [{\"name\": \"A\", \"script\": {\"actions\": {\"onRun\": {\"command\": \"{{Param.F\\u00e9",
        "specificationVersion: environment-2023-09\nenvironment:\n  name: E\n  script:\n    embeddedFiles:\n    - name: F\n      data: |\n        {{ Env.File.F }} é\n    actions:\n      onEnter:\n        command: >\n          {{ Env.File.F\n      onWrapTaskRun:\n        command: \"\\\r",
        "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: J\nsteps:\n- name: S\n  let:\n  - é = 1\n  - x = é + 1\n  - = 2\n  - y ==\n  script:\n    let: [\"z = [q for q in x]\"]\n    actions: {onRun: {command: \"{{z}} {{ x.\"}}}\n",
    ];

    fn assert_valid(a: &Analysis, spans: &[Span]) {
        for s in spans {
            assert!(
                s.start <= s.end && a.text.get(s.clone()).is_some(),
                "bad span {s:?} in {:?}",
                a.text
            );
        }
    }

    fn exercise(text: &str) {
        let a = analyze(text, &Options::own());
        let len = text.len();
        let symbols_out = outline::document_symbols(&a);
        fn walk(a: &Analysis, s: &[outline::OutlineSymbol]) {
            for x in s {
                assert_valid(a, &[x.span.clone(), x.selection_span.clone()]);
                walk(a, &x.children);
            }
        }
        walk(&a, &symbols_out);
        let folds = outline::folding_ranges(&a);
        assert!(folds.iter().all(|(s, e)| s < e));
        let tokens = semantic_tokens::semantic_tokens(&a);
        assert_valid(
            &a,
            &tokens.iter().map(|t| t.span.clone()).collect::<Vec<_>>(),
        );
        for offset in 0..=len + 2 {
            let mut spans: Vec<Span> = Vec::new();
            spans.extend(symbols::definition(&a, offset));
            spans.extend(symbols::references(&a, offset, true));
            spans.extend(symbols::references(&a, offset, false));
            spans.extend(
                symbols::document_highlight(&a, offset)
                    .into_iter()
                    .map(|h| h.0),
            );
            spans.extend(symbols::prepare_rename(&a, offset));
            spans.extend(symbols::symbol_at(&a, offset).map(|o| o.span));
            for new in ["x_1", "New name", "é"] {
                if let Ok(edits) = symbols::rename(&a, offset, new) {
                    let _ = apply_edits(&a.text, &edits);
                    spans.extend(edits.into_iter().map(|e| e.0));
                }
            }
            let sel = outline::selection_ranges(&a, offset);
            assert!(!sel.is_empty());
            spans.extend(sel);
            let range = offset..(offset + 7).min(len);
            let tokens = semantic_tokens::semantic_tokens_in(&a, range);
            spans.extend(tokens.into_iter().map(|t| t.span));
            assert_valid(&a, &spans);
        }
    }

    #[test]
    fn every_function_at_every_offset_of_broken_documents() {
        for text in BROKEN {
            exercise(text);
        }
    }

    #[test]
    fn every_prefix_of_a_template() {
        let text = BROKEN[5];
        let mut cut = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                let a = analyze(&text[..cut], &Options::own());
                let _ = outline::document_symbols(&a);
                let _ = outline::folding_ranges(&a);
                let _ = semantic_tokens::semantic_tokens(&a);
                let _ = symbols::occurrences(&a);
                let _ = outline::selection_ranges(&a, cut);
            }
            cut += 3;
        }
    }
}
