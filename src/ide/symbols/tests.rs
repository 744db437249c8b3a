use super::*;
use crate::ide::fixture::{apply_edits, codes, fixture};

const JOB: &str = r#"specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: Render {{Param.Frame}}
parameterDefinitions:
- name: Frame
  type: INT
- name: Scene
  type: PATH
steps:
- name: Render
  parameterSpace:
    taskParameterDefinitions:
    - name: F
      type: INT
      range: "1-{{Param.Frame}}"
  script:
    let:
    - frames = Task.Param.F + Param.Frame
    - twice = frames * 2
    embeddedFiles:
    - name: Run
      type: TEXT
      data: echo {{Task.Param.F}} {{frames}} {{ twice }}
    actions:
      onRun:
        command: bash
        args: ['{{Task.File.Run}}', "{{ RawParam.Scene }}"]
- name: Other
  dependencies:
  - dependsOn: Render
  parameterSpace:
    taskParameterDefinitions:
    - name: F
      type: INT
      range: [1]
  script:
    actions:
      onRun:
        command: '{{Task.Param.F}}'
"#;

/// `text` with a `$0` inserted before the `nth` (0-based) occurrence of `needle`.
fn at(text: &str, needle: &str, nth: usize) -> String {
    let (i, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("no occurrence {nth} of {needle}"));
    format!("{}$0{}", &text[..i], &text[i..])
}

fn texts(a: &Analysis, spans: &[Span]) -> Vec<String> {
    spans
        .iter()
        .map(|s| a.text[s.clone()].to_string())
        .collect()
}

/// Each span shown in its line: `12: command: '{{Param.[Frame]}}'` (1-based
/// line number, the line trimmed).
fn places(a: &Analysis, spans: &[Span]) -> Vec<String> {
    spans
        .iter()
        .map(|s| {
            let line = a.line_index.line_of(s.start);
            let r = a.line_index.line_range(&a.text, line);
            let shown = format!(
                "{}[{}]{}",
                &a.text[r.start..s.start],
                &a.text[s.clone()],
                &a.text[s.end..r.end.max(s.end)]
            );
            format!("{}: {}", line + 1, shown.trim())
        })
        .collect()
}

/// Renames at the marker and checks the result, then that the renamed
/// document has no diagnostics the original lacked.
fn check_rename(marked: &str, new: &str, expected: &str) {
    let (a, off) = fixture(marked);
    let edits = rename(&a, off, new).unwrap_or_else(|e| panic!("rename refused: {e}"));
    let out = apply_edits(&a.text, &edits);
    assert_eq!(out, expected);
    let mut before = codes(&a.text);
    let mut after = codes(&out);
    before.sort();
    after.sort();
    assert_eq!(after, before, "rename changed the diagnostics");
}

fn rename_error(marked: &str, new: &str) -> String {
    let (a, off) = fixture(marked);
    match rename(&a, off, new) {
        Ok(e) => panic!("rename to {new} accepted: {e:?}"),
        Err(e) => e,
    }
}

#[test]
fn fixture_template_is_clean() {
    assert_eq!(codes(JOB), Vec::<String>::new());
}

#[test]
fn parameter_definition_and_references() {
    let (a, off) = fixture(&at(JOB, "Param.Frame}}\"", 0));
    let off = off + "Param.".len();
    let def = definition(&a, off).unwrap();
    assert_eq!(places(&a, &[def]), ["5: - name: [Frame]"]);
    let refs = references(&a, off, true);
    assert_eq!(texts(&a, &refs), ["Frame"; 4]);
    assert_eq!(
        places(&a, &refs),
        [
            "3: name: Render {{Param.[Frame]}}",
            "5: - name: [Frame]",
            "15: range: \"1-{{Param.[Frame]}}\"",
            "18: - frames = Task.Param.F + Param.[Frame]"
        ]
    );
    assert_eq!(references(&a, off, false).len(), 3);
    // From the definition too.
    let (a, off) = fixture(&at(JOB, "Frame\n  type", 0));
    assert_eq!(references(&a, off, true).len(), 4);
    let hl = document_highlight(&a, off);
    assert_eq!(hl.iter().filter(|(_, d)| *d).count(), 1);
    assert_eq!(hl.len(), 4);
}

