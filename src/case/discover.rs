//! Finding case files and reading them: symbolic links followed (loops
//! refused), only regular files, bounded, UTF-8, not nested too deep.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::LoadError;
use crate::files::read_regular;

/// Case and suite files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// TOML nested deeper than this is refused (the parser recurses).
pub const MAX_DEPTH: usize = 128;
/// The name of a suite file.
pub const SUITE_FILE: &str = "suite.toml";

/// Collects the case files under `dir`. Symbolic links are followed: to a
/// folder, unless it leads back into a folder being walked (a loop, which
/// is an error); to a file, like any file.
pub(super) fn walk(dir: &Path, depth: usize, files: &mut BTreeSet<PathBuf>, errors: &mut Vec<LoadError>) {
    let mut ancestors = Vec::new();
    walk_in(dir, depth, &mut ancestors, files, errors);
}

pub(super) fn walk_in(
    dir: &Path,
    depth: usize,
    ancestors: &mut Vec<PathBuf>,
    files: &mut BTreeSet<PathBuf>,
    errors: &mut Vec<LoadError>,
) {
    if depth > 32 {
        errors.push(LoadError::file(dir, "folders nested too deep (more than 32 levels)"));
        return;
    }
    let real = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if ancestors.contains(&real) {
        errors.push(LoadError::file(
            dir,
            format!("symbolic link loop: this folder is {}, which contains it", real.display()),
        ));
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return errors.push(LoadError::file(dir, format!("cannot read folder: {e}"))),
    };
    ancestors.push(real);
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(mut ft) = entry.file_type() else { continue };
        if ft.is_symlink() {
            match fs::metadata(&path) {
                Ok(m) => ft = m.file_type(),
                Err(e) => {
                    errors.push(LoadError::file(&path, format!("cannot follow symbolic link: {e}")));
                    continue;
                }
            }
        }
        if ft.is_dir() {
            walk_in(&path, depth + 1, ancestors, files, errors);
        } else if path.extension().is_some_and(|e| e == "toml") && !is_reserved(&path) {
            files.insert(path);
        }
    }
    ancestors.pop();
}

/// `suite.toml` and `contract.toml` hold no cases.
pub(super) fn is_reserved(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == SUITE_FILE || n == "contract.toml")
}

/// Reads a file as UTF-8 text, refusing huge, non-UTF-8 and too deeply nested input.
pub fn read_source(path: &Path) -> Result<String, LoadError> {
    let bytes = read_regular(path, MAX_FILE_BYTES).map_err(|e| LoadError::file(path, e))?;
    decode(path, bytes)
}

/// UTF-8 and nesting checks shared by every way in.
pub(super) fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, LoadError> {
    let src = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let at = String::from_utf8_lossy(&e.as_bytes()[..good]).len();
            return Err(LoadError::at(path, &lossy, at..at, "invalid UTF-8: case files must be UTF-8 text"));
        }
    };
    if let Some(at) = too_deep(&src) {
        return Err(LoadError::at(path, &src, at..at, format!("nested deeper than {MAX_DEPTH} levels")));
    }
    Ok(src)
}

/// Finds where brackets outside strings and comments nest past
/// [`MAX_DEPTH`], before the recursive parser sees the text.
pub(super) fn too_deep(src: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' && q == b'"' {
                    i += 1;
                } else if b == q || b == b'\n' {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(i);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        i += 1;
    }
    None
}
