use super::*;
use crate::analysis::Code;
use crate::ide::fixture::{analysis, codes, fixture};
use expect_test::expect;

const JOB: &str = r#"specificationVersion: jobtemplate-2023-09
extensions: [EXPR, WRAP_ACTIONS, FEATURE_BUNDLE_1]
name: Demo
parameterDefinitions:
- name: Frames
  type: STRING
  default: "1-10"
jobEnvironments:
- name: Wrapper
  variables:
    LANG: C
  script:
    actions:
      onWrapEnvEnter:
        command: '{{WrappedAction.Command}}'
      onWrapTaskRun:
        command: '{{WrappedAction.Command}}'
        args: ["{{WrappedAction.Args}}"]
      onWrapEnvExit:
        command: '{{WrappedAction.Command}}'
steps:
- name: Render
  stepEnvironments:
  - name: Scratch
    script:
      embeddedFiles:
      - name: Init
        type: TEXT
        data: |
          mkdir -p /tmp/x
      actions:
        onEnter:
          command: "{{Env.File.Init}}"
  parameterSpace:
    taskParameterDefinitions:
    - name: Frame
      type: INT
      range: "{{Param.Frames}}"
  let:
  - first = 1
  script:
    let:
    - out = Task.Param.Frame + first
    embeddedFiles:
    - name: Run
      type: TEXT
      data: render {{out}}
    actions:
      onRun:
        command: "{{Task.File.Run}}"
- name: Publish
  dependencies:
  - dependsOn: Render
  bash:
    let:
    - n = 2
    script: |
      echo publish {{n}}
      echo done
"#;

fn render(a: &Analysis, symbols: &[OutlineSymbol], depth: usize, out: &mut Vec<String>) {
    for s in symbols {
        let lines = (
            a.line_index.line_of(s.span.start) + 1,
            a.line_index.line_of(s.span.end) + 1,
        );
        assert!(s.span.start <= s.selection_span.start && s.selection_span.end <= s.span.end);
        out.push(format!(
            "{}{:?} {}{} @{}-{} [{}]",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default(),
            lines.0,
            lines.1,
            &a.text[s.selection_span.clone()],
        ));
        render(a, &s.children, depth + 1, out);
    }
}

/// The outline, one symbol a line: kind, name, (detail), the lines it
/// spans, and [the text of its selection range].
fn outline(text: &str) -> String {
    let a = analysis(text);
    let mut out = Vec::new();
    render(&a, &document_symbols(&a), 0, &mut out);
    out.join("\n") + "\n"
}