#[test]
fn raw_param_is_a_use_of_the_parameter() {
    let (a, off) = fixture(&at(JOB, "Scene }}", 0));
    assert_eq!(
        places(&a, &references(&a, off, true)),
        [
            "7: - name: [Scene]",
            "27: args: ['{{Task.File.Run}}', \"{{ RawParam.[Scene] }}\"]"
        ]
    );
}

#[test]
fn task_parameter_references_stay_in_their_step() {
    let (a, off) = fixture(&at(JOB, "F + Param", 0));
    let refs = references(&a, off, true);
    assert_eq!(
        places(&a, &refs),
        [
            "13: - name: [F]",
            "18: - frames = Task.Param.[F] + Param.Frame",
            "23: data: echo {{Task.Param.[F]}} {{frames}} {{ twice }}"
        ]
    );
    // The other step's F is another symbol.
    let (b, off) = fixture(&at(JOB, "F}}'", 0));
    assert_eq!(
        places(&b, &references(&b, off, true)),
        ["33: - name: [F]", "39: command: '{{Task.Param.[F]}}'"]
    );
}

#[test]
fn embedded_file_and_let_references() {
    let (a, off) = fixture(&at(JOB, "Run}}", 0));
    assert_eq!(
        places(&a, &references(&a, off, true)),
        [
            "21: - name: [Run]",
            "27: args: ['{{Task.File.[Run]}}', \"{{ RawParam.Scene }}\"]"
        ]
    );
    let (a, off) = fixture(&at(JOB, "frames}}", 0));
    let def = definition(&a, off).unwrap();
    assert_eq!(
        places(&a, &[def]),
        ["18: - [frames] = Task.Param.F + Param.Frame"]
    );
    assert_eq!(
        places(&a, &references(&a, off, true)),
        [
            "18: - [frames] = Task.Param.F + Param.Frame",
            "19: - twice = [frames] * 2",
            "23: data: echo {{Task.Param.F}} {{[frames]}} {{ twice }}"
        ]
    );
}

#[test]
fn step_names_and_dependencies() {
    let (a, off) = fixture(&at(JOB, "Render\n  parameterSpace", 1));
    let refs = references(&a, off, true);
    assert_eq!(
        places(&a, &refs),
        ["10: - name: [Render]", "30: - dependsOn: [Render]"]
    );
    let (a, off) = fixture(&at(JOB, "Render\n  param", 0));
    assert_eq!(
        places(&a, &[definition(&a, off).unwrap()]),
        ["10: - name: [Render]"]
    );
    let edits = rename(&a, off, "Render Frames").unwrap();
    let out = apply_edits(&a.text, &edits);
    assert!(out.contains("- name: Render Frames\n"));
    assert!(out.contains("dependsOn: Render Frames\n"));
}

#[test]
fn nothing_at_plain_text() {
    let (a, off) = fixture(&at(JOB, "bash", 0));
    assert_eq!(definition(&a, off), None);
    assert!(references(&a, off, true).is_empty());
    assert_eq!(prepare_rename(&a, off), None);
    assert!(rename(&a, off, "x").is_err());
    // The namespace part of a chain is not the symbol.
    let (a, off) = fixture(&at(JOB, "Param.Frame}}\"", 0));
    assert_eq!(definition(&a, off), None);
}

#[test]
fn rename_parameter_everywhere() {
    let expected = JOB
        .replace("Param.Frame", "Param.Start")
        .replace("- name: Frame", "- name: Start");
    check_rename(&at(JOB, "Frame}}\"", 0), "Start", &expected);
    let expected = JOB
        .replace("RawParam.Scene", "RawParam.Shot")
        .replace("- name: Scene", "- name: Shot");
    check_rename(&at(JOB, "Scene\n", 0), "Shot", &expected);
}

#[test]
fn rename_task_parameter_only_in_its_step() {
    let marked = at(JOB, "F + Param", 0);
    let (a, off) = fixture(&marked);
    assert_eq!(texts(&a, &[prepare_rename(&a, off).unwrap()]), ["F"]);
    let expected = JOB
        .replacen("- name: F\n", "- name: Frame2\n", 1)
        .replace("Task.Param.F +", "Task.Param.Frame2 +")
        .replace("echo {{Task.Param.F}}", "echo {{Task.Param.Frame2}}");
    check_rename(&marked, "Frame2", &expected);
}

