//! What the engine needs to know of a rule set's domain, declared by the rule set in its
//! `profile` block (docs/LANGUAGE.md, "The profile") and validated by `check`: how a case's
//! evidence is dated and what the `claim+…` and `start+…` moments mean (as-of judgements and
//! timelines), which score is the probability and which the category of a judgement
//! (calibration, exports), what each category says of the claim, who made the claim and where
//! (exports), report titles, and the baseline rule sets calibration compares against.
//!
//! The engine holds no domain words: every path, score and label here comes from rules.

use std::path::PathBuf;

/// A rule set's profile. Every part is optional; a command that needs a missing part says so.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// True when the rule set has a `profile` block (which may be empty).
    pub(crate) declared: bool,
    /// The title of reports (`Claim assessment`).
    pub(crate) title: Option<String>,
    /// The record a judgement is about, whose arrival makes a case judgeable.
    pub(crate) subject: Option<Subject>,
    /// The first moment of a case: `start+6h` counts from it, a timeline begins there.
    pub(crate) start: Option<Start>,
    /// How evidence is dated, beside its own `known_at`.
    pub(crate) dating: Vec<DateRule>,
    /// The evidence score whose probability is the claim's credibility.
    pub(crate) probability: Option<Probability>,
    /// The score whose band is the judgement's category, and what each says of the claim.
    pub(crate) category: Option<Category>,
    /// Who makes the claim, for exports.
    pub(crate) actor: Option<Actor>,
    /// Where the claim was made (a case path), for exports.
    pub(crate) channel: Option<Vec<String>>,
    /// Rule sets calibration compares the rules with.
    pub(crate) baselines: Vec<Baseline>,
}

/// The record a judgement is about (`subject claim "claim of responsibility"`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subject {
    /// Its path in a case (`claim`).
    pub(crate) path: Vec<String>,
    /// What it is called in sentences (`claim of responsibility`).
    pub(crate) noun: String,
    /// The field that dates it (`claim.published_at`): `claim+24h` counts from it.
    pub(crate) time: Vec<String>,
}

/// Who makes the claim (`actor claim.claimant "terrorist"`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Actor {
    /// The path of its name in a case.
    pub(crate) path: Vec<String>,
    /// What kind of threat actor it is, in STIX's vocabulary (`threat-actor-type-ov`).
    pub(crate) kind: Option<String>,
}

/// The first moment of a case (`start incident.started_at "the attack began"`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Start {
    /// The path of its time.
    pub(crate) path: Vec<String>,
    /// What happened then, in words.
    pub(crate) label: String,
}

/// One way evidence is dated.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateRule {
    /// `date posts[] by at`: the object at `object` (`[]`: each item of a list) is dated by its
    /// own field `field`.
    ByField {
        /// The object's path, `[]` for the items of a list.
        object: Vec<Step>,
        /// Its field that holds the time.
        field: String,
    },
    /// `date incident.facts.* by incident.facts_public_at.*`: each field of `values` is dated
    /// by the same-named field of `times`.
    Parallel {
        /// The object whose fields are dated.
        values: Vec<String>,
        /// The object whose fields hold their times.
        times: Vec<String>,
    },
}

/// A step of a dated object's path.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// An object field.
    Key(String),
    /// Each item of a list.
    Items,
}

/// The probability of a judgement (`probability credibility source channel`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Probability {
    /// The evidence score, by index.
    pub(crate) score: usize,
    /// Its criterion that grades the source, by index (Admiralty source reliability).
    pub(crate) source: Option<usize>,
}

/// The category of a judgement: a score's band, and what each label says of the claim.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Category {
    /// The score, by index.
    pub(crate) score: usize,
    /// Every band label with its stance, in the order written.
    pub(crate) stances: Vec<(String, Stance)>,
}

impl Category {
    /// The labels, in the order written.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.stances.iter().map(|(label, _)| label.as_str())
    }

    /// What `label` says of the claim.
    pub fn stance(&self, label: &str) -> Option<Stance> {
        self.stances
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, stance)| *stance)
    }
}

