//! Job bundle values files and CloudFormation queue environments through
//! the real server: the same diagnostics, at the same ranges, pushed and
//! pulled.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

mod support;
use support::Client;
use support::scratch::Scratch;

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// `(line, character, code)` of each diagnostic, sorted.
fn shape(diags: &[Value]) -> Vec<(u64, u64, String)> {
    let mut out: Vec<(u64, u64, String)> = diags
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX),
                d["range"]["start"]["character"]
                    .as_u64()
                    .unwrap_or(u64::MAX),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn values_and_cloudformation_diagnostics_push_and_pull() {
    let dir = Scratch::new("openjd-lsp-bundle", "protocol");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("bundle")).expect("mkdir");
    std::fs::copy(
        examples.join("job_bundle/template.yaml"),
        dir.join("bundle/template.yaml"),
    )
    .expect("copy");
    let values = "parameterValues:\n- name: SceneFile\n  value: s.blend\n- name: Frame\n  value: 1-10\n- name: deadline:priority\n  value: 500\n";
    let values_path = dir.join("bundle/parameter_values.yaml");
    std::fs::write(&values_path, values).expect("write");
    // The bundle's submission hooks: a misspelt phase, a bad timeout.
    let hooks = "version: \"1.0\"\npreSubmision:\n- command: python3\npostSubmission:\n- command: python3\n  timeout: -5\n";
    let hooks_path = dir.join("bundle/hooks.yaml");
    std::fs::write(&hooks_path, hooks).expect("write");
    let hooks_want = vec![
        (1, 0, "bundle-unknown-key".to_string()),
        (5, 11, "bundle-out-of-range".to_string()),
    ];
    let farm = std::fs::read_to_string(examples.join("infra/farm.yaml"))
        .expect("farm")
        .replace("{{Param.CondaPackages}}", "{{Param.CondaPackage}}");
    let farm_path = dir.join("farm.yaml");
    std::fs::write(&farm_path, &farm).expect("write");

    let values_want = vec![
        (3, 8, "bundle-maybe-queue-parameter".to_string()),
        (6, 9, "bundle-out-of-range".to_string()),
    ];
    let farm_want = vec![(61, 92, "undefined-variable".to_string())];
    for pull in [false, true] {
        let mut c = Client::start();
        let root = uri(dir.path());
        let caps = if pull {
            json!({"window": {"workDoneProgress": true}, "textDocument": {"diagnostic": {}}})
        } else {
            json!({"window": {"workDoneProgress": true}})
        };
        c.request(
            "initialize",
            json!({"processId": null, "rootUri": root,
                   "workspaceFolders": [{"uri": root, "name": "ws"}],
                   "capabilities": caps}),
        );
        c.notify("initialized", json!({}));
        let _ = c.wait_for(
            "$/progress",
            |p| p["value"]["kind"] == "end",
            Duration::from_secs(20),
        );
        for (path, text, want) in [
            (&values_path, values.to_string(), &values_want),
            (&farm_path, farm.clone(), &farm_want),
            (&hooks_path, hooks.to_string(), &hooks_want),
        ] {
            c.open(&uri(path), &text, 1);
            let got = if pull {
                let r = c.request(
                    "textDocument/diagnostic",
                    json!({"textDocument": {"uri": uri(path)}}),
                );
                r["result"]["items"].as_array().cloned().unwrap_or_default()
            } else {
                c.diagnostics_for(&uri(path), Some(1))
            };
            assert_eq!(&shape(&got), want, "pull {pull}: {got:?}");
            if path == &farm_path {
                let end = &got[0]["range"]["end"];
                assert_eq!(
                    (end["line"].as_u64(), end["character"].as_u64()),
                    (Some(61), Some(110))
                );
            }
        }
        assert_eq!(c.shutdown_and_exit(), Some(0));
    }
}

const CLASSES_TEMPLATE: &str = "\
specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
- name: Frames
  type: INT
  minValue: 1
  maxValue: 10
- name: Quality
  type: STRING
  allowedValues: [LOW, HIGH]
  default: LOW