#[test]
fn rename_let_and_file() {
    let expected = JOB
        .replace("- frames =", "- shots =")
        .replace("= frames *", "= shots *")
        .replace("{{frames}}", "{{shots}}");
    check_rename(&at(JOB, "frames *", 0), "shots", &expected);
    let expected = JOB
        .replace("- name: Run\n", "- name: Go\n")
        .replace("Task.File.Run", "Task.File.Go");
    check_rename(&at(JOB, "Run\n", 0), "Go", &expected);
}

#[test]
fn rename_rejects_bad_and_clashing_names() {
    let frame = at(JOB, "Frame}}\"", 0);
    assert!(rename_error(&frame, "1x").contains("not a valid name"));
    assert!(rename_error(&frame, "a-b").contains("not a valid name"));
    assert!(rename_error(&frame, "").contains("not a valid name"));
    assert!(rename_error(&frame, "Scene").contains("another parameter"));
    // Valid identifier, but a plain `true` would be read as a boolean.
    assert!(rename_error(&frame, "true").contains("not be read as a string"));
    let task = at(JOB, "F + Param", 0);
    assert!(rename_error(&task, "F x").contains("not a valid name"));
    let lets = at(JOB, "frames *", 0);
    assert!(rename_error(&lets, "Frames").contains("not a valid let name"));
    assert!(rename_error(&lets, "twice").contains("already"));
    assert!(rename_error(&lets, "if").contains("keyword"));
    let step = at(JOB, "Render\n  param", 0);
    assert!(rename_error(&step, "Other").contains("another step"));
    assert!(rename_error(&step, "").contains("empty"));
    assert!(rename_error(&step, "a\tb").contains("control"));
    assert!(rename_error(&step, "a: b").contains("quote"));
    assert!(rename_error(&step, "- x").contains("quote"));
    // The specification's length limits: 64 characters for names (512 with
    // FEATURE_BUNDLE_1), 512 for let names; a million is refused at once.
    assert!(rename_error(&frame, &"F".repeat(65)).contains("at most 64 characters"));
    assert!(rename_error(&step, &"S".repeat(1_000_000)).contains("at most 64 characters"));
    assert!(rename_error(&lets, &"f".repeat(513)).contains("at most 512 characters"));
    let (a, off) = fixture(&frame);
    assert!(rename(&a, off, &"F".repeat(64)).is_ok());
}

#[test]
fn rename_let_rejects_names_that_would_be_captured() {
    let text = r#"specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: J
steps:
- name: S
  let:
  - base = 1
  script:
    let:
    - x = base + 1
    - y = [v for v in [base]]
    actions:
      onRun:
        command: echo
        args: ["{{ string(base) }}"]
"#;
    assert_eq!(codes(text), Vec::<String>::new());
    let marked = at(text, "base = 1", 0);
    // Bound by a binding that can see it.
    assert!(rename_error(&marked, "x").contains("let binding"));
    // A comprehension variable of an expression that uses it.
    assert!(rename_error(&marked, "v").contains("comprehension"));
    // Step.Name is not a bare name; `name` is free.
    let expected = text.replace("base", "start");
    check_rename(&marked, "start", &expected);
}

