//! The judgement over time: a case judged at the attack start and at each moment evidence the
//! rules read arrived (the claim, statements, facts made public, findings), so an analyst sees
//! the judgement at claim time, a day later and after the investigation, and what changed it.
//!
//! The work is bounded: the case is parsed and its evidence dated once; evidence the rules do
//! not read never causes a judgement (it cannot change one); and the moments judged are at most
//! [`MOST_MOMENTS`], and fewer for a case with much dated evidence, so that moments times
//! evidence stays under [`EVIDENCE_BUDGET`]: runs of moments at which only list items arrived
//! (posts, say) are taken together.

use serde_json::{Value as Json, json};

use crate::as_of::{Dated, Step, When, dated, moments_of};
use crate::profile::Profile;
use crate::program::Program;
use crate::trace::{Trace, format, json as trace_json};
use crate::{Judged, ScoreError, case_hash, judge_as_of};

/// The most moments a timeline judges.
pub const MOST_MOMENTS: usize = 200;

/// The fewest moments a timeline may merge down to, however much evidence the case dates.
const FEWEST_MOMENTS: usize = 20;

/// Moments judged times pieces of dated evidence: above it, moments are merged.
const EVIDENCE_BUDGET: usize = 4_000_000;

/// A case's judgement over time: one stretch per judgement.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Stretches of time with one judgement each, in order.
    pub stretches: Vec<Stretch>,
    /// How many moments were judged (the rest only brought evidence the rules do not read,
    /// or were taken together with others).
    pub judged: usize,
    /// The case's start (the profile's `start`), when it has one: the moment the timeline
    /// names with the profile's words ("the attack began").
    pub start: Option<i64>,
}

/// A stretch of time with one judgement: from the moment it was first reached to the last
/// moment before it changed.
#[derive(Debug, Clone)]
pub struct Stretch {
    /// When the judgement was reached.
    pub at: i64,
    /// What arrived at each moment of the stretch, the first being what brought the judgement.
    pub arrived: Vec<(i64, Vec<Dated>)>,
    /// The judgement.
    pub judgement: Judgement,
    /// The scores' values at the last moment of the stretch (they may drift within a band).
    pub last_values: Vec<String>,
}

/// What the rules made of the case at a moment.
#[derive(Debug, Clone, PartialEq)]
pub enum Judgement {
    /// The claim was not yet published: nothing to judge.
    NoClaimYet,
    /// The scores and the verdict.
    Scored {
        /// Each score.
        scores: Vec<ScoreAt>,
        /// The verdict's label.
        verdict: Option<String>,
    },
}

/// One score at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreAt {
    /// The score's name.
    pub name: String,
    /// Its value in the reader's unit (`87.8%`, `25`).
    pub value: String,
    /// Its band.
    pub band: Option<String>,
    /// Whether its band is settled.
    pub settled: bool,
}

impl Judgement {
    /// The same verdict, bands and settled-or-open, whatever the values.
    pub fn same_as(&self, other: &Judgement) -> bool {
        match (self, other) {
            (Judgement::NoClaimYet, Judgement::NoClaimYet) => true,
            (
                Judgement::Scored { scores, verdict },
                Judgement::Scored {
                    scores: others,
                    verdict: other_verdict,
                },
            ) => {
                verdict == other_verdict
                    && scores.len() == others.len()
                    && scores.iter().zip(others).all(|(a, b)| {
                        a.name == b.name && a.band == b.band && a.settled == b.settled
                    })
            }
            _ => false,
        }
    }

    fn values(&self) -> Vec<String> {
        match self {
            Judgement::NoClaimYet => Vec::new(),
            Judgement::Scored { scores, .. } => scores.iter().map(|s| s.value.clone()).collect(),
        }
    }

    fn of(trace: &Trace<'_>) -> Judgement {
        Judgement::Scored {
            scores: trace
                .scores()
                .map(|s| ScoreAt {
                    name: s.name().to_string(),
                    value: format::score_number_of(s.mode(), s.value()),
                    band: s.band().map(|b| b.label().to_string()),
                    settled: s.settled(),
                })
                .collect(),
            verdict: trace.verdict().map(|v| v.label().to_string()),
        }
    }
}

/// Judges `bytes`, a case, at the attack start and at each moment evidence the rules read
/// arrived; consecutive moments with the same judgement make one stretch.
pub fn timeline(program: &Program, bytes: &[u8]) -> Result<Timeline, ScoreError> {
    timeline_within(program, bytes, EVIDENCE_BUDGET)
}

