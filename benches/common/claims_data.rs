//! The data and the baseline of the claims benchmarks, shared by `benches/claims.rs` and the
//! peer benchmark `benches/peers/benches/peers.rs` (included by path in both, so there is one
//! copy): the generator of the 4,000 claims of each workload, and the rule of
//! `benches/claims.cred` hand-written in Rust over serde structs, producing the same trace data.

use std::collections::HashSet;

use serde::Deserialize;

const CASES: usize = 4_000;

// ---- Data ---------------------------------------------------------------------------------

/// A small deterministic generator (PCG-style), so the data is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// An RFC 3339 time, with a non-UTC offset one time in five.
fn time(rng: &mut Rng, seconds: i64) -> String {
    let offsets = [3600 * 2, -3600 * 5, 3600 * 5 + 1800, -3600 * 3];
    let ts = jiff::Timestamp::from_second(seconds).expect("valid time");
    if rng.chance(20) {
        let offset = offsets[rng.below(offsets.len() as u64) as usize];
        let offset = jiff::tz::Offset::from_seconds(offset).expect("offset");
        ts.display_with_offset(offset).to_string()
    } else {
        ts.to_string()
    }
}

const NAMES: [(&str, [&str; 3]); 4] = [
    (
        "Mohammed al-Hashimi",
        [
            "Muhammad al-Hashimi",
            "mohammed AL-HASHIMI",
            "Mohamed al Hashimi",
        ],
    ),
    (
        "Abdelhamid Abaaoud",
        [
            "Abdel Hamid Abaaoud",
            "ABDELHAMID ABAAOUD",
            "Abdulhamid Abaaoud",
        ],
    ),
    (
        "Redouane Lakdim",
        ["Radouane Lakdim", "redouane lakdim", "Redwane Lakdim"],
    ),
    (
        "Yusuf Ibrahim",
        ["Youssef Ibrahim", "YUSUF IBRAHIM", "Yousef Ibrahim"],
    ),
];
const WEAPONS: [&str; 4] = ["knife", "rifle", "handgun", "explosive belt"];
const TARGETS: [&str; 4] = ["police", "supermarket", "concert hall", "church"];
const CHANNELS: [&str; 4] = [
    "official_agency",
    "supporter",
    "unknown",
    "official_statement",
];

