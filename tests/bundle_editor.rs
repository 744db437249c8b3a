//! Editor features in a job bundle's values file and inside queue
//! environments embedded in CloudFormation, through the real server, in
//! UTF-8 and UTF-16: every range is checked against the text it must
//! cover, with non-ASCII text before it on the same line.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

mod support;
use support::Client;
use support::scratch::Scratch;

const TEMPLATE: &str = "\
specificationVersion: jobtemplate-2023-09
name: Render
parameterDefinitions:
- name: Quality
  type: STRING
  description: Réglage de qualité
  allowedValues: [bas, très haut]
  default: bas
- name: Frames
  type: INT
  minValue: 1
steps:
- name: S
  script:
    actions:
      onRun:
        command: echo {{Param.Quality}} {{Param.Frames}}
";

/// `‸` marks the cursor.
const VALUES: &str = "\
parameterValues:
- {name: Frames, value: 3}   # é😀
- name: Quality
  value: \"très h‸\"
";

const FARM: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  ProdQueue:
    Type: AWS::Deadline::Queue
  CondaEnv:
    Type: AWS::Deadline::QueueEnvironment
    Properties:
      QueueId: !GetAtt ProdQueue.QueueId
      Priority: 10
      TemplateType: YAML
      Template: !Sub |
        specificationVersion: 'environment-2023-09'
        parameterDefinitions:
        - name: Pkgs
          type: STRING
          default: ''
        environment:
          name: Conda-${AWS::Region}
          script:
            actions:
              onEnter:
                command: echo ${!HOME} é😀 {{Param.P‸}}
";

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// `(text without the cursor, cursor byte offset)`.
fn cursor(marked: &str) -> (String, usize) {
    let at = marked.find('‸').expect("cursor");
    (marked.replacen('‸', "", 1), at)
}

/// The protocol position of a byte offset in `encoding`.
fn pos(text: &str, offset: usize, encoding: &str) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count();
    let head = &text[line_start..offset];
    let character = match encoding {
        "utf-8" => head.len(),
        _ => head.encode_utf16().count(),
    };
    json!({"line": line, "character": character})
}

fn range(text: &str, start: usize, end: usize, encoding: &str) -> Value {
    json!({"start": pos(text, start, encoding), "end": pos(text, end, encoding)})
}

fn start(dir: &Path, encoding: &str) -> Client {
    let mut c = Client::start();
    let root = uri(dir);
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": root,
               "workspaceFolders": [{"uri": root, "name": "ws"}],
               "capabilities": {"general": {"positionEncodings": [encoding]},
                                "window": {"workDoneProgress": true}}}),
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], encoding);
    c.notify("initialized", json!({}));
    let _ = c.wait_for(
        "$/progress",
        |p| p["value"]["kind"] == "end",
        Duration::from_secs(20),
    );
    c
}

fn at(u: &str, text: &str, offset: usize, encoding: &str) -> Value {
    json!({"textDocument": {"uri": u}, "position": pos(text, offset, encoding)})
}