- name: Label
  type: STRING
  maxLength: 3
  default: ab
- name: Scene
  type: PATH
steps:
- name: S
  script: {actions: {onRun: {command: echo}}}
";

/// One value problem of each class, each at its line and column.
const CLASSES_VALUES: &str = "\
parameterValues:
- name: Frames
  value: 11
- name: Frames
  value: many
- name: Quality
  value: MEDIUM
- name: Label
  value: long
- name: Qualty
  value: LOW
- name: deadline:priorty
  value: 5
- nmae: X
  value: 1
";

#[test]
fn every_class_of_value_problem_and_embedded_templates_push_and_pull() {
    let dir = Scratch::new("openjd-lsp-bundle", "classes");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for d in ["b", "orphan"] {
        std::fs::create_dir_all(dir.join(d)).expect("mkdir");
    }
    std::fs::write(dir.join("b/template.yaml"), CLASSES_TEMPLATE).expect("write");
    let values_path = dir.join("b/parameter_values.yaml");
    std::fs::write(&values_path, CLASSES_VALUES).expect("write");
    let orphan = dir.join("orphan/parameter_values.yaml");
    std::fs::write(&orphan, "parameterValues: []\n").expect("write");
    let clean = std::fs::read_to_string(examples.join("infra/farm.yaml")).expect("farm");
    let misspelt = clean.replace("              onEnter:", "              onEntr:");
    let (clean_path, misspelt_path) = (dir.join("clean.yaml"), dir.join("misspelt.yaml"));
    std::fs::write(&clean_path, &clean).expect("write");
    std::fs::write(&misspelt_path, &misspelt).expect("write");
    let s = |l: u64, c: u64, code: &str| (l, c, code.to_string());
    let cases = [
        (
            values_path.clone(),
            CLASSES_VALUES.to_string(),
            vec![
                s(0, 0, "bundle-missing-value"),
                s(2, 9, "bundle-out-of-range"),
                s(3, 8, "bundle-duplicate-value"),
                s(4, 9, "bundle-wrong-type"),
                s(6, 9, "bundle-not-allowed"),
                s(8, 9, "bundle-length"),
                s(9, 8, "bundle-maybe-queue-parameter"),
                s(11, 8, "bundle-unknown-setting"),
                s(13, 2, "bundle-missing-key"),
                s(13, 2, "bundle-unknown-key"),
            ],
        ),
        (
            orphan.clone(),
            "parameterValues: []\n".to_string(),
            vec![s(0, 0, "bundle-no-template")],
        ),
        (clean_path.clone(), clean.clone(), vec![]),
        (
            misspelt_path.clone(),
            misspelt.clone(),
            vec![s(51, 12, "missing-key"), s(52, 14, "unknown-key")],
        ),
    ];
    for pull in [false, true] {
        let mut c = Client::start();
        let root = uri(dir.path());
        let mut caps = json!({"window": {"workDoneProgress": true}});
        if pull {
            caps["textDocument"] = json!({"diagnostic": {}});
        }
        c.request(
            "initialize",
            json!({"processId": null, "rootUri": root,
                   "workspaceFolders": [{"uri": root, "name": "ws"}],
                   "capabilities": caps}),
        );
        c.notify("initialized", json!({}));
        let _ = c.wait_for(
            "$/progress",
            |p| p["value"]["kind"] == "end",
            Duration::from_secs(20),
        );
        for (path, text, want) in &cases {
            c.open(&uri(path), text, 1);
            let got = if pull {
                let r = c.request(
                    "textDocument/diagnostic",
                    json!({"textDocument": {"uri": uri(path)}}),
                );
                r["result"]["items"].as_array().cloned().unwrap_or_default()
            } else {
                c.diagnostics_for(&uri(path), Some(1))
            };
            assert_eq!(
                &shape(&got),
                want,
                "pull {pull}, {}: {got:?}",
                path.display()
            );
        }
        assert_eq!(c.shutdown_and_exit(), Some(0));
    }
}