#[test]
fn every_scalar_style() {
    let text = r#"specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
- name: 'Frame'
  type: STRING
- name: "Sc\u0065ne"
  type: STRING
steps:
- name: S
  script:
    actions:
      onRun:
        command: plain {{Param.Frame}} x
        args:
        - 'single {{ Param.Frame }} it''s'
        - "double \t\"{{Param.Sc\u0065ne}}\" {{RawParam.Frame}}"
        - |
          literal
          {{ Param.Frame }}
        - >
          folded
          more {{Param.Scene}}
        - "escaped line \
          {{Param.Frame}}"
"#;
    assert_eq!(codes(text), Vec::<String>::new());
    let (a, off) = fixture(&at(text, "Frame}} x", 0));
    let refs = references(&a, off, true);
    assert_eq!(texts(&a, &refs), ["Frame"; 6]);
    assert_eq!(
        places(&a, &refs),
        [
            "4: - name: '[Frame]'",
            "13: command: plain {{Param.[Frame]}} x",
            "15: - 'single {{ Param.[Frame] }} it''s'",
            "16: - \"double \\t\\\"{{Param.Sc\\u0065ne}}\\\" {{RawParam.[Frame]}}\"",
            "19: {{ Param.[Frame] }}",
            "24: {{Param.[Frame]}}\""
        ]
    );
    // Definition, highlight and prepare-rename from every use, in every style.
    for r in &refs {
        for off in [r.start, r.end] {
            assert_eq!(definition(&a, off), Some(refs[0].clone()));
            assert_eq!(prepare_rename(&a, off), Some(r.clone()));
            assert_eq!(document_highlight(&a, off).len(), 6);
        }
    }
    // The escaped name maps to its whole source, escape included.
    let (a, off) = fixture(&at(text, "Scene}}\n", 0));
    let refs = references(&a, off, true);
    assert_eq!(texts(&a, &refs), ["Sc\\u0065ne", "Sc\\u0065ne", "Scene"]);
    let renamed = text
        .replace("Param.Frame", "Param.Start")
        .replace("'Frame'", "'Start'");
    check_rename(&at(text, "Frame}} x", 0), "Start", &renamed);
    let renamed = text
        .replace("Sc\\u0065ne", "Shot")
        .replace("Param.Scene", "Param.Shot");
    check_rename(&at(text, "Scene}}\n", 0), "Shot", &renamed);
}

#[test]
fn quoting_limits_rename_of_step_names() {
    let text = r#"specificationVersion: jobtemplate-2023-09
steps:
- name: 'A'
  script: {actions: {onRun: {command: a}}}
- name: B
  dependencies:
  - dependsOn: "A"
  script: {actions: {onRun: {command: b}}}
"#;
    let marked = at(text, "A'", 0);
    assert!(rename_error(&marked, "it's").contains("single-quoted"));
    assert!(rename_error(&marked, "say \"hi\"").contains("double-quoted"));
    check_rename(
        &marked,
        "First: step",
        &text
            .replace("'A'", "'First: step'")
            .replace("\"A\"", "\"First: step\""),
    );
}

#[test]
fn json_template() {
    let text = r#"{
  "specificationVersion": "jobtemplate-2023-09",
  "name": "J",
  "parameterDefinitions": [{"name": "Frame", "type": "INT"}],
  "steps": [{
    "name": "S",
    "script": {"actions": {"onRun": {"command": "echo",
      "args": ["\"{{Param.Frame}}\"", "{{ Param.Fr\u0061me }}"]}}}
  }]
}"#;
    assert_eq!(codes(text), Vec::<String>::new());
    let (a, off) = fixture(&at(text, "Frame}}", 0));
    let refs = references(&a, off, true);
    assert_eq!(texts(&a, &refs), ["Frame", "Frame", "Fr\\u0061me"]);
    let renamed = text
        .replace("Frame", "Start")
        .replace("Fr\\u0061me", "Start");
    check_rename(&at(text, "Frame}}", 0), "Start", &renamed);
    assert!(rename_error(&at(text, "Frame}}", 0), "a\"b").contains("not a valid"));
}

#[test]
fn crlf_and_non_ascii_before_the_cursor() {
    let text = r#"specificationVersion: jobtemplate-2023-09
name: "Rendu — été 😀 {{Param.Frame}}"
parameterDefinitions:
- name: Frame
  type: INT
  description: "ünïcödé"
steps:
- name: Étape
  script:
    actions:
      onRun:
        command: "échо {{ Param.Frame }}"
"#
    .replace('\n', "\r\n");
    let text = text.as_str();
    assert_eq!(codes(text), Vec::<String>::new());
    let (a, off) = fixture(&at(text, "Frame }}", 0));
    let refs = references(&a, off, true);
    assert_eq!(texts(&a, &refs), ["Frame"; 3]);
    let renamed = text.replace("Frame", "Debut_ok");
    check_rename(&at(text, "Frame }}", 0), "Debut_ok", &renamed);
    // A non-ASCII step name renames too.
    let (a, off) = fixture(&at(text, "tape\r\n", 0));
    assert_eq!(texts(&a, &[prepare_rename(&a, off).unwrap()]), ["Étape"]);
    // An offset inside a multi-byte character clamps.
    let (a, off) = fixture(&at(text, "tape\r\n", 0));
    assert_eq!(prepare_rename(&a, off - 1), prepare_rename(&a, off - 2));
}

