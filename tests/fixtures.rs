//! One trial per fixture under `tests/fixtures/invalid/`: loading it must
//! fail with exactly the text in its `.expected` file. Set `CONFORM_BLESS=1`
//! to write the expected files; otherwise a difference leaves `NAME.new`
//! beside the fixture.

use std::fs;
use std::path::{Path, PathBuf};

use conform::case::{LoadOptions, load_cases};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new("tests/fixtures/invalid");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut entries: Vec<PathBuf> = fs::read_dir(manifest.join(dir))
        .expect("tests/fixtures/invalid exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "toml"))
        .map(|p| dir.join(p.file_name().expect("a file name")))
        .collect();
    entries.sort();
    let trials = entries
        .into_iter()
        .map(|path| {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Trial::test(format!("invalid/{name}"), move || check_invalid(&path)).with_kind("load")
        })
        .collect();
    // Paths in messages are relative to the crate root, as `cargo test` runs there.
    std::env::set_current_dir(manifest).expect("the crate root");
    libtest_mimic::run(&args, trials).exit();
}

fn check_invalid(path: &Path) -> Result<(), Failed> {
    let errors = match load_cases(&[path.to_path_buf()], &LoadOptions::default()) {
        Ok(cases) => return Err(format!("{} loaded {} cases; it must fail", path.display(), cases.len()).into()),
        Err(errors) => errors,
    };
    let text: String = errors.iter().map(|e| format!("{e}\n")).collect::<Vec<_>>().join("\n");
    let expected_path = path.with_extension("expected");
    if std::env::var_os("CONFORM_BLESS").is_some() {
        fs::write(&expected_path, &text)?;
        return Ok(());
    }
    let expected = fs::read_to_string(&expected_path)
        .map_err(|e| format!("{}: {e} (run with CONFORM_BLESS=1 to create it)", expected_path.display()))?;
    if expected == text {
        let _ = fs::remove_file(path.with_extension("new"));
        return Ok(());
    }
    fs::write(path.with_extension("new"), &text)?;
    let diff = similar::TextDiff::from_lines(&expected, &text).unified_diff().header("expected", "actual").to_string();
    Err(format!("the errors differ from {}:\n{diff}", expected_path.display()).into())
}