/// What a category says of the claim.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stance {
    /// The claim is true, strongly (`agree strongly`).
    AgreeStrongly,
    /// The claim is true (`agree`).
    Agree,
    /// Neither (`neutral`): set apart from the credible-or-not question.
    Neutral,
    /// The claim is not borne out (`disagree`); only once settled.
    Disagree,
    /// The claim is false (`disagree strongly`).
    DisagreeStrongly,
}

impl Stance {
    /// The stances, as the profile writes them.
    pub const WRITTEN: [(&'static str, Stance); 5] = [
        ("agree strongly", Stance::AgreeStrongly),
        ("agree", Stance::Agree),
        ("neutral", Stance::Neutral),
        ("disagree", Stance::Disagree),
        ("disagree strongly", Stance::DisagreeStrongly),
    ];

    /// The credible-or-not question: agreeing is credible, disagreeing not, neutral apart.
    pub fn credible(self) -> Option<bool> {
        match self {
            Stance::AgreeStrongly | Stance::Agree => Some(true),
            Stance::Disagree | Stance::DisagreeStrongly => Some(false),
            Stance::Neutral => None,
        }
    }
}

/// A baseline rule set calibration compares the rules with (`baseline "official channel means
/// credible" "baselines/official-channel/baseline.cred" binary`): a rule file whose score named
/// like the profile's category gives a band among the category's labels.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// Its name in reports.
    pub name: String,
    /// Its rule file, resolved against the directory of the file that declares it.
    pub path: PathBuf,
    /// Compared on the credible-or-not question only (`binary`): its bands stand for credible
    /// and not, not for categories.
    pub binary_only: bool,
}

/// A part of a profile a command relies on.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Dating evidence: a subject dated by a rule (as-of judgements, timelines).
    Dating,
    /// The judgement's probability and category (exports).
    Judgement,
    /// The category, and dating for the early view (calibration).
    Calibration,
}

impl Profile {
    /// Whether the profile provides what `need` says a command relies on.
    pub(crate) fn provides(&self, need: &crate::NeedsProfile) -> Result<(), crate::NeedsProfile> {
        let dating = self.subject.is_some();
        let ok = match need.part {
            Part::Dating => dating,
            Part::Judgement => self.probability.is_some() && self.category.is_some(),
            Part::Calibration => dating && self.category.is_some(),
        };
        if ok { Ok(()) } else { Err(need.clone()) }
    }

    /// The title of reports, `Assessment` when the profile gives none.
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or("Assessment")
    }

    /// Before the subject is known, in words: `no claim of responsibility yet`.
    pub fn nothing_yet(&self) -> String {
        let noun = self.subject.as_ref().map_or("claim", |s| s.noun.as_str());
        format!("no {noun} yet")
    }

    /// The paths a case is dated from, in words: `` `incident.started_at`, or
    /// `claim.published_at` `` (the start, then the claim's time).
    pub(crate) fn time_paths(&self) -> String {
        let paths: Vec<String> = [
            self.start.as_ref().map(|s| &s.path),
            self.subject.as_ref().map(|s| &s.time),
        ]
        .into_iter()
        .flatten()
        .map(|path| format!("`{}`", path.join(".")))
        .collect();
        if paths.is_empty() {
            "the profile dates nothing".to_string()
        } else {
            paths.join(", or ")
        }
    }

    /// The rule sets calibration compares the rules with.
    pub fn baselines(&self) -> &[Baseline] {
        &self.baselines
    }

    /// The index of the score whose probability is the claim's, when the profile names one.
    pub(crate) fn probability_score(&self) -> Option<usize> {
        self.probability.as_ref().map(|p| p.score)
    }

    /// What the category labels say of the claim, when the profile names a category.
    pub fn category(&self) -> Option<&Category> {
        self.category.as_ref()
    }
}
