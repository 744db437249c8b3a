//! Completion in the states a document is in while it is being typed. `$0`
//! marks the cursor; each test names the situation it documents.

use openjd_lsp::analysis::{Options, analyze};
use openjd_lsp::ide::completion::{Item, ItemKind, complete, complete_list};

fn at(text: &str) -> (Vec<Item>, String) {
    let offset = text.find("$0").expect("a $0 marker");
    let clean = text.replacen("$0", "", 1);
    let a = analyze(&clean, &Options::own());
    (complete(&a, offset), clean)
}

fn labels(text: &str) -> Vec<String> {
    at(text).0.into_iter().map(|i| i.label).collect()
}

fn has(l: &[String], want: &[&str]) {
    for w in want {
        assert!(l.iter().any(|x| x == w), "{w} missing from {l:?}");
    }
}

fn lacks(l: &[String], unwanted: &[&str]) {
    for u in unwanted {
        assert!(!l.iter().any(|x| x == u), "{u} offered in {l:?}");
    }
}

const STEP: &str = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: Render
    parameterSpace:
      taskParameterDefinitions:
        - name: Frame
          type: INT
          range: \"1-10\"
      combination: Frame
$0
    hostRequirements:
      amounts:
        - name: amount.worker.vcpu
          min: 4
";

#[test]
fn a_blank_line_indented_to_a_steps_keys_offers_the_steps_keys() {
    let l = labels(&STEP.replace("$0", "    $0"));
    has(&l, &["script", "dependencies", "description"]);
    // Present above and below.
    lacks(&l, &["name", "parameterSpace", "hostRequirements"]);
    // Not the keys of the deeper block above.
    lacks(&l, &["combination", "taskParameterDefinitions", "amounts"]);
    // Deeper: the parameter space's keys.
    let l = labels(&STEP.replace("$0", "      $0"));
    assert!(l.is_empty(), "{l:?}");
    let text = STEP
        .replace("      combination: Frame\n", "")
        .replace("$0", "      $0");
    assert_eq!(labels(&text), vec!["combination"]);
}

#[test]
fn a_blank_line_at_column_zero_after_a_list_offers_top_level_keys() {
    let text = "specificationVersion: jobtemplate-2023-09
extensions:
  - EXPR
$0
steps:
  - name: S
    script: {actions: {onRun: {command: x}}}
";
    let l = labels(text);
    has(&l, &["name", "parameterDefinitions", "jobEnvironments"]);
    lacks(&l, &["EXPR", "TASK_CHUNKING", "steps", "extensions"]);
    // The required key comes first.
    let text = text.replace(
        "steps:\n  - name: S\n    script: {actions: {onRun: {command: x}}}\n",
        "",
    );
    assert_eq!(
        labels(&text)[..2],
        ["name".to_string(), "steps".to_string()]
    );
}

#[test]
fn a_new_list_item_whose_other_keys_are_below_it() {
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    script: {actions: {onRun: {command: x}}}
  - $0
    script: {actions: {onRun: {command: y}}}
";
    let l = labels(text);
    has(&l, &["name", "dependencies"]);
    lacks(&l, &["script"]);
    // Inside a combination's `allOf` list: nothing but the list of the
    // amount's keys when it is an amount.
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    hostRequirements:
      attributes:
        - $0
          anyOf: [a]
    script: {actions: {onRun: {command: x}}}
";
    let l = labels(text);
    has(&l, &["name", "allOf"]);
    lacks(&l, &["anyOf"]);
}

#[test]
fn the_cursor_at_the_start_of_a_key_or_inside_a_partly_typed_one() {
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    dependencies: []
    $0script: {actions: {onRun: {command: x}}}
";
    let (items, clean) = at(text);
    let script = items.iter().find(|i| i.label == "script").expect("script");
    // Only the name is replaced: the value is there already.
    assert_eq!(script.insert, "script");
    assert_eq!(&clean[script.replace.clone()], "script");
    let l: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    lacks(&l, &["dependencies", "name"]);
    // A partly typed key does not bring back the keys already present.
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    dependencies: []
    d$0
    script: {actions: {onRun: {command: x}}}
";
    let (items, clean) = at(text);
    let l: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    has(&l, &["description"]);
    lacks(&l, &["dependencies", "script", "name"]);
    let d = items
        .iter()
        .find(|i| i.label == "description")
        .expect("description");
    assert_eq!(&clean[d.replace.clone()], "d");
}

