//! Writing the generated suite, and updating one a person has edited.
//!
//! What belongs to the generator, and is rewritten on every run:
//! - in `suite.toml`: `contract` and `[target] signing_name` (a missing
//!   `region` is set to `us-east-1`); everything else is left as it is;
//! - in `contract.toml`: `model`, and the statements whose id starts with
//!   the operation (`BatchUpdateUser/...` or `BatchUpdateUser::...`);
//! - in the case files of the operation's folder: the cases tagged
//!   `generated`. A case without that tag is the person's: it is kept,
//!   and a generated case of the same name is then not written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use toml_edit::DocumentMut;

use super::{Constraint, Dropped, GenerateError, Generated};
use crate::contract::Model;

/// The first line of every generated case file.
const MARK: &str = "# conform generate:";
/// The tag of generated cases.
const TAG: &str = "generated";

pub struct Plan<'a> {
    pub model_path: &'a Path,
    pub model: &'a Model,
    pub operation: &'a str,
    pub request: &'a Value,
    pub constraints: &'a [Constraint],
    pub errors: &'a [String],
    pub validation_fallback: bool,
    pub out: &'a Path,
    /// What the cap left out: one statement says so.
    pub dropped: &'a Dropped,
    pub max_cases: usize,
}

fn io(path: &Path, e: impl std::fmt::Display) -> GenerateError {
    GenerateError::Write { path: path.to_path_buf(), message: e.to_string() }
}

fn read_existing(path: &Path) -> Result<Option<String>, GenerateError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, e)),
        Ok(m) if !m.is_file() => Err(io(path, "not a regular file")),
        Ok(m) if m.len() > crate::case::MAX_FILE_BYTES => Err(io(path, "too large to update")),
        Ok(_) => std::fs::read_to_string(path).map(Some).map_err(|e| io(path, e)),
    }
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
fn write_file(path: &Path, text: &str, written: &mut Vec<PathBuf>) -> Result<(), GenerateError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))?;
    written.push(path.to_path_buf());
    Ok(())
}

fn parse(path: &Path, text: &str) -> Result<DocumentMut, GenerateError> {
    text.parse::<DocumentMut>()
        .map_err(|e| io(path, format!("not valid TOML, so it cannot be updated: {}", e.message())))
}

/// A TOML string literal.
fn string(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_owned()
}

fn key(k: &str) -> String {
    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        k.to_owned()
    } else {
        string(k)
    }
}

/// A JSON value as an inline TOML value. `null` has no TOML form; the
/// generator never makes one.
fn inline(v: &Value) -> String {
    match v {
        Value::Null => "\"\"".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            let t = n.to_string();
            if n.is_f64() && !t.contains(['.', 'e', 'E']) { format!("{t}.0") } else { t }
        }
        Value::String(s) => string(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            if items.len() > 1 && items.iter().any(|i| i.is_object() || i.is_array()) {
                format!("[\n  {},\n]", parts.join(",\n  "))
            } else {
                format!("[{}]", parts.join(", "))
            }
        }
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(m) => {
            format!(
                "{{ {} }}",
                m.iter().map(|(k, v)| format!("{} = {}", key(k), inline(v))).collect::<Vec<_>>().join(", ")
            )
        }
    }
}

fn statement_id(operation: &str, member_path: &str, kind: &str) -> String {
    if member_path.is_empty() { format!("{operation}::{kind}") } else { format!("{operation}/{member_path}::{kind}") }
}

fn file_stem(member_path: &str) -> String {
    if member_path.is_empty() { "request".into() } else { member_path.replace(['/', '\\'], "_") }
}

/// `{{name}}` references in the request, for the suite's comment.
fn template_names(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(open) = rest.find("{{") {
                let Some(close) = rest[open..].find("}}") else { break };
                let name = rest[open + 2..open + close].trim();
                if name != "uuid" && !name.starts_with("env.") {
                    out.insert(name.to_owned());
                }
                rest = &rest[open + close + 2..];
            }
        }
        Value::Array(a) => a.iter().for_each(|i| template_names(i, out)),
        Value::Object(m) => m.values().for_each(|i| template_names(i, out)),
        _ => {}
    }
}