#[test]
fn values_file_completion_hover_definition_references_rename() {
    let dir = Scratch::new("openjd-lsp-bundle-editor", "values");
    std::fs::create_dir_all(dir.join("b")).expect("mkdir");
    let template_path = dir.join("b/template.yaml");
    let values_path = dir.join("b/parameter_values.yaml");
    std::fs::write(&template_path, TEMPLATE).expect("write");
    let (values, offset) = cursor(VALUES);
    std::fs::write(&values_path, &values).expect("write");
    let (tu, vu) = (uri(&template_path), uri(&values_path));
    for encoding in ["utf-8", "utf-16"] {
        let mut c = start(dir.path(), encoding);
        c.open(&vu, &values, 1);

        // The allowed values of `Quality`, replacing what is typed.
        let r = c.request(
            "textDocument/completion",
            at(&vu, &values, offset, encoding),
        );
        let items = r["result"]["items"].as_array().cloned().unwrap_or_default();
        let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
        assert_eq!(labels, ["bas", "très haut"], "{encoding}");
        let typed = values.find("très h").expect("typed");
        assert_eq!(
            items[1]["textEdit"]["range"],
            range(&values, typed, offset, encoding),
            "{encoding}"
        );
        assert_eq!(items[1]["textEdit"]["newText"], "très haut");

        // A blank entry name: the parameters not given yet, then settings.
        let (blank, boff) =
            cursor("parameterValues:\n- {name: Frames, value: 3}  # é\n- name: ‸\n");
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": vu, "version": 2},
                   "contentChanges": [{"text": blank}]}),
        );
        let r = c.request("textDocument/completion", at(&vu, &blank, boff, encoding));
        let labels: Vec<String> = r["result"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i["label"].as_str().map(str::to_string))
            .collect();
        assert_eq!(labels[0], "Quality");
        assert!(!labels.contains(&"Frames".to_string()));
        assert!(labels.contains(&"deadline:priority".to_string()));
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": vu, "version": 3},
                   "contentChanges": [{"text": values}]}),
        );

        // Hover on a name: the definition, at the name's range.
        let name_at = values.find("name: Quality").expect("name") + 6;
        let r = c.request(
            "textDocument/hover",
            at(&vu, &values, name_at + 2, encoding),
        );
        let contents = r["result"]["contents"]["value"].as_str().unwrap_or("");
        assert!(
            contents.starts_with("**Quality**: STRING\n\nRéglage de qualité"),
            "{contents}"
        );
        assert!(contents.contains("Default: `bas`"), "{contents}");
        assert_eq!(
            r["result"]["range"],
            range(&values, name_at, name_at + 7, encoding)
        );

        // Definition: the template's parameter.
        let def = TEMPLATE.find("Quality").expect("def");
        let r = c.request(
            "textDocument/definition",
            at(&vu, &values, name_at + 1, encoding),
        );
        assert_eq!(r["result"]["uri"], tu);
        assert_eq!(
            r["result"]["range"],
            range(TEMPLATE, def, def + 7, encoding)
        );

        // References from the values file: here, the definition, the use.
        let mut p = at(&vu, &values, name_at + 1, encoding);
        p["context"] = json!({"includeDeclaration": true});
        let r = c.request("textDocument/references", p);
        let mut got: Vec<(String, u64)> = r["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|l| {
                (
                    l["uri"].as_str().unwrap_or("").to_string(),
                    l["range"]["start"]["line"].as_u64().unwrap_or(99),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [(vu.clone(), 2), (tu.clone(), 3), (tu.clone(), 16)],
            "{encoding}"
        );

        // Rename from the template: one edit, both files.
        c.open(&tu, TEMPLATE, 1);
        let mut p = at(&tu, TEMPLATE, def + 2, encoding);
        p["newName"] = json!("Look");
        let r = c.request("textDocument/rename", p);
        let changes = &r["result"]["changes"];
        assert_eq!(changes[&tu].as_array().map(Vec::len), Some(2), "{r}");
        assert_eq!(
            changes[&vu],
            json!([{"range": range(&values, name_at, name_at + 7, encoding), "newText": "Look"}])
        );
        // And from the values file, the same edits.
        let mut p = at(&vu, &values, name_at + 3, encoding);
        p["newName"] = json!("Look");
        let r2 = c.request("textDocument/rename", p);
        assert_eq!(r2["result"]["changes"], *changes, "{r2}");
        // The server wrote nothing.
        assert_eq!(
            std::fs::read_to_string(&template_path).ok().as_deref(),
            Some(TEMPLATE)
        );
        assert_eq!(c.shutdown_and_exit(), Some(0));
    }
}

#[test]
fn cloudformation_embedded_template_features() {
    let dir = Scratch::new("openjd-lsp-bundle-editor", "cfn");
    let farm_path = dir.join("farm.yaml");
    let (farm, offset) = cursor(FARM);
    std::fs::write(&farm_path, &farm).expect("write");
    let fu = uri(&farm_path);
    for encoding in ["utf-8", "utf-16"] {
        let mut c = start(dir.path(), encoding);
        c.open(&fu, &farm, 1);

        // Completion of a variable after `é😀` on the same line.
        let r = c.request("textDocument/completion", at(&fu, &farm, offset, encoding));
        let items = r["result"]["items"].as_array().cloned().unwrap_or_default();
        let item = items
            .iter()
            .find(|i| i["label"].as_str().is_some_and(|l| l.ends_with("Pkgs")))
            .unwrap_or_else(|| panic!("no Param.Pkgs in {r}"));
        let edit_range = &item["textEdit"]["range"];
        assert_eq!(
            edit_range["end"],
            pos(&farm, offset, encoding),
            "{encoding}"
        );
        // Nothing outside the embedded template.
        let outside = farm.find("Priority").expect("Priority") + 3;
        let r = c.request("textDocument/completion", at(&fu, &farm, outside, encoding));
        assert_eq!(r["result"]["items"], json!([]));

        // Hover on a key of the embedded template.
        let key = farm.find("onEnter").expect("onEnter");
        let r = c.request("textDocument/hover", at(&fu, &farm, key + 3, encoding));
        assert_eq!(r["result"]["range"], range(&farm, key, key + 7, encoding));
        let r = c.request(
            "textDocument/hover",
            at(
                &fu,
                &farm,
                farm.find("AWS::Region").expect("sub") + 2,
                encoding,
            ),
        );
        assert_eq!(r["result"], Value::Null);

        // Semantic tokens: the expression's tokens, in this encoding.
        let r = c.request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": fu}}),
        );
        let data: Vec<u64> = r["result"]["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        assert!(!data.is_empty());
        let open = farm.find("{{Param").expect("expr");
        assert_eq!(
            json!({"line": data[0], "character": data[1]}),
            pos(&farm, open, encoding),
            "{encoding}: {data:?}"
        );

        // Symbols: the resource, holding the template's outline.
        let r = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": fu}}),
        );
        let symbols = r["result"].as_array().cloned().unwrap_or_default();
        assert_eq!(symbols.len(), 1);
        assert_eq!(symbols[0]["name"], "CondaEnv");
        let id = farm.find("CondaEnv").expect("id");
        assert_eq!(
            symbols[0]["selectionRange"],
            range(&farm, id, id + 8, encoding)
        );
        assert!(
            symbols[0]["children"]
                .as_array()
                .is_some_and(|c| !c.is_empty())
        );
        assert_eq!(c.shutdown_and_exit(), Some(0));
    }
}
