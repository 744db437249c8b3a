//! The values file's editor features, against a template in a workspace
//! held in memory. `|` marks the cursor.

use std::path::Path;

use super::*;

const TEMPLATE: &str = "\
specificationVersion: jobtemplate-2023-09
name: Render
parameterDefinitions:
- name: Frames
  type: INT
  minValue: 1
  maxValue: 1000
  description: How many frames.
- name: Quality
  type: STRING
  allowedValues: [LOW, HIGH, \"very high\"]
  default: LOW
- name: Denoise
  type: BOOL
  default: true
- name: Scene
  type: PATH
steps:
- name: S
  script: {actions: {onRun: {command: echo}}}
";

const VALUES: &str = "/b/parameter_values.yaml";

fn ws() -> Workspace {
    let mut ws = Workspace::default();
    ws.update_text(Path::new("/b/template.yaml"), TEMPLATE);
    ws
}

fn at(marked: &str) -> (String, usize) {
    let offset = marked.find('|').expect("cursor");
    (marked.replacen('|', "", 1), offset)
}

/// Each item as `label -> insert @ replaced text`.
fn completions(marked: &str) -> Vec<String> {
    let (text, offset) = at(marked);
    complete(&ws(), Path::new(VALUES), &text, offset)
        .items
        .iter()
        .map(|i| {
            format!(
                "{} -> {} @ {:?}",
                i.label,
                i.insert,
                &text[i.replace.clone()]
            )
        })
        .collect()
}

#[test]
fn names_not_given_yet_then_job_settings() {
    let got = completions(
        "parameterValues:\n- name: Frames\n  value: 10\n- name: Q|\n  value: x\n- name: deadline:priority\n  value: 5\n",
    );
    assert_eq!(
        got,
        [
            "Quality -> Quality @ \"Q\"",
            "Denoise -> Denoise @ \"Q\"",
            "Scene -> Scene @ \"Q\"",
            "deadline:targetTaskRunStatus -> deadline:targetTaskRunStatus @ \"Q\"",
            "deadline:maxFailedTasksCount -> deadline:maxFailedTasksCount @ \"Q\"",
            "deadline:maxRetriesPerTask -> deadline:maxRetriesPerTask @ \"Q\"",
            "deadline:maxWorkerCount -> deadline:maxWorkerCount @ \"Q\"",
        ]
    );
    // An empty name, and a quoted half-typed one keep their quotes.
    let empty = completions("parameterValues:\n- name: |\n");
    assert_eq!(empty[0], "Frames -> Frames @ \"\"");
    let quoted = completions("parameterValues:\n- name: \"Fr|\"\n");
    assert_eq!(quoted[0], "Frames -> Frames @ \"Fr\"");
}

#[test]
fn allowed_values_and_booleans() {
    let got = completions("parameterValues:\n- name: Quality\n  value: |\n");
    assert_eq!(
        got,
        [
            "LOW -> LOW @ \"\"",
            "HIGH -> HIGH @ \"\"",
            "very high -> very high @ \"\"",
        ]
    );
    // Half-typed, with the value before the name.
    let got = completions("parameterValues:\n- value: tr|\n  name: Denoise\n");
    assert_eq!(got, ["true -> true @ \"tr\"", "false -> false @ \"tr\""]);
    let got = completions("parameterValues:\n- name: deadline:targetTaskRunStatus\n  value: S|\n");
    assert_eq!(
        got,
        ["READY -> READY @ \"S\"", "SUSPENDED -> SUSPENDED @ \"S\""]
    );
    // A STRING value YAML would read as a boolean is quoted.
    assert_eq!(yaml_scalar("yes"), "\"yes\"");
    assert_eq!(yaml_scalar("10"), "\"10\"");
    assert_eq!(yaml_scalar("deadline:priority"), "deadline:priority");
}

#[test]
fn json_values_file() {
    let got = completions("{\"parameterValues\": [{\"name\": \"Quality\", \"value\": \"H|\"}]}");
    assert_eq!(got[1], "HIGH -> HIGH @ \"H\"");
    // An unterminated string: the document does not parse.
    let got = completions("{\"parameterValues\": [{\"name\": \"Quality\", \"value\": \"H|");
    assert_eq!(got[1], "HIGH -> HIGH @ \"H\"");
    let got = completions("{\"parameterValues\": [{\"name\": \"|\"}]}");
    assert_eq!(got[0], "Frames -> Frames @ \"\"");
}

#[test]
fn blank_lines_offer_whole_entries() {
    let got = completions("parameterValues:\n- name: Frames\n  value: 3\n|\n");
    assert_eq!(got[0], "Quality -> - name: Quality\n  value: $0 @ \"\"");
    assert!(!got.iter().any(|g| g.starts_with("Frames")), "{got:?}");
    let got = completions("parameterValues:\n  - |\n");
    assert_eq!(got[0], "Frames -> name: Frames\n    value: $0 @ \"\"");
    // Under an entry with no value yet: its `value` key.
    let got = completions("parameterValues:\n- name: Frames\n  |\n");
    assert_eq!(got, ["value -> value: $0 @ \"\""]);
    // Before the list there is nothing to offer.
    assert!(completions("|\nparameterValues:\n").is_empty());
}

#[test]
fn hover_shows_the_definition() {
    let (text, offset) = at("parameterValues:\n- name: Fra|mes\n  value: 3\n");
    let h = hover(&ws(), Path::new(VALUES), &text, offset).expect("hover");
    assert_eq!(&text[h.range.clone()], "Frames");
    assert_eq!(
        h.contents,
        "**Frames**: INT\n\nHow many frames.\n\nminValue: 1 · maxValue: 1000\n\nNo default: the submission must give a value."
    );
    let (text, offset) = at("parameterValues:\n- name: Quality\n  value: H|IGH\n");
    let h = hover(&ws(), Path::new(VALUES), &text, offset).expect("hover");
    assert_eq!(&text[h.range.clone()], "HIGH");
    assert!(
        h.contents.contains("allowed: `LOW`, `HIGH`, `very high`"),
        "{}",
        h.contents
    );
    assert!(h.contents.ends_with("Default: `LOW`"), "{}", h.contents);
    let (text, offset) = at("parameterValues:\n- name: deadline:pri|ority\n  value: 3\n");
    let h = hover(&ws(), Path::new(VALUES), &text, offset).expect("hover");
    assert!(
        h.contents
            .starts_with("**deadline:priority**: Deadline Cloud job setting (integer, 0 to 100)")
    );
}

#[test]
fn definition_is_the_templates_parameter() {
    let (text, offset) = at("parameterValues:\n- name: Qual|ity\n  value: LOW\n");
    let l = definition(&ws(), Path::new(VALUES), &text, offset).expect("definition");
    assert_eq!(l.file.as_deref(), Some(Path::new("/b/template.yaml")));
    assert_eq!(&TEMPLATE[l.span], "Quality");
    let (text, offset) = at("parameterValues:\n- name: Nope|\n  value: 1\n");
    assert_eq!(definition(&ws(), Path::new(VALUES), &text, offset), None);
}