#[test]
fn at_the_end_of_an_incomplete_document() {
    for tail in ["    $0", "    scr$0", "  - $0", "  - name: B\n    $0"] {
        let text = format!(
            "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: A\n    script:\n      actions:\n        onRun:\n          command: x\n{tail}"
        );
        let l = labels(&text);
        has(&l, &["dependencies"]);
    }
    let l = labels("specificationVersion: jobtemplate-2023-09\n$0");
    has(&l, &["name", "steps", "extensions"]);
}

#[test]
fn after_a_key_with_no_value_yet() {
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    script:
      embeddedFiles:
        - name: F
          type: $0
          data: x
      actions:
        onRun:
          command: x
          cancelation:
            mode: TERMINATE
";
    assert_eq!(labels(text), vec!["TEXT"]);
    let l = labels(&text.replace("type: $0", "type: TEXT\n          runnable: $0"));
    assert_eq!(l, vec!["true", "false"]);
    let l = labels(
        &text
            .replace("type: $0", "type: TEXT")
            .replace("mode: TERMINATE", "mode: NOT$0"),
    );
    has(&l, &["NOTIFY_THEN_TERMINATE"]);
    // The parameter types, gated ones marked.
    let text = "specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
  - name: P
    type: $0
steps: []
";
    let items = at(text).0;
    let int = items.iter().find(|i| i.label == "INT").expect("INT");
    assert_eq!(int.detail, None);
    let b = items.iter().find(|i| i.label == "BOOL").expect("BOOL");
    assert_eq!(b.detail.as_deref(), Some("requires EXPR"));
    // Every enum of a parameter: objectType and dataFlow.
    let text = text.replace("type: $0", "type: PATH\n    objectType: $0");
    assert_eq!(labels(&text), vec!["FILE", "DIRECTORY"]);
}

#[test]
fn step_names_in_depends_on_and_extension_names() {
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    script: {actions: {onRun: {command: x}}}
  - name: B
    script: {actions: {onRun: {command: x}}}
  - name: C
    dependencies:
      - dependsOn: $0
    script: {actions: {onRun: {command: x}}}
";
    let items = at(text).0;
    let l: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    assert_eq!(l, vec!["A", "B"]);
    assert!(items.iter().all(|i| i.kind == ItemKind::Reference));
    let text = "specificationVersion: jobtemplate-2023-09\nextensions:\n  - EXPR\n  - $0\nname: J\nsteps: []\n";
    let l = labels(text);
    has(&l, &["WRAP_ACTIONS", "TASK_CHUNKING"]);
    lacks(&l, &["EXPR"]);
}

#[test]
fn flow_mappings() {
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    script: {actions: {onRun: {command: x, $0}}}
";
    let (items, _) = at(text);
    let l: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    has(&l, &["args", "timeout", "cancelation"]);
    lacks(&l, &["command"]);
    let c = items
        .iter()
        .find(|i| i.label == "cancelation")
        .expect("cancelation");
    assert_eq!(
        c.insert,
        "cancelation: {mode: ${1|TERMINATE,NOTIFY_THEN_TERMINATE|}}"
    );
    // Over several lines, with the rest of the mapping after the cursor.
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    script: {
      actions: {onRun: {command: x}},
      $0
      embeddedFiles: []
    }
";
    let l = labels(text);
    has(&l, &["let"]);
    lacks(&l, &["actions", "embeddedFiles"]);
    // A value inside a flow mapping.
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    script: {actions: {onRun: {command: x, cancelation: {mode: $0}}}}
";
    assert_eq!(labels(text), vec!["TERMINATE", "NOTIFY_THEN_TERMINATE"]);
}

const JSON: &str = r#"{
  "specificationVersion": "jobtemplate-2023-09",
  "name": "J",
  "parameterDefinitions": [{"name": "P", "type": "INT"}],
  "steps": [
    {
      "name": "A",
      $0
      "script": {"actions": {"onRun": {"command": "x"}}}
    }
  ]
}
"#;