#[test]
fn job_template_outline() {
    assert_eq!(codes(JOB), Vec::<Code>::new());
    expect![[r#"
            Parameter Frames (STRING) @5-7 [Frames]
            Environment Wrapper (wraps actions) @9-20 [Wrapper]
              EnvVariable LANG (C) @11-11 [LANG]
              Action onWrapEnvEnter ({{WrappedAction.Command}}) @14-15 [onWrapEnvEnter]
              Action onWrapTaskRun ({{WrappedAction.Command}}) @16-18 [onWrapTaskRun]
              Action onWrapEnvExit ({{WrappedAction.Command}}) @19-20 [onWrapEnvExit]
            Step Render @22-50 [Render]
              Environment Scratch @24-33 [Scratch]
                EmbeddedFile Init @27-30 [Init]
                Action onEnter ({{Env.File.Init}}) @32-33 [onEnter]
              TaskParameter Frame (INT) @36-38 [Frame]
              Let first (1) @40-40 [first]
              Let out (Task.Param.Frame + first) @43-43 [out]
              EmbeddedFile Run @45-47 [Run]
              Action onRun ({{Task.File.Run}}) @49-50 [onRun]
            Step Publish (after Render) @51-59 [Publish]
              Let n (2) @56-56 [n]
              Action bash (echo publish {{n}}…) @54-59 [bash]
        "#]]
    .assert_eq(&outline(JOB));
}

#[test]
fn environment_template_outline() {
    let text = r#"specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS]
parameterDefinitions:
- name: Root
  type: STRING
environment:
  name: Wrap
  script:
    actions:
      onWrapEnvEnter:
        command: a
      onWrapTaskRun:
        command: b
      onWrapEnvExit:
        command: c
"#;
    expect![[r#"
            Parameter Root (STRING) @4-5 [Root]
            Environment Wrap (wraps actions) @7-15 [Wrap]
              Action onWrapEnvEnter (a) @10-11 [onWrapEnvEnter]
              Action onWrapTaskRun (b) @12-13 [onWrapTaskRun]
              Action onWrapEnvExit (c) @14-15 [onWrapEnvExit]
        "#]]
    .assert_eq(&outline(text));
}

#[test]
fn json_outline_and_unnamed_items() {
    let text = r#"{"specificationVersion": "jobtemplate-2023-09", "name": "J",
 "steps": [
  {"script": {"actions": {"onRun": {"command": "a"}}}},
  {"name": "B",
   "script": {"actions": {"onRun": {"command": "b"}}}}
 ]
}"#;
    expect![[r#"
            Step (unnamed) @3-3 []
              Action onRun (a) @3-3 ["onRun"]
            Step B @4-5 ["B"]
              Action onRun (b) @5-5 ["onRun"]
        "#]]
    .assert_eq(&outline(text));
}

fn folds(text: &str) -> Vec<(usize, usize)> {
    let a = analysis(text);
    folding_ranges(&a)
}

#[test]
fn folding_ranges_of_yaml() {
    let text = "a: 1\n\
                steps:\n\
                - name: A\n\
                \x20 script: |\n\
                \x20   one\n\
                \x20   two\n\
                - name: B\n\
                \x20 args: [1,\n\
                \x20   2]\n\
                z: 2\n";
    assert_eq!(folds(text), [(1, 8), (2, 5), (3, 5), (6, 8), (7, 8)]);
}

#[test]
fn folding_ranges_of_json_keep_the_closing_bracket_visible() {
    let text = "{\n  \"a\": {\n    \"b\": 1\n  },\n  \"c\": [\n    1\n  ]\n}\n";
    assert_eq!(folds(text), [(0, 6), (1, 2), (4, 5)]);
}

fn selections(marked: &str) -> Vec<String> {
    let (a, off) = fixture(marked);
    let ranges = selection_ranges(&a, off);
    for w in ranges.windows(2) {
        assert!(
            w[1].start <= w[0].start && w[0].end <= w[1].end,
            "{ranges:?}"
        );
    }
    ranges
        .iter()
        .map(|r| a.text[r.clone()].to_string())
        .collect()
}

#[test]
fn selection_ranges_inside_a_format_string() {
    let text = "specificationVersion: jobtemplate-2023-09\n\
                name: J\n\
                steps:\n\
                - name: S\n\
                \x20 script:\n\
                \x20   actions:\n\
                \x20     onRun:\n\
                \x20       command: \"x {{ Task.File.R$0un.name }} y\"\n";
    let got = selections(text);
    assert_eq!(
        &got[..6],
        [
            "Run",
            "Task.File.Run.name",
            "{{ Task.File.Run.name }}",
            "x {{ Task.File.Run.name }} y",
            "\"x {{ Task.File.Run.name }} y\"",
            "command: \"x {{ Task.File.Run.name }} y\"",
        ]
    );
    assert!(got[6].starts_with("onRun:"));
    assert!(got[7].starts_with("actions:"));
    assert_eq!(got.last().map(String::len), Some(text.len() - 2));
}

#[test]
fn selection_ranges_in_block_scalars_and_keys() {
    let text = "specificationVersion: jobtemplate-2023-09\n\
                name: J\n\
                steps:\n\
                - name: S\n\
                \x20 script:\n\
                \x20   actions:\n\
                \x20     onRun:\n\
                \x20       command: >\n\
                \x20         run\n\
                \x20         {{ repr_sh(Param.X$0) }}\n";
    let got = selections(text);
    assert_eq!(got[0], "X");
    assert_eq!(got[1], "Param.X");
    assert_eq!(got[2], "repr_sh(Param.X)");
    assert_eq!(got[3], "{{ repr_sh(Param.X) }}");
    assert!(got[4].starts_with("run\n"));
    let got = selections("a:\n  b$0c: 1\n");
    assert_eq!(got, ["bc", "bc: 1", "a:\n  bc: 1", "a:\n  bc: 1\n"]);
}

#[test]
fn selection_ranges_in_every_style_with_crlf_and_non_ascii() {
    let values = [
        "plain é {{ Param.X$0 }}",
        "'single ''é'' {{ Param.X$0 }}'",
        "\"double \\u00e9\\t{{ Param.X$0 }}\"",
        "|\n          literal é\n          {{ Param.X$0 }}",
        ">\n          folded é\n          {{ Param.X$0 }}",
    ];
    for value in values {
        for eol in ["\n", "\r\n"] {
            let text = format!(
                "specificationVersion: jobtemplate-2023-09\nname: Été 😀\nsteps:\n- name: S\n  script:\n    actions:\n      onRun:\n        command: {value}\n"
            )
            .replace('\n', eol);
            let got = selections(&text);
            assert_eq!(got[..3], ["X", "Param.X", "{{ Param.X }}"], "{text:?}");
            assert!(got[3].ends_with("{{ Param.X }}") || got[3].contains("{{ Param.X }}"));
        }
    }
}

#[test]
fn folding_ranges_with_crlf() {
    let text = "a:\r\n  b: 1\r\n  c: |\r\n    x\r\n    y\r\nd: 2\r\n";
    assert_eq!(folds(text), [(0, 4), (2, 4)]);
}