/// [`timeline`], with moments judged times pieces of dated evidence kept under `budget`.
fn timeline_within(program: &Program, bytes: &[u8], budget: usize) -> Result<Timeline, ScoreError> {
    let case: Json = serde_json::from_slice(bytes).map_err(|e| {
        ScoreError::Case(crate::CaseError {
            path: None,
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })
    })?;
    let profile = &program.profile;
    profile
        .provides(&crate::TIMELINE_NEEDS)
        .map_err(ScoreError::Profile)?;
    let evidence = dated(&case, profile).map_err(ScoreError::Dates)?;
    let mut steps = moments_of(&evidence);
    let start = When::AfterStart(0).resolve(&case, profile).ok();
    if let (Some(anchor), Some(start)) = (&profile.start, start) {
        let began = Dated {
            path: anchor.path.iter().map(|k| Step::Key(k.clone())).collect(),
            known_at: start,
        };
        match steps.iter().position(|(at, _)| *at >= start) {
            Some(i) if steps[i].0 == start => steps[i].1.insert(0, began),
            Some(i) => steps.insert(i, (start, vec![began])),
            None => steps.push((start, vec![began])),
        }
    }
    let most = MOST_MOMENTS.min((budget / evidence.len().max(1)).max(FEWEST_MOMENTS));
    let hash = case_hash(bytes);
    let mut stretches: Vec<Stretch> = Vec::new();
    let mut judged_moments = 0;
    for (at, arrived, judged) in bounded(program, steps, most) {
        let Some(last) = stretches.last_mut().filter(|_| !judged) else {
            judged_moments += 1;
            let judgement = match judge_as_of(
                program,
                profile,
                &case,
                &evidence,
                at,
                hash.clone(),
                Judgement::of,
            )? {
                Judged::Scored(judgement) => judgement,
                Judged::NoClaimYet { .. } => Judgement::NoClaimYet,
            };
            match stretches.last_mut() {
                Some(last) if last.judgement.same_as(&judgement) => {
                    last.arrived.push((at, arrived));
                    last.last_values = judgement.values();
                }
                _ => stretches.push(Stretch {
                    at,
                    arrived: vec![(at, arrived)],
                    last_values: judgement.values(),
                    judgement,
                }),
            }
            continue;
        };
        // Nothing the rules read arrived: the judgement stands.
        last.arrived.push((at, arrived));
    }
    Ok(Timeline {
        stretches,
        judged: judged_moments,
        start,
    })
}

/// The moments to judge, each with what arrived and whether it needs judging (evidence the
/// rules read arrived): at most `most` judged, runs of moments at which only list items
/// arrived taken together at the last of them, then equal runs of whatever arrived.
fn bounded(
    program: &Program,
    moments: Vec<(i64, Vec<Dated>)>,
    most: usize,
) -> Vec<(i64, Vec<Dated>, bool)> {
    let read = |arrived: &[Dated]| arrived.iter().any(|d| program.layout.reads(&d.path));
    let only_items = |arrived: &[Dated]| {
        arrived
            .iter()
            .all(|d| matches!(d.path.last(), Some(Step::Index(_))))
    };
    let marked: Vec<(i64, Vec<Dated>, bool)> = moments
        .into_iter()
        .map(|(at, arrived)| {
            let judged = read(&arrived);
            (at, arrived, judged)
        })
        .collect();
    let judged = marked.iter().filter(|m| m.2).count();
    if judged <= most {
        return marked;
    }
    let merge = |moments: Vec<(i64, Vec<Dated>, bool)>,
                 run: usize,
                 joins: &dyn Fn(&[Dated], &[Dated]) -> bool| {
        let mut out: Vec<(i64, Vec<Dated>, bool, usize)> = Vec::new();
        for (at, arrived, judged) in moments {
            match out.last_mut() {
                Some((last_at, gathered, last_judged, taken))
                    if judged && *last_judged && *taken < run && joins(gathered, &arrived) =>
                {
                    *last_at = at;
                    gathered.extend(arrived);
                    *taken += 1;
                }
                _ => out.push((at, arrived, judged, 1)),
            }
        }
        out.into_iter()
            .map(|(at, arrived, judged, _)| (at, arrived, judged))
            .collect::<Vec<_>>()
    };
    let out = merge(marked, judged.div_ceil(most), &|a, b| {
        only_items(a) && only_items(b)
    });
    // Moments of single facts can still be many: then take equal runs of whatever arrived.
    let judged = out.iter().filter(|m| m.2).count();
    if judged <= most {
        return out;
    }
    merge(out, judged.div_ceil(most), &|_, _| true)
}

