use super::*;
use crate::analysis::Code;
use crate::ide::fixture::{analysis, codes};

/// `text kind +modifiers`, one per token.
fn render(text: &str) -> Vec<String> {
    let a = analysis(text);
    let tokens = semantic_tokens(&a);
    check_invariants(&a, &tokens);
    tokens
        .iter()
        .map(|t| {
            let mut s = format!(
                "{} {}",
                &a.text[t.span.clone()],
                TOKEN_TYPES[t.kind.index() as usize]
            );
            for (i, m) in TOKEN_MODIFIERS.iter().enumerate() {
                if t.modifiers & (1 << i) != 0 {
                    s.push_str(&format!(" +{m}"));
                }
            }
            s
        })
        .collect()
}

/// Sorted, non-overlapping, non-empty, each on one line.
fn check_invariants(a: &Analysis, tokens: &[SemanticToken]) {
    for w in tokens.windows(2) {
        assert!(w[0].span.end <= w[1].span.start, "{tokens:?}");
    }
    for t in tokens {
        assert!(t.span.start < t.span.end);
        let s = &a.text[t.span.clone()];
        assert!(!s.contains(['\n', '\r']), "{s:?}");
    }
}

const JOB: &str = r#"specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: J
parameterDefinitions:
- name: Files
  type: LIST[PATH]
steps:
- name: S
  script:
    let:
    - n = len(Param.Files) + 1
    actions:
      onRun:
        command: "{{ Session.WorkingDirectory.name }}"
        args:
        - "{{ [f.stem.upper() for f in Param.Files if f.suffix == '.exr'] }}"
        - '{{ string(n) if True else "-2.5" }}'
"#;

#[test]
fn classifies_expression_tokens() {
    assert_eq!(codes(JOB), Vec::<Code>::new());
    assert_eq!(
        render(JOB),
        [
            // let n = len(Param.Files) + 1
            "n variable +declaration",
            "= operator",
            "len function +defaultLibrary",
            "Param namespace",
            "Files variable +readonly",
            "+ operator",
            "1 number",
            // {{ Session.WorkingDirectory.name }}
            "{{ macro",
            "Session namespace",
            "WorkingDirectory variable +readonly",
            "name property +defaultLibrary",
            "}} macro",
            // {{ [f.stem.upper() for f in Param.Files if f.suffix == '.exr'] }}
            "{{ macro",
            "f variable",
            "stem property +defaultLibrary",
            "upper function +defaultLibrary",
            "for keyword",
            "f variable +declaration",
            "in keyword",
            "Param namespace",
            "Files variable +readonly",
            "if keyword",
            "f variable",
            "suffix property +defaultLibrary",
            "== operator",
            "'.exr' string",
            "}} macro",
            // {{ string(n) if True else "-2.5" }}
            "{{ macro",
            "string function +defaultLibrary",
            "n variable",
            "if keyword",
            "True keyword",
            "else keyword",
            "\"-2.5\" string",
            "}} macro",
        ]
    );
}

fn command_tokens(value: &str) -> Vec<String> {
    let text = format!(
        "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: J\nparameterDefinitions:\n- name: X\n  type: STRING\nsteps:\n- name: S\n  script:\n    actions:\n      onRun:\n        command: {value}\n"
    );
    render(&text)
}

#[test]
fn exact_in_every_scalar_style() {
    let simple = [
        "{{ macro",
        "Param namespace",
        "X variable +readonly",
        "}} macro",
    ];
    assert_eq!(command_tokens("a {{ Param.X }}"), simple);
    assert_eq!(command_tokens("'it''s {{ Param.X }}'"), simple);
    assert_eq!(command_tokens("\"\\t\\u00e9 {{ Param.X }}\""), simple);
    assert_eq!(
        command_tokens("|\n          a\n          {{ Param.X }}"),
        simple
    );
    assert_eq!(
        command_tokens(">\n          a\n          {{ Param.X }}"),
        simple
    );
    // An escape inside a name: the token covers the escape.
    assert_eq!(
        command_tokens("\"{{ Param.\\u0058 }}\""),
        [
            "{{ macro",
            "Param namespace",
            "\\u0058 variable +readonly",
            "}} macro"
        ]
    );
    // A string with a doubled quote in a single-quoted scalar.
    assert_eq!(
        command_tokens("'{{ \"a''b\" + Param.X }}'"),
        [
            "{{ macro",
            "\"a''b\" string",
            "+ operator",
            "Param namespace",
            "X variable +readonly",
            "}} macro"
        ]
    );
}

