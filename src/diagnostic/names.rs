//! "Did you mean": the defined name closest to a misspelling.

/// The defined names of a rule set, indexed so that names close to a misspelling are found in
/// time proportional to its length, however many names there are: each name is filed under
/// itself and every one-character deletion of it, so two names one insertion, deletion,
/// substitution or adjacent transposition apart share a key. Keys are hashes, computed without
/// building the deleted strings; a hash collision only adds a candidate, which the similarity
/// test then rejects.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    names: Vec<String>,
    /// (key hash, name id), sorted.
    keys: Vec<(u64, u32)>,
}

/// Names longer than this are filed under themselves only (their deletions would cost
/// quadratic space, and a long name is rarely mistyped by one character).
const INDEXED_DELETIONS: usize = 40;

impl NameIndex {
    /// Indexes `names`.
    pub(crate) fn new<'n>(names: impl IntoIterator<Item = &'n str>) -> NameIndex {
        let mut index = NameIndex::default();
        for name in names {
            let id = index.names.len() as u32;
            index.names.push(name.to_string());
            index.keys.extend(keys(name).map(|key| (key, id)));
        }
        index.keys.sort_unstable();
        index.keys.dedup();
        index
    }

    /// The indexed name closest to `query` with a Jaro–Winkler similarity of at least
    /// `threshold`, if any (ties go to the alphabetically first).
    pub(crate) fn closest(&self, query: &str, threshold: f64) -> Option<&str> {
        let mut best: Option<(f64, &str)> = None;
        for key in keys(query) {
            let from = self.keys.partition_point(|&(k, _)| k < key);
            for &(_, id) in self.keys[from..].iter().take_while(|&&(k, _)| k == key) {
                let name = self.names[id as usize].as_str();
                if name == query {
                    continue;
                }
                let score = strsim::jaro_winkler(query, name);
                let better = best.is_none_or(|(s, n)| score > s || (score == s && name < n));
                if score >= threshold && better {
                    best = Some((score, name));
                }
            }
        }
        best.map(|(_, name)| name)
    }
}

/// The hash of a name and, when short enough, of each of its one-character deletions.
fn keys(name: &str) -> impl Iterator<Item = u64> + '_ {
    let deletions = (name.chars().count() <= INDEXED_DELETIONS)
        .then(|| {
            name.char_indices().map(move |(at, c)| {
                fnv1a(fnv1a(FNV_OFFSET, &name[..at]), &name[at + c.len_utf8()..])
            })
        })
        .into_iter()
        .flatten();
    std::iter::once(fnv1a(FNV_OFFSET, name)).chain(deletions)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, continued from `hash` over `text`: hashing two pieces in turn equals hashing them
/// joined, which is what lets a deletion be hashed without building it.
fn fnv1a(hash: u64, text: &str) -> u64 {
    text.bytes().fold(hash, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// "did you mean `x`?" for a misspelled name, from the candidates that are close enough.
pub(crate) fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate a misspelt `name` most likely meant, if one is close enough.
pub(crate) fn closest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, c)| *score >= 0.8 && *c != name)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::NameIndex;

    #[test]
    fn the_name_index_finds_one_edit_misspellings() {
        let index = NameIndex::new(["claim_delay", "replicating_accounts", "details", "echoes"]);
        assert_eq!(
            index.closest("claim_dealy", 0.9),
            Some("claim_delay"),
            "transposition"
        );
        assert_eq!(index.closest("detals", 0.8), Some("details"), "deletion");
        assert_eq!(index.closest("echoess", 0.8), Some("echoes"), "insertion");
        assert_eq!(index.closest("ecxoes", 0.8), Some("echoes"), "substitution");
        assert_eq!(index.closest("claim", 0.9), None);
        assert_eq!(
            index.closest("details", 0.8),
            None,
            "a name is not its own misspelling"
        );
    }

    #[test]
    fn a_deletion_hashes_as_the_shorter_name_does() {
        let index = NameIndex::new(["édition", "claims"]);
        assert_eq!(index.closest("édtion", 0.8), Some("édition"), "non-ASCII");
        assert_eq!(index.closest("claim", 0.8), Some("claims"));
        assert_eq!(super::keys("ab").count(), 3, "the name and two deletions");
    }
}
