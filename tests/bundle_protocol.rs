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
