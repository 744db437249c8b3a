use std::time::Instant;
fn main() {
    let mut text = String::from("specificationVersion: jobtemplate-2023-09\nname: Big\nsteps:\n");
    let mut i = 0;
    while text.len() < 20 << 20 {
        text.push_str(&format!(
            "  - name: Step{i}\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: [\"{{{{Task.File.Run}}}}\", \"{}\"]\n      embeddedFiles:\n        - name: Run\n          type: TEXT\n          data: |\n            echo step {i} {{{{Session.WorkingDirectory}}}}\n",
            "x".repeat(200)
        ));
        i += 1;
    }
    raw(&text);
    let t = Instant::now();
    let p = openjd_lsp::syntax::parse(&text);
    println!("parse {:?}", t.elapsed());
    let root = p.root.unwrap();
    let t = Instant::now();
    let mut w = openjd_lsp::analysis::structure::Walk::new(&text, Default::default(), true);
    w.object(
        &root,
        &openjd_lsp::schema::JOB_TEMPLATE,
        None,
        &mut Default::default(),
        None,
    );
    println!("walk {:?} sites {}", t.elapsed(), w.fmt_sites.len());
    let t = Instant::now();
    let m = openjd_lsp::model::build(&text, &root, openjd_lsp::model::TemplateKind::Job);
    println!("model {:?}", t.elapsed());
    let t = Instant::now();
    let mut pass = openjd_lsp::analysis::expressions::ExprPass::new(&text, &m, Default::default());
    pass.format_strings(&w.fmt_sites);
    println!("expr {:?}", t.elapsed());
    let t = Instant::now();
    let a =
        openjd_lsp::analysis::analyze(&text, &openjd_lsp::analysis::Options { reference: false });
    println!("total {:?} {}", t.elapsed(), a.diagnostics.len());
}
#[allow(dead_code)]
fn raw(text: &str) {
    let t = Instant::now();
    let mut p = saphyr_parser::Parser::new_from_str(text);
    let mut n = 0;
    while let Some(Ok(_)) = p.next_event() {
        n += 1;
    }
    println!("raw saphyr {:?} events {n}", t.elapsed());
}