/// One claim with `posts` posts.
fn case_json(rng: &mut Rng, id: usize, posts: usize) -> String {
    let start = 1_500_000_000 + rng.below(200_000_000) as i64;
    let published = start + rng.below(48 * 3600) as i64;
    let (name, variants) = NAMES[rng.below(NAMES.len() as u64) as usize];
    let weapon = WEAPONS[rng.below(4) as usize];
    let target = TARGETS[rng.below(4) as usize];
    let killed = 1 + rng.below(60);
    let attackers = 1 + rng.below(4);
    let mut details = Vec::new();
    // Each claimed detail: right, a variant or off, wrong, or missing.
    match rng.below(10) {
        0..=3 => details.push(format!(r#""attacker_name":"{name}""#)),
        4..=6 => details.push(format!(
            r#""attacker_name":"{}""#,
            variants[rng.below(3) as usize]
        )),
        7 => details.push(r#""attacker_name":"Abu Bakr al-Faransi""#.to_string()),
        _ => {}
    }
    match rng.below(10) {
        0..=5 => details.push(format!(r#""weapon":"{}""#, weapon.to_uppercase())),
        6..=7 => details.push(format!(r#""weapon":"{}""#, WEAPONS[rng.below(4) as usize])),
        _ => {}
    }
    match rng.below(10) {
        0..=5 => details.push(format!(r#""target":"{target}""#)),
        6 => details.push(r#""target":"embassy""#.to_string()),
        _ => {}
    }
    match rng.below(10) {
        0..=4 => details.push(format!(
            r#""killed":{}"#,
            killed + rng.below(1 + killed / 5)
        )),
        5..=6 => details.push(format!(r#""killed":{}"#, killed * 3 + 10)),
        _ => {}
    }
    match rng.below(10) {
        0..=5 => details.push(format!(r#""attackers":{attackers}"#)),
        6 => details.push(format!(r#""attackers":{}"#, attackers + 1)),
        _ => {}
    }
    let channel = if rng.chance(10) {
        String::new()
    } else {
        format!(r#""channel_class":"{}","#, CHANNELS[rng.below(4) as usize])
    };
    let accounts = 1 + rng.below(1 + posts as u64);
    let posts: Vec<String> = (0..posts)
        .map(|_| {
            let at = published - 2 * 3600 + rng.below(30 * 3600) as i64;
            let account = if rng.chance(3) {
                String::new()
            } else {
                format!(r#""account":"acct{}","#, rng.below(accounts))
            };
            format!(
                r#"{{{account}"at":"{}","lang":"fr","country":"FR"}}"#,
                time(rng, at)
            )
        })
        .collect();
    format!(
        r#"{{"id":"bench-{id}","description":"generated","incident":{{"started_at":"{}","location":{{"city":"X","country":"FR"}},"facts":{{"attacker_name":"{name}","weapon":"{weapon}","target":"{target}","killed":{killed},"attackers":{attackers}}}}},"claim":{{{channel}"published_at":"{}","channel":"amaq","details":{{{}}}}},"posts":[{}]}}"#,
        time(rng, start),
        time(rng, published),
        details.join(","),
        posts.join(",")
    )
}

/// A workload: 4,000 claims whose post counts lie in `posts`.
pub(crate) fn workload(seed: u64, posts: std::ops::RangeInclusive<usize>) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..CASES)
        .map(|id| {
            let n = *posts.start() + rng.below((posts.end() - posts.start() + 1) as u64) as usize;
            case_json(&mut rng, id, n)
        })
        .collect()
}

// ---- The baseline: the same rule, hand-written ---------------------------------------------

#[derive(Deserialize)]
pub(crate) struct Case {
    incident: Incident,
    claim: Claim,
    #[serde(default)]
    posts: Vec<Post>,
}

#[derive(Deserialize)]
struct Incident {
    started_at: Option<jiff::Timestamp>,
    #[serde(default)]
    facts: Details,
}

#[derive(Deserialize)]
struct Claim {
    channel_class: Option<String>,
    published_at: Option<jiff::Timestamp>,
    #[serde(default)]
    details: Details,
}

#[derive(Deserialize, Default)]
struct Details {
    attacker_name: Option<String>,
    weapon: Option<String>,
    target: Option<String>,
    killed: Option<f64>,
    attackers: Option<f64>,
}

#[derive(Deserialize)]
struct Post {
    at: Option<jiff::Timestamp>,
    account: Option<String>,
}

/// How the window treated one post (the same information as the engine's trace).
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Mark {
    Excluded,
    Counted,
    Unknown,
    Duplicate,
}

/// One detail field: matched (`None` when a side is missing) and how similar.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) struct Field {
    pub(crate) matched: Option<bool>,
    pub(crate) similarity: Option<f64>,
}

/// The baseline's trace: what each criterion read and gave, the window's marks, the fields.
pub(crate) struct Baseline<'c> {
    /// timing, replication, channel, details; `None` when skipped as unknown.
    pub(crate) contributions: [Option<f64>; 4],
    pub(crate) total: f64,
    /// The range the total could take over the unknown criteria's outcomes.
    pub(crate) possible: (f64, f64),
    pub(crate) band: &'static str,
    pub(crate) verdict: &'static str,
    pub(crate) delay: Option<jiff::SignedDuration>,
    pub(crate) accounts: usize,
    pub(crate) matched: usize,
    pub(crate) channel: Option<&'c str>,
    pub(crate) marks: Vec<Mark>,
    pub(crate) fields: [Field; 5],
}

impl Baseline<'_> {
    /// Checks that the baseline's trace data agree with one another (each user of this file
    /// compares some of them with another engine's, and this reads the rest): a criterion is
    /// skipped exactly when what it reads is missing, the accounts are the posts counted, the
    /// matched details the fields that match, and the total lies in its possible range.
    pub(crate) fn assert_consistent(&self, id: usize) {
        assert_eq!(
            self.delay.is_some(),
            self.contributions[0].is_some(),
            "case {id}: timing"
        );
        assert_eq!(
            self.channel.is_some(),
            self.contributions[2].is_some(),
            "case {id}: channel"
        );
        let counted = self.marks.iter().filter(|m| **m == Mark::Counted).count();
        assert_eq!(self.accounts, counted, "case {id}: accounts");
        let matched = self
            .fields
            .iter()
            .filter(|f| f.matched == Some(true))
            .count();
        assert_eq!(self.matched, matched, "case {id}: matched");
        for field in &self.fields {
            assert_eq!(
                field.matched.is_some(),
                field.similarity.is_some(),
                "case {id}"
            );
        }
        assert!(
            self.possible.0 <= self.total && self.total <= self.possible.1,
            "case {id}: total {} outside {:?}",
            self.total,
            self.possible
        );
    }
}

fn nocase(a: &Option<String>, b: &Option<String>) -> Field {
    match (a, b) {
        (Some(a), Some(b)) => {
            let same = a
                .chars()
                .flat_map(char::to_lowercase)
                .eq(b.chars().flat_map(char::to_lowercase));
            Field {
                matched: Some(same),
                similarity: Some(if same { 1.0 } else { 0.0 }),
            }
        }
        _ => Field {
            matched: None,
            similarity: None,
        },
    }
}

fn fuzzy(a: &Option<String>, b: &Option<String>, threshold: f64) -> Field {
    match (a, b) {
        (Some(a), Some(b)) => {
            let s = strsim::normalized_levenshtein(&a.to_lowercase(), &b.to_lowercase());
            Field {
                matched: Some(s >= threshold),
                similarity: Some(s),
            }
        }
        _ => Field {
            matched: None,
            similarity: None,
        },
    }
}

fn within(a: Option<f64>, b: Option<f64>, tolerance: impl Fn(f64) -> f64) -> Field {
    match (a, b) {
        (Some(a), Some(b)) => {
            let difference = (a - b).abs();
            Field {
                matched: Some(difference <= tolerance(b) + f64::EPSILON),
                similarity: Some(1.0 - (difference / b.abs().max(1.0)).min(1.0)),
            }
        }
        _ => Field {
            matched: None,
            similarity: None,
        },
    }
}

pub(crate) fn hand_written(case: &Case) -> Baseline<'_> {
    // timing
    let delay = match (case.claim.published_at, case.incident.started_at) {
        (Some(p), Some(s)) => Some(p.duration_since(s)),
        _ => None,
    };
    let timing = delay.map(|d| {
        if d <= jiff::SignedDuration::from_hours(6) {
            30.0
        } else if d <= jiff::SignedDuration::from_hours(24) {
            15.0
        } else {
            0.0
        }
    });
    // replication: distinct accounts in [published, published + 24 h]
    let mut marks = Vec::with_capacity(case.posts.len());
    let mut seen = HashSet::with_capacity(case.posts.len());
    for post in &case.posts {
        let inside = match (post.at, case.claim.published_at) {
            (Some(at), Some(start)) => {
                Some(at >= start && at <= start + jiff::SignedDuration::from_hours(24))
            }
            _ => None,
        };
        marks.push(match (inside, post.account.as_deref()) {
            (Some(false), _) => Mark::Excluded,
            (None, _) | (Some(true), None) => Mark::Unknown,
            (Some(true), Some(account)) => {
                if seen.insert(account) {
                    Mark::Counted
                } else {
                    Mark::Duplicate
                }
            }
        });
    }
    let accounts = seen.len();
    let replication = if accounts >= 1 {
        let t = ((accounts as f64 - 10.0) / 90.0).clamp(0.0, 1.0);
        5.0 + t * 20.0
    } else {
        0.0
    };
    // channel
    let channel = case.claim.channel_class.as_deref();
    let channel_points = channel.map(|c| match c {
        "official_agency" => 15.0,
        "supporter" => 5.0,
        _ => 0.0,
    });
    // details
    let (claimed, confirmed) = (&case.claim.details, &case.incident.facts);
    let fields = [
        fuzzy(&claimed.attacker_name, &confirmed.attacker_name, 0.9),
        nocase(&claimed.weapon, &confirmed.weapon),
        nocase(&claimed.target, &confirmed.target),
        within(claimed.killed, confirmed.killed, |f| f.abs() * 0.2),
        within(claimed.attackers, confirmed.attackers, |_| 0.0),
    ];
    let known = fields.iter().filter(|f| f.matched.is_some()).count();
    let matched = fields.iter().filter(|f| f.matched == Some(true)).count();
    let details = (known > 0).then(|| {
        if matched >= 1 {
            6.0 * matched.min(5) as f64
        } else {
            0.0
        }
    });
    let contributions = [timing, Some(replication), channel_points, details];
    let total: f64 = contributions.iter().flatten().sum();
    // The possible range: each skipped criterion could give any of its rows' amounts.
    let ranges = [(0.0, 30.0), (0.0, 25.0), (0.0, 15.0), (0.0, 30.0)];
    let possible =
        contributions
            .iter()
            .zip(ranges)
            .fold((0.0, 0.0), |(lo, hi), (c, (min, max))| match c {
                Some(c) => (lo + c, hi + c),
                None => (lo + min, hi + max),
            });
    let band = if total >= 70.0 {
        "credible"
    } else if total >= 40.0 {
        "plausible"
    } else {
        "doubtful"
    };
    let verdict = match band {
        "credible" => "credible claim",
        "plausible" => "plausible claim",
        _ => "doubtful claim",
    };
    Baseline {
        contributions,
        total,
        possible,
        band,
        verdict,
        delay,
        accounts,
        matched,
        channel,
        marks,
        fields,
    }
}

/// The baseline's parse: serde's derived deserializer (not inlined, so that profiles can count it).
#[inline(never)]
pub(crate) fn parse_baseline(json: &[u8]) -> Case {
    serde_json::from_slice(json).expect("baseline parses")
}
