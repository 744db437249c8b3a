use super::*;
use crate::syntax::parse;

const TEMPLATE: &str = "\
specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: Render
parameterDefinitions:
- name: Frames
  type: INT
  minValue: 1
  maxValue: 1000
- name: Quality
  type: STRING
  allowedValues: [LOW, HIGH]
  default: LOW
- name: Scale
  type: FLOAT
  maxValue: 2.5
  default: 1
- name: SceneFile
  type: PATH
  minLength: 3
- name: Label
  type: STRING
  maxLength: 5
  default: abc
- name: Denoise
  type: BOOL
  default: true
- name: Cameras
  type: LIST[STRING]
  maxLength: 2
  item: {allowedValues: [front, side, top]}
  default: [front]
- name: Chunks
  type: RANGE_EXPR
  default: 1-10
steps:
- name: S
  script: {actions: {onRun: {command: echo}}}
";

/// Each diagnostic as `line:col code \`underlined text\``, 1-based.
fn rendered(values: &str) -> Vec<String> {
    let t = parse(TEMPLATE).root.unwrap();
    let against = Against {
        params: definitions(&t, None),
        template: Some(PathBuf::from("/b/template.yaml")),
        queues_known: true,
    };
    let pv = ParameterValues::parse(values);
    let mut diags = pv.diagnostics.clone();
    diags.extend(check_values(&pv, &against));
    render(values, &diags)
}

fn render(text: &str, diags: &[Diagnostic]) -> Vec<String> {
    let index = crate::text::LineIndex::new(text);
    diags
        .iter()
        .map(|d| {
            let line = index.line_of(d.span.start);
            let col = d.span.start - index.line_start(line);
            format!(
                "{}:{} {} `{}`",
                line + 1,
                col + 1,
                d.code,
                &text[d.span.clone()]
            )
        })
        .collect()
}

#[test]
fn good_values_are_clean() {
    let values = "\
parameterValues:
- name: Frames
  value: 24
- name: Quality
  value: HIGH
- name: Scale
  value: '2.5'
- name: SceneFile
  value: scene.blend
- name: Denoise
  value: 'off'
- name: Cameras
  value: [side, top]
- name: Chunks
  value: 1-99:2,100
- name: deadline:priority
  value: 80
- name: deadline:targetTaskRunStatus
  value: SUSPENDED
- name: maya:renderer
  value: arnold
";
    assert_eq!(rendered(values), Vec::<String>::new());
}

#[test]
fn every_class_of_problem_at_its_exact_range() {
    let values = "\
parameterValues:
- name: Frame
  value: 24
- name: Frames
  value: 1001
- name: Frames
  value: 2.5
- name: Quality
  value: MEDIUM
- name: Scale
  value: [1]
- name: Label
  value: toolong
- name: Denoise
  value: maybe
- name: Cameras
  value: [front, back, side]
- name: Chunks
  value: 1-
- name: deadline:priority
  value: 101
- name: deadline:priorty
  value: 1
- name: deadline:targetTaskRunStatus
  value: RUNNING
- name: deadline:maxRetriesPerTask
  value: lots
- value: 3
  nmae: X
";
    assert_eq!(
        rendered(values),
        vec![
            "29:3 bundle-unknown-key `nmae`",
            "28:3 bundle-missing-key ``",
            "2:9 bundle-unknown-parameter `Frame`",
            "5:10 bundle-out-of-range `1001`",
            "6:9 bundle-duplicate-value `Frames`",
            "7:10 bundle-wrong-type `2.5`",
            "9:10 bundle-not-allowed `MEDIUM`",
            "11:10 bundle-wrong-type `[1]`",
            "13:10 bundle-length `toolong`",
            "15:10 bundle-wrong-type `maybe`",
            "17:10 bundle-length `[front, back, side]`",
            "17:18 bundle-not-allowed `back`",
            "19:10 bundle-wrong-type `1-`",
            "21:10 bundle-out-of-range `101`",
            "22:9 bundle-unknown-setting `deadline:priorty`",
            "25:10 bundle-not-allowed `RUNNING`",
            "27:10 bundle-wrong-type `lots`",
            "1:1 bundle-missing-value `parameterValues`",
        ]
    );
}

#[test]
fn messages_say_what_to_do() {
    let t = parse(TEMPLATE).root.unwrap();
    let against = Against {
        params: definitions(&t, None),
        template: Some(PathBuf::from("/b/template.yaml")),
        queues_known: true,
    };
    let pv = ParameterValues::parse(
        "parameterValues:\n- {name: Frame, value: 2}\n- {name: deadline:priorty, value: 1}\n",
    );
    let diags = check_values(&pv, &against);
    assert_eq!(
        diags[0].message,
        "The job template defines no parameter `Frame`, nor do its queue's environments; did you mean `Frames`?"
    );
    assert_eq!(diags[0].suggestion.as_deref(), Some("Frames"));
    assert!(
        diags[1]
            .message
            .contains("did you mean `deadline:priority`?"),
        "{}",
        diags[1].message
    );
    let missing = diags
        .iter()
        .find(|d| d.code == Code::BundleMissingValue && d.message.contains("`SceneFile`"));
    let missing = missing.expect("SceneFile has no default");
    assert!(missing.message.contains("`SceneFile`"));
    assert_eq!(missing.severity, crate::analysis::Severity::Warning);
    assert_eq!(
        missing.related[0].file.as_deref(),
        Some(std::path::Path::new("/b/template.yaml"))
    );
}

