//! "Did you mean": the defined name closest to a misspelling.

/// The defined names of a rule set, indexed so that names close to a misspelling are found in
/// time proportional to its length, however many names there are: each name is filed under
/// itself and every one-character deletion of it, so two names one insertion, deletion,
/// substitution or adjacent transposition apart share a key.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    names: Vec<String>,
    keys: std::collections::HashMap<String, Vec<u32>>,
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
            for key in keys(name) {
                index.keys.entry(key).or_default().push(id);
            }
        }
        index
    }

    /// The indexed name closest to `query` with a Jaro–Winkler similarity of at least
    /// `threshold`, if any (ties go to the alphabetically first).
    pub(crate) fn closest(&self, query: &str, threshold: f64) -> Option<&str> {
        let mut candidates: Vec<u32> = keys(query)
            .filter_map(|k| self.keys.get(&k))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|id| self.names[id as usize].as_str())
            .filter(|name| *name != query)
            .map(|name| (strsim::jaro_winkler(query, name), name))
            .filter(|(score, _)| *score >= threshold)
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, name)| name)
    }
}

/// A name and, when short enough, each of its one-character deletions.
fn keys(name: &str) -> impl Iterator<Item = String> + '_ {
    let deletions = (name.chars().count() <= INDEXED_DELETIONS)
        .then(|| {
            name.char_indices().map(move |(at, c)| {
                let mut key = String::with_capacity(name.len());
                key.push_str(&name[..at]);
                key.push_str(&name[at + c.len_utf8()..]);
                key
            })
        })
        .into_iter()
        .flatten();
    std::iter::once(name.to_string()).chain(deletions)
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
}