/// What arrived at a moment, grouped: `claim`, `posts[] ×12`.
pub fn arrivals(arrived: &[Dated]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for d in arrived {
        let is_item = matches!(d.path.last(), Some(Step::Index(_)));
        let path = if is_item {
            d.list_text()
        } else {
            d.path_text()
        };
        match out.iter_mut().find(|(p, _)| *p == path) {
            Some((_, n)) => *n += 1,
            None => out.push((path, 1)),
        }
    }
    out
}

/// What arrived, in words: `claim`, `posts[] ×12`, and the case's start as the profile names
/// it (`the attack began`) at the moment it began (`start`); the start field learnt later is
/// named by its path (`incident.started_at`), since the attack did not begin then.
pub fn arrivals_text(arrived: &[Dated], profile: &Profile, start: Option<i64>) -> String {
    let named_start = profile.start.as_ref().and_then(|s| {
        let path = s.path.join(".");
        let at_start = arrived
            .iter()
            .any(|d| Some(d.known_at) == start && d.path_text() == path);
        at_start.then_some((path, s.label.as_str()))
    });
    arrivals(arrived)
        .iter()
        .map(|(path, n)| {
            let path = match &named_start {
                Some((at, label)) if at == path => std::borrow::Cow::Borrowed(*label),
                _ => format::clean(path),
            };
            if *n == 1 {
                path.into_owned()
            } else {
                format!("{path} ×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many later arrivals of a stretch the text lists before eliding.
const SHOWN_LATER: usize = 6;

/// A timeline as text: one entry per stretch of one judgement (`credence timeline`).
pub(crate) fn render_text(id: Option<&str>, program: &Program, timeline: &Timeline) -> String {
    let meta = program.meta();
    let mut out = format!(
        "Case {}: the judgement over time (rules {} {})\n\n",
        format::clean(id.unwrap_or("(no id)")),
        meta.id,
        meta.version
    );
    for row in &timeline.stretches {
        let (first, later) = row
            .arrived
            .split_first()
            .map_or((&[][..], &[][..]), |(f, l)| (&f.1[..], l));
        out.push_str(&format!(
            "{}  {}\n",
            format::timestamp(row.at),
            arrivals_text(first, &program.profile, timeline.start)
        ));
        match &row.judgement {
            Judgement::NoClaimYet => {
                out.push_str(&format!("    {}\n", program.profile.nothing_yet()))
            }
            Judgement::Scored { scores, verdict } => {
                for (score, last) in scores.iter().zip(&row.last_values) {
                    let band = score
                        .band
                        .as_deref()
                        .map(|b| format!(", band {b}"))
                        .unwrap_or_default();
                    let state = if score.settled { "settled" } else { "open" };
                    let value = if *last == score.value {
                        score.value.clone()
                    } else {
                        format!("{} → {last}", score.value)
                    };
                    out.push_str(&format!("    {} {value}{band} ({state})\n", score.name));
                }
                if let Some(verdict) = verdict {
                    out.push_str(&format!("    verdict: {verdict}\n"));
                }
            }
        }
        if !later.is_empty() {
            let mut listed: Vec<String> = later
                .iter()
                .take(SHOWN_LATER)
                .map(|(at, arrived)| {
                    format!(
                        "{} at {}",
                        arrivals_text(arrived, &program.profile, timeline.start),
                        format::timestamp(*at)
                    )
                })
                .collect();
            if later.len() > SHOWN_LATER {
                listed.push(format!("{} more moments", later.len() - SHOWN_LATER));
            }
            out.push_str(&format!(
                "    then, with no change: {}\n",
                listed.join("; ")
            ));
        }
    }
    out
}

/// The timeline of `bytes`, a case, as its JSON document (the case's `id` named in it).
pub(crate) fn json_of(program: &Program, bytes: &[u8]) -> Result<Json, ScoreError> {
    let stretches = timeline(program, bytes)?.stretches;
    let id = case_id(bytes);
    Ok(render_json(id.as_deref(), program, &stretches))
}

/// A case's `id`, when it is a string.
pub(crate) fn case_id(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<Json>(bytes)
        .ok()
        .and_then(|v| v.get("id").and_then(Json::as_str).map(str::to_string))
}

/// A timeline as JSON (`credence timeline --format json`; docs/CASE_FORMAT.md).
pub(crate) fn render_json(id: Option<&str>, program: &Program, rows: &[Stretch]) -> Json {
    let meta = program.meta();
    json!({
        "format_version": trace_json::FORMAT_VERSION,
        "case": id,
        "rules": {"ruleset": meta.id, "version": meta.version, "rules_hash": meta.content_hash},
        "moments": rows.iter().map(|row| {
            let arrived: Vec<Json> = row.arrived.iter().flat_map(|(at, arrived)| {
                arrivals(arrived).into_iter().map(move |(path, count)| {
                    json!({"at": format::timestamp(*at), "path": path, "count": count})
                })
            }).collect();
            let judgement = match &row.judgement {
                Judgement::NoClaimYet => json!({"claim_known": false}),
                Judgement::Scored { scores, verdict } => json!({
                    "claim_known": true,
                    "scores": scores.iter().zip(&row.last_values).map(|(s, last)| json!({
                        "name": s.name,
                        "value": s.value,
                        "value_at_end": last,
                        "band": s.band,
                        "settled": s.settled,
                    })).collect::<Vec<_>>(),
                    "verdict": verdict,
                }),
            };
            json!({"at": format::timestamp(row.at), "arrived": arrived, "judgement": judgement})
        }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, compile_str};

    const RULES: &str = r#"
        ruleset t { version "1" }
        score s {
          additive
          criterion posts {
            when count(p in posts where p.at >= claim.published_at) >= 3 => 10 "echoed"
            else => 0 "quiet"
          }
          bands { >= 10 => "echoed" else => "quiet" }
        }
        profile {
          subject claim "claim"
          start incident.started_at "it began"
          date claim by published_at
          date posts[] by at
        }
    "#;

    fn case(posts: usize, unread: usize) -> Vec<u8> {
        let at = |i: usize| {
            format!(
                "2024-01-{:02}T{:02}:{:02}:00Z",
                2 + i / 1440,
                i / 60 % 24,
                i % 60
            )
        };
        let posts: Vec<String> = (0..posts)
            .map(|i| format!(r#"{{"at": "{}"}}"#, at(i)))
            .collect();
        let unread: Vec<String> = (0..unread)
            .map(|i| format!(r#"{{"known_at": "{}", "note": "x"}}"#, at(i)))
            .collect();
        format!(
            r#"{{"incident": {{"started_at": "2024-01-01T00:00:00Z"}},
                "claim": {{"published_at": "2024-01-01T12:00:00Z"}},
                "posts": [{}], "notes": [{}]}}"#,
            posts.join(","),
            unread.join(",")
        )
        .into_bytes()
    }

    fn program() -> Program {
        compile_str("t.cred", RULES, &Options::default())
            .map(|c| c.program)
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn evidence_the_rules_do_not_read_is_never_judged() {
        let timeline = timeline(&program(), &case(0, 5_000)).expect("judged");
        // The attack start and the claim: the 5,000 notes change nothing and cost nothing.
        assert_eq!(timeline.judged, 2);
        let arrived: usize = timeline.stretches.iter().map(|s| s.arrived.len()).sum();
        assert!(arrived > 2, "the notes are still listed as arriving");
    }

    #[test]
    fn moments_judged_shrink_as_dated_evidence_grows() {
        let program = program();
        assert_eq!(
            timeline(&program, &case(150, 0)).expect("judged").judged,
            152
        );
        // With 2,000 posts and room for 100,000 moment-posts: 50 moments (and the start).
        let many = timeline_within(&program, &case(2_000, 0), 100_000).expect("judged");
        assert!(many.judged <= 52, "{}", many.judged);
        let echoed = many
            .stretches
            .iter()
            .find(|s| matches!(&s.judgement, Judgement::Scored { scores, .. } if scores[0].band.as_deref() == Some("echoed")));
        assert!(echoed.is_some(), "the change is still found");
    }

    #[test]
    fn a_rule_set_without_a_profile_is_told_what_a_timeline_needs() {
        let bare = RULES.split("profile {").next().expect("rules");
        let program = compile_str("t.cred", bare, &Options::default())
            .map(|c| c.program)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let error = timeline(&program, &case(3, 0)).expect_err("needs a profile");
        assert!(
            error
                .to_string()
                .starts_with("a timeline needs the rule set's `profile`"),
            "{error}"
        );
    }
}
