//! Completion, hover and signature help as pure functions, with fixtures
//! where `$0` marks the cursor.

use openjd_lsp::analysis::{Analysis, Options, analyze};
use openjd_lsp::ide::completion::{Item, complete};
use openjd_lsp::ide::hover::hover;
use openjd_lsp::ide::signature::signature_help;

fn fixture(text: &str) -> (Analysis, usize) {
    let offset = text.find("$0").expect("a $0 marker");
    let clean = text.replacen("$0", "", 1);
    (analyze(&clean, &Options::own()), offset)
}

fn labels(text: &str) -> Vec<String> {
    let (a, o) = fixture(text);
    complete(&a, o).into_iter().map(|i| i.insert).collect()
}

fn items(text: &str) -> Vec<Item> {
    let (a, o) = fixture(text);
    complete(&a, o)
}

const JOB_HEAD: &str = "specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: J
parameterDefinitions:
  - name: Frames
    type: INT
    description: How many frames
    default: 10
  - name: Scene
    type: PATH
";

fn step_with(args_line: &str) -> String {
    format!(
        "{JOB_HEAD}steps:
  - name: Render
    parameterSpace:
      taskParameterDefinitions:
        - name: Frame
          type: INT
          range: \"1-10\"
    script:
      actions:
        onRun:
          command: render
{args_line}"
    )
}

const WRAP_ENV: &str = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Docker
  script:
    actions:
      onEnter:
        command: \"{{ENTER}}\"
      onWrapEnvEnter:
        command: \"{{WENTER}}\"
      onWrapTaskRun:
        command: \"{{TASKRUN}}\"
      onWrapEnvExit:
        command: x
";

#[test]
fn variables_in_a_step_script_in_every_style() {
    let cases = [
        "          args: [\"{{ $0\"]\n",
        "          args: [\"{{ Param.Frames }}\", '{{$0}}']\n",
        "          args:\n            - |\n              run {{ $0 }}\n",
        "          args:\n            - >\n              run {{ $0 }}\n",
        "          args:\n            - plain {{ $0 }}\n",
    ];
    for case in cases {
        let l = labels(&step_with(case));
        for want in [
            "Param.Frames",
            "RawParam.Scene",
            "Param.Scene",
            "Task.Param.Frame",
            "Session.WorkingDirectory",
            "Job.Name",
            "Step.Name",
        ] {
            assert!(
                l.iter().any(|x| x == want),
                "{want} missing in {case:?}: {l:?}"
            );
        }
        assert!(
            !l.iter().any(|x| x.starts_with("WrappedAction")),
            "wrap variables offered in onRun: {case:?}"
        );
        assert!(
            l.iter().any(|x| x == "repr_sh($0)"),
            "functions with EXPR: {case:?}"
        );
    }
}

#[test]
fn members_after_a_dot_replace_the_whole_chain() {
    let text = step_with("          args: [\"{{Task.Param.$0}}\"]\n");
    let (a, o) = fixture(&text);
    let items = complete(&a, o);
    let labels: Vec<&str> = items.iter().map(|i| i.insert.as_str()).collect();
    assert_eq!(labels, vec!["Task.Param.Frame"]);
    let clean = text.replacen("$0", "", 1);
    assert_eq!(&clean[items[0].replace.clone()], "Task.Param.");
}

#[test]
fn template_fields_see_no_task_or_path_parameters() {
    let text = JOB_HEAD.replace("name: J\n", "name: \"{{ $0 }}\"\n") + "steps: []\n";
    let l = labels(&text);
    assert!(l.contains(&"Param.Frames".to_string()));
    assert!(l.contains(&"RawParam.Scene".to_string()));
    assert!(
        !l.contains(&"Param.Scene".to_string()),
        "PATH params are host-only: {l:?}"
    );
    assert!(
        !l.iter()
            .any(|x| x.starts_with("Task.") || x.starts_with("Session.") || x == "Job.Name")
    );
}