#[test]
fn json_keys_with_quotes_and_commas() {
    let (items, _) = at(JSON);
    let l: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    has(&l, &["dependencies", "parameterSpace"]);
    lacks(&l, &["name", "script"]);
    let d = items
        .iter()
        .find(|i| i.label == "description")
        .expect("description");
    assert_eq!(d.insert, "\"description\": \"$1\"");
    let p = items
        .iter()
        .find(|i| i.label == "parameterSpace")
        .expect("parameterSpace");
    assert!(
        p.insert
            .starts_with("\"parameterSpace\": {\"taskParameterDefinitions\": [{\"name\": \"$1\""),
        "{}",
        p.insert
    );
    // A key whose opening quote is typed.
    let (items, clean) = at(&JSON.replace("$0", "\"dep$0"));
    let d = items
        .iter()
        .find(|i| i.label == "dependencies")
        .expect("dependencies");
    assert_eq!(&clean[d.replace.clone()], "\"dep");
    // A value inside its quotes, and one with none yet.
    let text = JSON.replace(r#""type": "INT""#, r#""type": "$0""#);
    let (items, clean) = at(&text);
    let int = items.iter().find(|i| i.label == "INT").expect("INT");
    assert_eq!(int.insert, "INT");
    assert_eq!(
        int.replace.start,
        clean.find(r#""type": """#).unwrap_or(0) + 9
    );
    let text = JSON.replace(r#""type": "INT""#, r#""type": $0"#);
    let (items, _) = at(&text);
    let int = items.iter().find(|i| i.label == "INT").expect("INT");
    assert_eq!(int.insert, "\"INT\"");
}

#[test]
fn while_the_document_does_not_parse() {
    let base = "specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
  - name: P
    type: STRING
    description: BROKEN
steps:
  - name: A
    script:
      actions:
        onRun:
          command: x
    $0
";
    for broken in [
        "\"an unclosed quote",
        "{{ Param.P",
        "'{{ Param.",
        "a\ttab",
        "",
        "[x, {y",
    ] {
        let text = base.replace("BROKEN", broken);
        let l = labels(&text);
        assert!(!l.is_empty(), "nothing with {broken:?}");
        has(&l, &["dependencies", "description"]);
        lacks(&l, &["name", "script"]);
    }
    // A key with no value two lines above, and a tab-indented line.
    let text = base.replace(
        "    description: BROKEN\n",
        "    description:\n    default:\n",
    );
    has(&labels(&text), &["dependencies"]);
    let text = base.replace("          command: x\n", "\t\tcommand: x\n");
    has(&labels(&text), &["dependencies"]);
}

#[test]
fn gated_keys_add_their_extension() {
    let text = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: A
    $0
";
    let (items, clean) = at(text);
    let bash = items.iter().find(|i| i.label == "bash").expect("bash");
    assert_eq!(bash.detail.as_deref(), Some("requires FEATURE_BUNDLE_1"));
    assert!(
        bash.documentation
            .as_deref()
            .is_some_and(|d| d.contains("accepting adds it to `extensions`")),
        "{:?}",
        bash.documentation
    );
    assert_eq!(bash.additional_edits.len(), 1);
    let (span, new) = &bash.additional_edits[0];
    let mut edited = clean.clone();
    edited.replace_range(span.clone(), new);
    assert!(
        edited.starts_with(
            "specificationVersion: jobtemplate-2023-09\nextensions: [FEATURE_BUNDLE_1]\n"
        ),
        "{edited}"
    );
    // Gated keys come after the others.
    let pos = |l: &str| items.iter().position(|i| i.label == l);
    assert!(pos("script") < pos("bash") && pos("description") < pos("let"));
    // With a block list of extensions.
    let text = text.replace("name: J\n", "extensions:\n  - EXPR\nname: J\n");
    let (items, clean) = at(&text);
    let bash = items.iter().find(|i| i.label == "bash").expect("bash");
    let mut edited = clean.clone();
    edited.replace_range(
        bash.additional_edits[0].0.clone(),
        &bash.additional_edits[0].1,
    );
    assert!(
        edited.contains("extensions:\n  - EXPR\n  - FEATURE_BUNDLE_1\n"),
        "{edited}"
    );
    let l = items.iter().find(|i| i.label == "let").expect("let");
    assert!(l.additional_edits.is_empty(), "EXPR is listed");
}

#[test]
fn snippets_write_the_required_children() {
    let text = "specificationVersion: jobtemplate-2023-09\nname: J\n$0\n";
    let (items, _) = at(text);
    let steps = items.iter().find(|i| i.label == "steps").expect("steps");
    // `script` is not required: a step may use a shorthand (`bash: …`).
    assert_eq!(steps.insert, "steps:\n  - name: $1");
    let text = "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: A\n    $0\n";
    let (items, _) = at(text);
    let space = items
        .iter()
        .find(|i| i.label == "parameterSpace")
        .expect("parameterSpace");
    assert!(
        space.insert.starts_with(
            "parameterSpace:\n      taskParameterDefinitions:\n        - name: $1\n          type: ${2|INT,FLOAT,STRING,PATH,CHUNK[INT]|}"
        ),
        "{}",
        space.insert
    );
}

#[test]
fn inside_braces_variables_and_functions_with_signatures() {
    let text = "specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: J
parameterDefinitions:
  - name: Frames
    type: INT
steps:
  - name: A
    script:
      actions:
        onRun:
          command: \"{{ $0\"
";
    let items = at(text).0;
    let l: Vec<String> = items.iter().map(|i| i.insert.clone()).collect();
    has(&l, &["Param.Frames", "Session.WorkingDirectory"]);
    let join = items.iter().find(|i| i.label == "join").expect("join");
    assert_eq!(join.kind, ItemKind::Function);
    assert!(
        join.detail
            .as_deref()
            .is_some_and(|d| d.starts_with("join(")),
        "{:?}",
        join.detail
    );
    // After a namespace's dot the list depends on what was typed.
    let offset = text.find("$0").unwrap_or(0);
    let clean = text.replacen("$0", "Param.", 1);
    let a = analyze(&clean, &Options::own());
    let list = complete_list(&a, offset + "Param.".len());
    assert!(list.incomplete);
    assert_eq!(
        list.items
            .iter()
            .map(|i| i.insert.as_str())
            .collect::<Vec<_>>(),
        vec!["Param.Frames"]
    );
}

#[test]
fn names_where_a_step_or_environment_name_is_expected() {
    let text = "specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: J
jobEnvironments:
  - name: Tools
    script: {actions: {onEnter: {command: x}}}
steps:
  - name: Render
    script:
      actions:
        onRun:
          command: \"{{ 'a' if Step.Name == 'R$0' else 'b' }}\"
  - name: Comp
    stepEnvironments:
      - name: Scratch
        variables: {A: b}
    script: {actions: {onRun: {command: x}}}
";
    let (items, clean) = at(text);
    let l: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    assert_eq!(l, vec!["Render", "Comp"]);
    assert_eq!(&clean[items[0].replace.clone()], "R");
    let text = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Docker
  script:
    actions:
      onWrapEnvEnter:
        command: \"{{ 'x' if WrappedEnv.Name != \\\"$0\\\" else 'y' }}\"
      onWrapTaskRun: {command: x}
      onWrapEnvExit: {command: x}
";
    assert_eq!(labels(text), vec!["Docker"]);
}

#[test]
fn a_plain_scalar_that_starts_with_braces_is_not_a_flow_mapping() {
    // `{{` unquoted is a YAML flow mapping, an error; no mapping keys.
    let text = "specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
  - name: Frames
    type: INT
steps:
  - name: A
    script:
      actions:
        onRun:
          command: {{Param.$0
";
    let items = at(text).0;
    assert!(
        items.iter().all(|i| i.kind != ItemKind::Key),
        "{:?}",
        items.iter().map(|i| &i.label).collect::<Vec<_>>()
    );
}

#[test]
fn braces_glued_to_the_text_before_them_in_a_list_item() {
    // `- --frame={{` is a plain scalar, not a key being typed: the variables
    // are offered, and hover names the one under the cursor.
    let template = |arg: &str| {
        format!(
            "specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
  - name: Message
    type: STRING
    default: hi
steps:
  - name: A
    parameterSpace:
      taskParameterDefinitions:
        - name: Frame
          type: INT
          range: \"1-3\"
    script:
      actions:
        onRun:
          command: python
          args:
            - {arg}
"
        )
    };
    for (arg, chain) in [
        ("--frame={{Task.Param.$0}}", "Task.Param.Frame"),
        ("file://{{Session.$0}}", "Session.PathMappingRulesFile"),
        ("print('{{Param.$0}}')", "Param.Message"),
        ("--a={{Param.Message}},--b={{Param.$0}}", "Param.Message"),
    ] {
        let (items, _) = at(&template(arg));
        let inserts: Vec<String> = items.into_iter().map(|i| i.insert).collect();
        has(&inserts, &[chain]);
        let filled =
            template(arg).replacen("$0", &chain[chain.rfind('.').map_or(0, |i| i + 1)..], 1);
        let offset = filled.rfind(chain).unwrap_or(0) + chain.len() - 1;
        let a = analyze(&filled, &Options::own());
        let hover = openjd_lsp::ide::hover::hover(&a, offset);
        assert!(
            hover.as_ref().is_some_and(|h| h.contents.contains(chain)),
            "{arg}: {hover:?}"
        );
    }
}

#[test]
fn braces_glued_in_a_plain_flow_sequence_item_are_a_yaml_error_not_a_mapping() {
    // `[--frame={{` is not YAML (a `{` ends a plain scalar in a flow
    // collection, and the syntax error says to quote it); no mapping keys.
    let text = "specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
  - name: Message
    type: STRING
steps:
  - name: A
    script:
      actions:
        onRun:
          command: echo
          args: [--m={{Param.$0}}]
";
    let items = at(text).0;
    assert!(
        items.iter().all(|i| i.kind != ItemKind::Key),
        "{:?}",
        items.iter().map(|i| &i.label).collect::<Vec<_>>()
    );
}