pub fn write_suite(plan: &Plan) -> Result<Generated, GenerateError> {
    let mut g = Generated { errors: plan.errors.to_vec(), ..Generated::default() };
    std::fs::create_dir_all(plan.out).map_err(|e| io(plan.out, e))?;
    let model_name = plan
        .model_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io(plan.model_path, "the model path has no file name"))?;
    let model_dest = plan.out.join(&model_name);
    let same = std::fs::canonicalize(plan.model_path).ok() == std::fs::canonicalize(&model_dest).ok();
    let unchanged = || -> bool {
        let (Ok(a), Ok(b)) = (std::fs::metadata(plan.model_path), std::fs::metadata(&model_dest)) else { return false };
        a.len() == b.len() && std::fs::read(plan.model_path).ok() == std::fs::read(&model_dest).ok()
    };
    if !same && !unchanged() {
        std::fs::copy(plan.model_path, &model_dest).map_err(|e| io(&model_dest, e))?;
        g.written.push(model_dest);
    }
    suite(plan, &mut g)?;
    contract(plan, &model_name, &mut g)?;
    cases(plan, &model_name, &mut g)?;
    Ok(g)
}

fn suite(plan: &Plan, g: &mut Generated) -> Result<(), GenerateError> {
    let path = plan.out.join("suite.toml");
    let existing = read_existing(&path)?;
    let mut doc = match &existing {
        Some(text) => parse(&path, text)?,
        None => {
            let mut names = BTreeSet::new();
            template_names(plan.request, &mut names);
            let mut head = String::from(
                "# Written by `conform generate`, which on later runs sets only `contract` and\n\
                 # `[target] signing_name` here: add vars, setup and teardown freely.\n",
            );
            if !names.is_empty() {
                let list: Vec<String> = names.iter().map(|n| format!("{{{{{n}}}}}")).collect();
                head.push_str(&format!(
                    "# The request uses {}: define them in [vars], capture them in a\n\
                     # [[setup]] step, or pass --var NAME=VALUE.\n",
                    list.join(", ")
                ));
            }
            head.push_str("contract = \"contract.toml\"\n\n[target]\n");
            parse(&path, &head)?
        }
    };
    doc["contract"] = toml_edit::value("contract.toml");
    if !doc.contains_key("target") {
        doc["target"] = toml_edit::table();
    }
    if let Some(name) = &plan.model.metadata.signing_name {
        doc["target"]["signing_name"] = toml_edit::value(name.as_str());
    }
    if doc["target"].get("region").is_none() {
        doc["target"]["region"] = toml_edit::value("us-east-1");
    }
    let text = doc.to_string();
    if existing.as_deref() != Some(text.as_str()) {
        write_file(&path, &text, &mut g.written)?;
    }
    Ok(())
}