#[test]
fn wrap_variables_exactly_where_valid() {
    let task_run = labels(&WRAP_ENV.replace("{{TASKRUN}}", "{{$0"));
    assert!(
        task_run.contains(&"WrappedAction.Command".to_string()),
        "{task_run:?}"
    );
    assert!(task_run.contains(&"WrappedAction.Timeout".to_string()));
    assert!(task_run.contains(&"WrappedStep.Name".to_string()));
    assert!(!task_run.contains(&"WrappedEnv.Name".to_string()));
    let enter = labels(&WRAP_ENV.replace("{{WENTER}}", "{{ $0 }}"));
    assert!(enter.contains(&"WrappedEnv.Name".to_string()));
    assert!(!enter.contains(&"WrappedStep.Name".to_string()));
    let own = labels(&WRAP_ENV.replace("{{ENTER}}", "{{ $0 }}"));
    assert!(!own.iter().any(|x| x.starts_with("Wrapped")), "{own:?}");
    let types = items(&WRAP_ENV.replace("{{TASKRUN}}", "{{WrappedAction.$0}}"));
    let timeout = types
        .iter()
        .find(|i| i.insert == "WrappedAction.Timeout")
        .expect("Timeout");
    assert_eq!(timeout.detail.as_deref(), Some("int?"));
}

#[test]
fn unterminated_quote_and_braces_still_complete() {
    let text = step_with("          args: [\"{{Task.Pa$0\n");
    let l = labels(&text);
    assert!(l.contains(&"Task.Param.Frame".to_string()), "{l:?}");
    // A syntax error earlier in the document does not stop completion.
    let broken = step_with("          args: [\"{{Param.$0}}\"]\n")
        .replace("description: How many frames", "description: [unclosed");
    let l = labels(&broken);
    assert!(l.contains(&"Param.Frames".to_string()), "{l:?}");
}

#[test]
fn json_templates_complete_too() {
    let text = r#"{"specificationVersion": "jobtemplate-2023-09", "name": "J",
 "parameterDefinitions": [{"name": "Shot", "type": "STRING"}],
 "steps": [{"name": "S", "script": {"actions": {"onRun": {"command": "echo", "args": ["\"{{Param.$0}}\""]}}}}]}"#;
    assert_eq!(labels(text), vec!["Param.Shot".to_string()]);
}

#[test]
fn let_names_and_their_types() {
    let text = step_with("          args: [\"{{ $0 }}\"]\n").replace(
        "    script:\n      actions:",
        "    script:\n      let:\n        - out = Session.WorkingDirectory / 'x'\n      actions:",
    );
    let it = items(&text);
    let out = it
        .iter()
        .find(|i| i.insert == "out")
        .expect("let name offered");
    assert_eq!(out.detail.as_deref(), Some("path"));
}

#[test]
fn keys_not_yet_present_with_snippets() {
    let text = step_with("          $0\n");
    let l = labels(&text);
    assert!(l.iter().any(|x| x.starts_with("args: [")), "{l:?}");
    assert!(l.iter().any(|x| x.starts_with("timeout")));
    assert!(
        !l.iter().any(|x| x.starts_with("command")),
        "command is present: {l:?}"
    );
    // A fresh list item of steps gets the step keys, with required children.
    let text = format!("{JOB_HEAD}steps:\n  - $0\n");
    let l = labels(&text);
    let script = l.iter().find(|x| x.starts_with("script")).expect("script");
    assert!(
        script.contains("actions:") && script.contains("onRun:") && script.contains("command: $"),
        "{script}"
    );
    // A key typed where a mapping belongs.
    let text = step_with("").replace(
        "        onRun:\n          command: render\n",
        "        onR$0\n",
    );
    assert!(labels(&text).iter().any(|x| x.starts_with("onRun")));
}

#[test]
fn gated_keys_say_what_they_need() {
    let text = format!("{JOB_HEAD}steps:\n  - name: S\n    $0\n");
    let it = items(&text);
    let bash = it.iter().find(|i| i.label == "bash").expect("bash");
    assert_eq!(bash.detail.as_deref(), Some("requires FEATURE_BUNDLE_1"));
}

