//! Reading the files a suite names (cases, suites, contracts, models, bodies): only regular files, bounded while
//! reading. A FIFO, a device or a socket is refused before it is opened (a
//! FIFO would block, `/dev/zero` would never end), symbolic links are
//! resolved first, and the size limit is enforced on the bytes read, not on
//! what the metadata claims.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

/// What a path is, when it is not a regular file.
fn kind(t: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a folder" } else { "a special file" }
}

/// Reads a regular file of at most `limit` bytes. The error says why, in
/// words fit to follow the path.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{} is not read: only regular files are", kind(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(format!("file is too large ({} bytes; the limit is {limit})", meta.len()));
    }
    let file = File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    // The path may have changed between the two looks: check the open file.
    match file.metadata() {
        Ok(m) if m.is_file() => {}
        Ok(m) => return Err(format!("{} is not read: only regular files are", kind(m.file_type()))),
        Err(e) => return Err(format!("cannot read: {e}")),
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("file is too large (over the limit of {limit} bytes)"));
    }
    Ok(bytes)
}

/// The peak resident memory of this process so far, in KiB (Linux), for
/// the tests that bound a load's memory.
#[cfg(test)]
pub(crate) fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn devices_folders_and_large_files_are_refused() {
        assert!(read_regular(Path::new("/dev/zero"), 10).unwrap_err().contains("a device is not read"));
        assert!(read_regular(Path::new("/"), 10).unwrap_err().contains("a folder is not read"));
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        fs::write(&f, b"0123456789").unwrap();
        assert_eq!(read_regular(&f, 10).unwrap().len(), 10);
        assert!(read_regular(&f, 9).unwrap_err().contains("too large"));
    }
}