fn contract(plan: &Plan, model_name: &str, g: &mut Generated) -> Result<(), GenerateError> {
    let path = plan.out.join("contract.toml");
    let existing = read_existing(&path)?;
    let mut doc = match &existing {
        Some(text) => parse(&path, text)?,
        None => parse(
            &path,
            &format!(
                "# The documented constraints, one statement each, with its source in the model.\n\
                 # `conform generate` rewrites the statements of the operations it generates for;\n\
                 # others are kept.\n\
                 model = {}\n",
                string(model_name)
            ),
        )?,
    };
    doc["model"] = toml_edit::value(model_name);
    if plan.validation_fallback {
        if !doc.contains_key("common_errors") {
            doc["common_errors"] = toml_edit::value(toml_edit::Array::new());
        }
        if let Some(list) = doc["common_errors"].as_array_mut()
            && !list.iter().any(|v| v.as_str() == Some("ValidationException"))
        {
            list.push("ValidationException");
        }
    }
    let op = plan.operation;
    let ours = |id: &str| id.starts_with(&format!("{op}/")) || id.starts_with(&format!("{op}::"));
    if let Some(arr) = doc.get_mut("statement").and_then(|s| s.as_array_of_tables_mut()) {
        arr.retain(|t| !t.get("id").and_then(|i| i.as_str()).is_some_and(ours));
    }
    let mut tables = Vec::new();
    let output = plan.model.operations.get(op).and_then(|o| o.output.clone());
    let code = plan.model.operations.get(op).map_or(200, |o| o.response_code);
    tables.push((
        statement_id(op, "", "success"),
        format!(
            "A valid {op} request is answered {code}{}",
            output.as_ref().map(|o| format!(" with a {o}")).unwrap_or_default()
        ),
        format!(
            "model: {op}.http.responseCode = {code}{}",
            output.as_ref().map(|o| format!(", output {o}")).unwrap_or_default()
        ),
    ));
    let source = if plan.validation_fallback {
        format!("AWS common error ValidationException ({op} documents no error with status 400)")
    } else {
        format!("model: {op}.errors with error.httpStatusCode 400")
    };
    tables.push((
        statement_id(op, "", "invalid-rejected"),
        format!("{op} answers input that breaks a constraint with a 400 error of type {}", plan.errors.join(" or ")),
        source,
    ));
    for c in plan.constraints {
        tables.push((statement_id(op, &c.member_path, &c.kind), c.text.clone(), c.source.clone()));
        g.statements += 1;
        if c.variants.is_empty() {
            g.without_case += 1;
        }
    }
    if plan.dropped.any() {
        tables.push((
            statement_id(op, "", "capped"),
            format!(
                "{op}'s input documents more than this contract lists: past the cap of {} generated cases, in model order, {} more constraints have no statement and {} cases were not written: {}",
                plan.max_cases,
                plan.dropped.constraints,
                plan.dropped.count,
                plan.dropped.summary()
            ),
            format!("conform generate --max-cases {}", plan.max_cases),
        ));
    }
    if !doc.contains_key("statement") {
        doc["statement"] = toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new());
    }
    if let Some(arr) = doc["statement"].as_array_of_tables_mut() {
        for (id, text, source) in tables {
            let mut t = toml_edit::Table::new();
            t["id"] = toml_edit::value(id);
            t["text"] = toml_edit::value(text);
            t["source"] = toml_edit::value(source);
            arr.push(t);
        }
    }
    let text = doc.to_string();
    if existing.as_deref() != Some(text.as_str()) {
        write_file(&path, &text, &mut g.written)?;
    }
    Ok(())
}

struct CaseText {
    name: String,
    text: String,
}

fn case_text(plan: &Plan, c: &Constraint, v: &super::Variant) -> CaseText {
    let op = plan.operation;
    let mut covers = vec![statement_id(op, &c.member_path, &c.kind)];
    covers.push(statement_id(op, "", if v.valid { "success" } else { "invalid-rejected" }));
    let expect = if v.valid {
        format!("expect.status = {}", plan.model.operations.get(op).map_or(200, |o| o.response_code))
    } else {
        let mut statuses: Vec<u16> =
            plan.errors.iter().map(|e| plan.model.shapes.get(e).and_then(|s| s.error_status).unwrap_or(400)).collect();
        statuses.sort();
        statuses.dedup();
        format!(
            "expect = {{ status = {}, error = {} }}",
            inline(&Value::from(statuses)),
            inline(&Value::from(plan.errors.to_vec()))
        )
    };
    let mut text = format!(
        "[[case]]\nname = {}\ndescription = {}\ncovers = {}\ntags = [\"{TAG}\"]\n[[case.step]]\noperation = {}\n{expect}\n",
        string(&v.name),
        string(&v.description),
        inline(&Value::from(covers)),
        string(op),
    );
    match &v.input {
        Value::Object(m) if !m.is_empty() => {
            text.push_str("[case.step.input]\n");
            for (k, val) in m {
                text.push_str(&format!("{} = {}\n", key(k), inline(val)));
            }
        }
        other => text.push_str(&format!("input = {}\n", inline(other))),
    }
    CaseText { name: v.name.clone(), text }
}

fn is_generated(t: &toml_edit::Table) -> bool {
    t.get("tags").and_then(|v| v.as_array()).is_some_and(|a| a.iter().any(|x| x.as_str() == Some(TAG)))
}