const ENV_FILES: &str = r#"specificationVersion: jobtemplate-2023-09
name: J
jobEnvironments:
- name: One
  script:
    embeddedFiles:
    - name: Cfg
      type: TEXT
      data: one
    actions:
      onEnter:
        command: '{{Env.File.Cfg}}'
- name: Two
  script:
    embeddedFiles:
    - name: Cfg
      type: TEXT
      data: two
    actions:
      onEnter:
        command: '{{Env.File.Cfg}}'
      onExit:
        command: '{{ Env.File.Cfg }}'
steps:
- name: S
  script: {actions: {onRun: {command: x}}}
"#;

#[test]
fn env_file_references_stay_in_their_environment() {
    assert_eq!(codes(ENV_FILES), Vec::<String>::new());
    let (a, off) = fixture(&at(ENV_FILES, "Cfg}}", 0));
    assert_eq!(
        places(&a, &references(&a, off, true)),
        ["7: - name: [Cfg]", "12: command: '{{Env.File.[Cfg]}}'"]
    );
    let (a, off) = fixture(&at(ENV_FILES, "Cfg }}", 0));
    assert_eq!(
        places(&a, &references(&a, off, true)),
        [
            "16: - name: [Cfg]",
            "21: command: '{{Env.File.[Cfg]}}'",
            "23: command: '{{ Env.File.[Cfg] }}'"
        ]
    );
    // Renaming one environment's file leaves the other's alone.
    let marked = at(ENV_FILES, "Cfg\n", 0);
    let expected = ENV_FILES
        .replacen("- name: Cfg\n", "- name: Conf\n", 1)
        .replacen("Env.File.Cfg", "Env.File.Conf", 1);
    check_rename(&marked, "Conf", &expected);
    // Environment names are symbols too.
    let (a, off) = fixture(&at(ENV_FILES, "One", 0));
    assert_eq!(texts(&a, &[prepare_rename(&a, off).unwrap()]), ["One"]);
    assert!(rename_error(&at(ENV_FILES, "One", 0), "Two").contains("another environment"));
    check_rename(
        &at(ENV_FILES, "One", 0),
        "First",
        &ENV_FILES.replace("One", "First"),
    );
}

#[test]
fn environment_template() {
    let text = r#"specificationVersion: environment-2023-09
parameterDefinitions:
- name: Root
  type: STRING
environment:
  name: Env
  script:
    embeddedFiles:
    - name: Init
      type: TEXT
      data: "cd {{Param.Root}}"
    actions:
      onEnter:
        command: "{{Env.File.Init}}"
"#;
    assert_eq!(codes(text), Vec::<String>::new());
    let (a, off) = fixture(&at(text, "Root}}", 0));
    assert_eq!(
        places(&a, &references(&a, off, true)),
        ["3: - name: [Root]", "11: data: \"cd {{Param.[Root]}}\""]
    );
    let (a, off) = fixture(&at(text, "Init}}", 0));
    assert_eq!(
        places(&a, &[definition(&a, off).unwrap()]),
        ["9: - name: [Init]"]
    );
}

#[test]
fn comprehension_locals_are_not_lets() {
    let text = r#"specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
steps:
- name: S
  let:
  - x = 1
  - y = [x for x in [2]]
  script: {actions: {onRun: {command: "{{ string(x) }}"}}}
"#;
    let (a, off) = fixture(&at(text, "x = 1", 0));
    let refs = references(&a, off, true);
    // The definition and the use in onRun; not the comprehension's x.
    assert_eq!(
        places(&a, &refs),
        [
            "6: - [x] = 1",
            "8: script: {actions: {onRun: {command: \"{{ string([x]) }}\"}}}"
        ]
    );
}