#[test]
fn json_values_are_read_the_same_way() {
    let values = r#"{"parameterValues": [
  {"name": "Frames", "value": "12"},
  {"name": "SceneFile", "value": "s"},
  {"name": "Quality", "value": "HIGH"}
]}"#;
    assert_eq!(rendered(values), vec!["3:34 bundle-length `\"s\"`"]);
}

#[test]
fn broken_and_half_typed_files_give_diagnostics_not_panics() {
    for text in [
        "",
        "parameterValues:\n- name: \n",
        "parameterValues:\n- name: Fr",
        "parameterValues: 3\n",
        "parameterValues:\n- [a]\n- name: [x]\n  value: 1\n",
        "[1, 2",
        "parameterValue:\n",
        "{\"parameterValues\": [{\"name\": \"Frames\", \"value\": ",
    ] {
        let _ = rendered(text);
    }
    assert_eq!(
        rendered("parameterValue: []\n"),
        vec!["1:1 bundle-unknown-key `parameterValue`"]
    );
}

#[test]
fn range_expressions() {
    for ok in ["1", "1-10", "1-10:2", " 1 - 3 , 5", "-5--1", "10-1:1"] {
        assert!(is_range_expr(ok), "{ok}");
    }
    for bad in ["", "a", "1-", "1-10:0", "1:2", "1,,2"] {
        assert!(!is_range_expr(bad), "{bad}");
    }
}

#[test]
fn asset_references_shape() {
    let text = "\
assetReferences:
  inputs:
    filenames: [scene.blend]
    directorys: [textures]
  outputs:
    directories: output
  referencedPaths:
  - {a: 1}
  extra: 1
";
    assert_eq!(
        render(text, &check_asset_references(text)),
        vec![
            "9:3 bundle-unknown-key `extra`",
            "4:5 bundle-unknown-key `directorys`",
            "6:18 bundle-wrong-type `output`",
            "8:5 bundle-wrong-type `{a: 1}`",
        ]
    );
    let d = check_asset_references(text);
    assert!(d[1].message.contains("did you mean `directories`?"));
    let clean = "assetReferences:\n  inputs:\n    filenames: []\n    directories: [/in]\n  outputs:\n    directories: [/out]\n  referencedPaths: []\n";
    assert!(check_asset_references(clean).is_empty());
    assert!(check_asset_references("{\"assetReferences\": {}}").is_empty());
}

#[test]
fn bundle_file_names() {
    assert_eq!(
        BundleFile::of_name("parameter_values.yaml"),
        Some(BundleFile::ParameterValues)
    );
    assert_eq!(
        BundleFile::of_name("asset_references.json"),
        Some(BundleFile::AssetReferences)
    );
    assert_eq!(BundleFile::of_name("template.yaml"), None);
    assert_eq!(BundleFile::of_name("parameter_values.txt"), None);
}

#[test]
fn submission_hooks_file_shape() {
    let text = "\
version: 1.0
preGUI:
- command: python3
  args: [prefill.py]
  timeout: 10
preSubmision:
- command: python3
preSubmission:
- args: validate.py
  timout: 30
- command: [python3]
  timeout: 0
  env: [A=1]
- echo
postSubmission: notify.py
";
    assert_eq!(
        render(text, &check_hooks(text)),
        vec![
            "6:1 bundle-unknown-key `preSubmision`",
            "1:10 bundle-wrong-type `1.0`",
            "10:3 bundle-unknown-key `timout`",
            "9:3 bundle-missing-key ``",
            "9:9 bundle-wrong-type `validate.py`",
            "11:12 bundle-wrong-type `[python3]`",
            "12:12 bundle-out-of-range `0`",
            "13:8 bundle-wrong-type `[A=1]`",
            "14:3 bundle-wrong-type `echo`",
            "15:17 bundle-wrong-type `notify.py`",
        ]
    );
    let d = check_hooks("version: \"2.0\"\n");
    assert_eq!(d[0].code, Code::BundleNotAllowed);
    assert!(
        check_hooks("version: \"1.0\"\npreSubmission:\n- command: python3\n  args: [a.py]\n  timeout: 60\n  env: {LEVEL: strict}\n")
            .is_empty()
    );
    let d = check_hooks("preSubmision: []\n");
    assert!(
        d[0].message.ends_with("did you mean `preSubmission`?"),
        "{}",
        d[0].message
    );
    assert_eq!(BundleFile::of_name("hooks.json"), Some(BundleFile::Hooks));
}