fn cases(plan: &Plan, model_name: &str, g: &mut Generated) -> Result<(), GenerateError> {
    let dir = plan.out.join(plan.operation);
    // Member path -> cases, in model order; the valid request first.
    let mut files: BTreeMap<String, (String, Vec<CaseText>)> = BTreeMap::new();
    let as_given = super::Variant {
        name: "valid-as-given".into(),
        description: "the request as given, which is valid".into(),
        input: plan.request.clone(),
        valid: true,
    };
    let success = Constraint {
        member_path: String::new(),
        kind: "success".into(),
        text: String::new(),
        source: String::new(),
        variants: Vec::new(),
    };
    files
        .entry(file_stem(""))
        .or_insert_with(|| (String::new(), Vec::new()))
        .1
        .push(case_text(plan, &success, &as_given));
    for c in plan.constraints {
        let entry = files.entry(file_stem(&c.member_path)).or_insert_with(|| (c.member_path.clone(), Vec::new()));
        for v in &c.variants {
            entry.1.push(case_text(plan, c, v));
        }
    }
    // Generated files the model no longer gives: keep only what a person added.
    let mut stale = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let p = e.path();
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if p.extension().is_some_and(|x| x == "toml") && !files.contains_key(&stem) {
                stale.push(p);
            }
        }
    }
    stale.sort();
    for p in stale {
        update_file(&p, None, plan, model_name, &[], g)?;
    }
    for (stem, (member_path, generated)) in &files {
        let path = dir.join(format!("{stem}.toml"));
        update_file(&path, Some(member_path), plan, model_name, generated, g)?;
    }
    Ok(())
}

/// Rewrites one case file: the person's cases as they are, then the
/// generated ones. `member_path` is `None` for a file the model no longer
/// gives, which is removed when nothing of a person's is left in it.
fn update_file(
    path: &Path,
    member_path: Option<&str>,
    plan: &Plan,
    model_name: &str,
    generated: &[CaseText],
    g: &mut Generated,
) -> Result<(), GenerateError> {
    let existing = read_existing(path)?;
    let mut kept_text = String::new();
    let mut kept_names = BTreeSet::new();
    if let Some(text) = &existing {
        // Our header is rewritten below; drop it so it does not pile up.
        let body = if text.starts_with(MARK) {
            let mut rest = text.as_str();
            while rest.starts_with('#') {
                rest = rest.split_once('\n').map_or("", |(_, r)| r);
            }
            rest
        } else {
            text.as_str()
        };
        let mut doc = parse(path, body)?;
        if let Some(arr) = doc.get_mut("case").and_then(|c| c.as_array_of_tables_mut()) {
            arr.retain(|t| !is_generated(t));
            for t in arr.iter() {
                if let Some(n) = t.get("name").and_then(|n| n.as_str()) {
                    kept_names.insert(n.to_owned());
                }
            }
            g.kept += arr.len();
        }
        if !kept_names.is_empty() {
            kept_text = doc.to_string().trim().to_owned();
        }
    }
    let Some(member_path) = member_path else {
        if kept_names.is_empty() {
            std::fs::remove_file(path).map_err(|e| io(path, e))?;
            g.removed.push(path.to_path_buf());
        } else {
            write_file(path, &format!("{kept_text}\n"), &mut g.written)?;
        }
        return Ok(());
    };
    let what = if member_path.is_empty() { "the request as given".to_owned() } else { member_path.to_owned() };
    let mut text = format!(
        "{MARK} {} {what}, from {model_name}.\n\
         # Cases tagged \"{TAG}\" are rewritten on every run; remove the tag from one\n\
         # to keep your edits. Cases you add are kept.\n",
        plan.operation
    );
    if !kept_text.is_empty() {
        text.push('\n');
        text.push_str(&kept_text);
        text.push('\n');
    }
    for c in generated.iter().filter(|c| !kept_names.contains(&c.name)) {
        text.push('\n');
        text.push_str(&c.text);
        g.cases += 1;
    }
    if generated.is_empty() && kept_text.is_empty() {
        return Ok(());
    }
    if existing.as_deref() != Some(text.as_str()) {
        write_file(path, &text, &mut g.written)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_values_become_toml_that_parses_back() {
        let v = json!({"A b": "x\"y\n", "List": [{"k": 1}, {"k": 2.5}], "n": [1, 2], "e": {}, "f": 20.0, "t": true});
        let text = format!("v = {}\n", inline(&v));
        let parsed: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let back = serde_json::to_value(&parsed["v"]).expect("JSON");
        assert_eq!(back, v, "{text}");
    }
}
