//! Every diagnostic range covers exactly the offending token, whatever the
//! scalar style, in JSON, after non-ASCII text and with CRLF line ends.

use openjd_lsp::analysis::{Code, Options, analyze};
use openjd_lsp::text::{LineCol, PositionEncoding};

/// The text under the diagnostic with `code`; panics listing what was found.
fn flagged(text: &str, code: Code) -> String {
    let a = analyze(text, &Options::default());
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no `{code}` in {:#?}", a.diagnostics));
    text[d.span.clone()].to_string()
}

fn job(args_line: &str) -> String {
    format!(
        "specificationVersion: jobtemplate-2023-09\nname: J\nparameterDefinitions:\n  - name: Frame\n    type: INT\nsteps:\n  - name: S\n    script:\n      actions:\n        onRun:\n          command: echo\n{args_line}"
    )
}

#[test]
fn undefined_variable_in_every_scalar_style() {
    let cases = [
        "          args:\n            - a {{Param.Fram}} b\n",
        "          args: ['it''s {{Param.Fram}}']\n",
        "          args: [\"\\t\\u00e9 {{Param.Fram}}\"]\n",
        "          args:\n            - |\n              line one\n              {{Param.Fram}}\n",
        "          args:\n            - >\n              folded\n              text {{Param.Fram}}\n",
        "          args:\n            - plain\n              continued {{Param.Fram}}\n",
        "          args: [\"é😀 {{ Param.Fram }}\"]\n",
    ];
    for args in cases {
        assert_eq!(
            flagged(&job(args), Code::UndefinedVariable),
            "Param.Fram",
            "in {args:?}"
        );
    }
}

#[test]
fn crlf_documents_keep_exact_ranges() {
    let text = job("          args: [\"{{Param.Fram}}\"]\n").replace('\n', "\r\n");
    assert_eq!(flagged(&text, Code::UndefinedVariable), "Param.Fram");
}

#[test]
fn json_strings_with_escapes() {
    let text = r#"{
  "specificationVersion": "jobtemplate-2023-09",
  "name": "J",
  "steps": [{"name": "S", "script": {"actions": {"onRun": {
    "command": "echo", "args": ["\"q\" \u00e9 {{Param.Nope}}"]}}}}]
}"#;
    assert_eq!(flagged(text, Code::UndefinedVariable), "Param.Nope");
    let text = text.replace("\"name\": \"J\"", "\"nmae\": \"J\"");
    assert_eq!(flagged(&text, Code::UnknownKey), "\"nmae\"");
}

#[test]
fn structural_errors_underline_the_key_or_value() {
    let text = job("          args: [x]\n          timeout: 0\n");
    assert_eq!(flagged(&text, Code::OutOfRange), "0");
    let text = text.replace("command: echo", "comand: echo");
    assert_eq!(flagged(&text, Code::UnknownKey), "comand");
    // The missing key is reported on the key of the object that lacks it.
    assert_eq!(flagged(&text, Code::MissingKey), "onRun");
}

#[test]
fn format_string_syntax_errors_point_at_the_braces() {
    let text = job("          args: [\"a }} b\"]\n");
    assert_eq!(flagged(&text, Code::FormatStringSyntax), "}}");
    let text = job("          args: [\"é {{ 1 + }}\"]\n");
    assert!(flagged(&text, Code::ExpressionSyntax).contains("1 +"));
}

#[test]
fn utf16_and_utf8_columns_after_astral_characters() {
    let text = job("          args: [\"😀é {{Param.Fram}}\"]\n");
    let a = analyze(&text, &Options::default());
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UndefinedVariable)
        .expect("diagnostic");
    let line = text[..d.span.start].matches('\n').count() as u32;
    let u16 = a
        .line_index
        .position(&text, d.span.start, PositionEncoding::Utf16);
    let u8 = a
        .line_index
        .position(&text, d.span.start, PositionEncoding::Utf8);
    // `          args: ["` is 18 columns, then 😀 (2 UTF-16 units, 4 bytes), é (1, 2), space, `{{`.
    assert_eq!(
        u16,
        LineCol {
            line,
            col: 18 + 2 + 1 + 1 + 2
        }
    );
    assert_eq!(
        u8,
        LineCol {
            line,
            col: 18 + 4 + 2 + 1 + 2
        }
    );
}
