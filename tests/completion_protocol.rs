//! Completion through the real server, in both position encodings: the
//! trigger characters it announces, ranges after non-ASCII text on the
//! cursor's line, the edit that adds a missing extension, and `isIncomplete`.

use serde_json::{Value, json};

mod support;
use support::Client;

const URI: &str = "file:///work/typing.yaml";

/// `é😀` is 2 bytes + 4 bytes in UTF-8, 1 + 2 code units in UTF-16.
const TEXT: &str = "specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
  - name: Frames
    type: INT
steps:
  - name: A
    script: {actions: {onRun: {command: \"é😀\", }}}
  - name: B
    
    script:
      actions:
        onRun:
          command: \"{{Param.}}\"
";

fn character(line: &str, encoding: &str) -> usize {
    match encoding {
        "utf-8" => line.len(),
        _ => line.encode_utf16().count(),
    }
}

fn complete(c: &mut Client, line: usize, character: usize) -> Value {
    let resp = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}),
    );
    resp["result"].clone()
}

fn item<'a>(list: &'a Value, label: &str) -> &'a Value {
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["label"] == label))
        .unwrap_or_else(|| panic!("{label} not in {list}"))
}

#[test]
fn completion_over_the_wire_in_both_encodings() {
    for encoding in ["utf-8", "utf-16"] {
        let mut c = Client::start();
        let init = c.initialize(&[encoding], json!({}));
        assert_eq!(init["result"]["capabilities"]["positionEncoding"], encoding);
        let triggers = &init["result"]["capabilities"]["completionProvider"]["triggerCharacters"];
        for t in ["{", ".", " ", ":", "-", "\""] {
            assert!(
                triggers
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == t)),
                "{t:?} not a trigger character: {triggers}"
            );
        }
        c.open(URI, TEXT, 1);

        // In a flow mapping, after non-ASCII text on the same line.
        let prefix = "    script: {actions: {onRun: {command: \"é😀\", ";
        let at = character(prefix, encoding);
        let list = complete(&mut c, 7, at);
        let args = item(&list, "args");
        assert_eq!(
            args["textEdit"]["range"]["start"]["character"], at,
            "{encoding}"
        );
        assert_eq!(
            args["textEdit"]["range"]["end"]["character"], at,
            "{encoding}"
        );
        assert!(
            !list["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|i| i["label"] == "command")),
            "command is present"
        );
        assert_eq!(list["isIncomplete"], false);

        // A blank line of the second step: its keys, and a gated one adds
        // its extension where `specificationVersion` ends.
        let list = complete(&mut c, 9, 4);
        let bash = item(&list, "bash");
        assert_eq!(bash["detail"], "requires FEATURE_BUNDLE_1");
        let extra = &bash["additionalTextEdits"][0];
        assert_eq!(extra["newText"], "\nextensions: [FEATURE_BUNDLE_1]");
        assert_eq!(extra["range"]["start"]["line"], 0);
        item(&list, "dependencies");
        assert!(
            !list["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|i| i["label"] == "name")),
            "name is present"
        );

        // After a namespace's dot: narrowed by what was typed.
        let prefix = "          command: \"{{Param.";
        let list = complete(&mut c, 13, character(prefix, encoding));
        assert_eq!(list["isIncomplete"], true);
        let frames = item(&list, "Param.Frames");
        assert_eq!(
            frames["textEdit"]["range"]["start"]["character"],
            character("          command: \"{{", encoding)
        );
        c.shutdown_and_exit();
    }
}