#[test]
fn multi_line_tokens_are_split_per_line() {
    // A triple-quoted string across lines of a literal block.
    assert_eq!(
        command_tokens("|\n          {{ '''one\n          two''' + Param.X }}"),
        [
            "{{ macro",
            "'''one string",
            "two''' string",
            "+ operator",
            "Param namespace",
            "X variable +readonly",
            "}} macro"
        ]
    );
    // A name split by an escaped line break in a double-quoted scalar.
    assert_eq!(
        command_tokens("\"{{ Param.X + 'ab\\\n          cd' }}\""),
        [
            "{{ macro",
            "Param namespace",
            "X variable +readonly",
            "+ operator",
            "'ab string",
            "cd' string",
            "}} macro"
        ]
    );
}

#[test]
fn json_crlf_and_non_ascii() {
    let text = "{\r\n  \"specificationVersion\": \"jobtemplate-2023-09\",\r\n  \"name\": \"Été 😀 {{ Param.X }}\",\r\n  \"parameterDefinitions\": [{\"name\": \"X\", \"type\": \"STRING\"}],\r\n  \"steps\": [{\"name\": \"S\", \"script\": {\"actions\": {\"onRun\": {\"command\": \"\\\"é\\\" {{Param.X}}\"}}}}]\r\n}\r\n";
    assert_eq!(codes(text), Vec::<Code>::new());
    assert_eq!(
        render(text),
        [
            "{{ macro",
            "Param namespace",
            "X variable +readonly",
            "}} macro",
            "{{ macro",
            "Param namespace",
            "X variable +readonly",
            "}} macro",
        ]
    );
}

#[test]
fn unknown_names_and_broken_expressions() {
    // Unterminated interpolation and string; unknown characters get no token.
    assert_eq!(
        command_tokens("\"{{ Param.X + 'abc $\""),
        [
            "{{ macro",
            "Param namespace",
            "X variable +readonly",
            "+ operator",
            "'abc $ string"
        ]
    );
    // A name nobody defined is still a variable; a call is a function.
    assert_eq!(
        command_tokens("\"{{ mystery.attr + custom(1) }}\""),
        [
            "{{ macro",
            "mystery variable",
            "attr property",
            "+ operator",
            "custom function",
            "1 number",
            "}} macro"
        ]
    );
}

#[test]
fn legend_matches_kinds() {
    assert_eq!(
        TOKEN_TYPES[TokenKind::Namespace.index() as usize],
        "namespace"
    );
    assert_eq!(TOKEN_TYPES[TokenKind::Macro.index() as usize], "macro");
    assert_eq!(TOKEN_TYPES[TokenKind::String.index() as usize], "string");
    assert_eq!(TOKEN_MODIFIERS[2], "defaultLibrary");
    assert_eq!(MOD_DEFAULT_LIBRARY, 1 << 2);
}

#[test]
fn range_request() {
    let a = analysis(JOB);
    let start = a.text.find("args:").unwrap_or(0);
    let tokens = semantic_tokens_in(&a, start..a.text.len());
    assert_eq!(tokens.len(), 23);
    assert!(tokens.iter().all(|t| t.span.start >= start));
}

#[test]
fn a_cancelled_request_stops_computing_its_tokens() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let text = format!(
        "specificationVersion: jobtemplate-2023-09\nname: J\nparameterDefinitions:\n  - {{name: A, type: STRING}}\nsteps:\n  - name: S\n    script:\n      actions:\n        onRun: {{command: run, args: ['{}']}}\n",
        "{{ Param.A }} ".repeat(5000)
    );
    let a = analysis(&text);
    let whole = 0..a.text.len();
    // Never cancelled: every token, as without a flag; `{{`, `Param`, `A`
    // and `}}` of each interpolation.
    let tokens = semantic_tokens_until(&a, whole.clone(), &|| false);
    assert_eq!(tokens.as_deref(), Some(&semantic_tokens(&a)[..]));
    assert_eq!(tokens.map(|t| t.len()), Some(4 * 5000));
    // Cancelled before it started, or while it ran: no tokens, and the flag
    // is not asked again once it said so.
    for said_at in [0, 2] {
        let looks = AtomicUsize::new(0);
        let cancelled = || looks.fetch_add(1, Ordering::SeqCst) >= said_at;
        assert_eq!(semantic_tokens_until(&a, whole.clone(), &cancelled), None);
        assert_eq!(looks.load(Ordering::SeqCst), said_at + 1);
    }
}