#[test]
fn values_of_enums_versions_types_extensions_and_steps() {
    let text = step_with("          cancelation:\n            mode: $0\n");
    assert_eq!(labels(&text), vec!["TERMINATE", "NOTIFY_THEN_TERMINATE"]);
    let text = "specificationVersion: $0\n";
    let (a, o) = fixture(text);
    // Not yet a template: nothing to offer but the document is not empty.
    let _ = complete(&a, o);
    let text = JOB_HEAD.replace("type: PATH", "type: $0") + "steps: []\n";
    let l = labels(&text);
    assert!(l.contains(&"LIST[STRING]".to_string()) && l.contains(&"PATH".to_string()));
    let text = JOB_HEAD.replace("extensions: [EXPR]", "extensions: [EXPR, $0]") + "steps: []\n";
    let l = labels(&text);
    assert!(
        l.contains(&"WRAP_ACTIONS".to_string()) && !l.contains(&"EXPR".to_string()),
        "{l:?}"
    );
    let text = format!(
        "{JOB_HEAD}steps:\n  - name: A\n    script: {{actions: {{onRun: {{command: a}}}}}}\n  - name: B\n    dependencies:\n      - dependsOn: $0\n    script: {{actions: {{onRun: {{command: b}}}}}}\n"
    );
    assert_eq!(labels(&text), vec!["A"]);
}

#[test]
fn empty_document_offers_template_skeletons() {
    let it = items("$0");
    assert_eq!(it.len(), 2);
    assert!(
        it[0]
            .insert
            .starts_with("specificationVersion: jobtemplate-2023-09")
    );
}

#[test]
fn hover_on_keys_variables_functions_and_extensions() {
    let text = step_with("          args: [\"{{ repr_sh(Param.Fra$0mes) }}\"]\n");
    let (a, o) = fixture(&text);
    let h = hover(&a, o).expect("hover on a variable");
    assert!(h.contents.contains("Param.Frames: int"), "{}", h.contents);
    assert!(
        h.contents.contains("How many frames") && h.contents.contains("Default: `10`"),
        "{}",
        h.contents
    );
    let clean = text.replacen("$0", "", 1);
    assert_eq!(&clean[h.range.clone()], "Param.Frames");

    let text = step_with("          args: [\"{{ repr_$0sh(Param.Frames) }}\"]\n");
    let (a, o) = fixture(&text);
    let h = hover(&a, o).expect("hover on a function");
    assert!(
        h.contents.contains("repr_sh(string) -> string"),
        "{}",
        h.contents
    );

    let text = step_with("          time$0out: 5\n");
    let (a, o) = fixture(&text);
    let h = hover(&a, o).expect("hover on a key");
    assert!(
        h.contents.contains("**timeout**") && h.contents.contains("FEATURE_BUNDLE_1"),
        "{}",
        h.contents
    );

    let text = JOB_HEAD.replace("[EXPR]", "[EX$0PR]") + "steps: []\n";
    let (a, o) = fixture(&text);
    let h = hover(&a, o).expect("hover on an extension");
    assert!(h.contents.contains("Expression language"), "{}", h.contents);
}

#[test]
fn signature_help_in_calls() {
    let text = step_with("          args: [\"{{ join(Param.X, $0) }}\"]\n");
    let (a, o) = fixture(&text);
    let s = signature_help(&a, o).expect("signature help");
    assert_eq!(s.function, "join");
    assert_eq!(s.active_parameter, 1);
    assert!(
        s.signatures.iter().any(|x| x.contains("list[string]")),
        "{:?}",
        s.signatures
    );
}

#[test]
fn nothing_panics_at_any_offset_of_broken_documents() {
    let docs = [
        step_with("          args: [\"{{ é😀 $0\n"),
        "specificationVersion: jobtemplate-2023-09\nsteps:\n  - name: [\n$0".to_string(),
        WRAP_ENV
            .replace("{{TASKRUN}}", "{{ x.$0 }}")
            .replace('\n', "\r\n"),
    ];
    for d in docs {
        let clean = d.replacen("$0", "", 1);
        let a = analyze(&clean, &Options::own());
        for o in 0..=clean.len() + 2 {
            let _ = complete(&a, o);
            let _ = hover(&a, o);
            let _ = signature_help(&a, o);
        }
    }
}
