//! Choosing which cases run: `--filter`, `--tag`, `--shard K/N`.

use std::str::FromStr;

use crate::case::Case;

/// A deterministic slice of the cases: shard `index` (1-based) of `count`.
/// A case belongs to the shard `fnv1a(id) % count + 1`, so a case's shard
/// depends only on its id: adding cases never moves the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based shard number.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or_else(|| format!("expected K/N, got `{s}`"))?;
        let (k, n): (u64, u64) = (
            k.trim().parse().map_err(|_| format!("invalid shard number `{k}`"))?,
            n.trim().parse().map_err(|_| format!("invalid shard count `{n}`"))?,
        );
        if n == 0 || k == 0 || k > n {
            return Err(format!("shard must be K/N with 1 <= K <= N, got `{s}`"));
        }
        Ok(Shard { index: k, count: n })
    }
}

impl Shard {
    /// Whether the case with this id belongs to the shard.
    pub fn contains(&self, id: &str) -> bool {
        fnv1a(id.as_bytes()) % self.count + 1 == self.index
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Which cases to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Substrings of the id, or globs (`*`, `?`) matching the whole id; any may match.
    pub filters: Vec<String>,
    /// Tags; a case with any of them is selected.
    pub tags: Vec<String>,
    /// A shard.
    pub shard: Option<Shard>,
}

impl Selection {
    /// Whether a case is selected.
    pub fn selects(&self, case: &Case) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| id_matches(f, &case.id)))
            && (self.tags.is_empty() || self.tags.iter().any(|t| case.tags.contains(t)))
            && self.shard.is_none_or(|s| s.contains(&case.id))
    }

    /// Keeps the selected cases.
    pub fn apply(&self, cases: Vec<Case>) -> Vec<Case> {
        cases.into_iter().filter(|c| self.selects(c)).collect()
    }
}

/// A filter with `*` or `?` is a glob on the whole id; otherwise a substring.
pub fn id_matches(filter: &str, id: &str) -> bool {
    if filter.contains(['*', '?']) { glob(filter.as_bytes(), id.as_bytes()) } else { id.contains(filter) }
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_substrings_or_whole_id_globs() {
        let id = "chime/batch-update-user/validation::rejects-21-items";
        assert!(id_matches("validation", id));
        assert!(id_matches("chime/*::rejects-*", id));
        assert!(!id_matches("*::rejects", id));
        assert!(id_matches("*21?items", id));
    }

    #[test]
    fn shards_parse_and_partition_every_id_once() {
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        for i in 0..500 {
            let id = format!("suite/file::case-{i}");
            assert_eq!(shards.iter().filter(|s| s.contains(&id)).count(), 1, "{id}");
        }
    }
}
