# The rule of benches/claims.cred in Rego, for regorus (benches/peers/benches/peers.rs).
#
# The case is `input`, parsed by `Value::from_json_str`. Times are nanoseconds since the epoch
# (`time.parse_rfc3339_ns`, built in, offsets included). Rego has no string similarity, so
# `similarity(a, b)` (the normalized Levenshtein similarity of strsim, the measure
# `fuzzy 90%` uses) is registered natively in Rust with `Engine::add_extension`. A value that is
# missing or null leaves the rules that read it undefined: that is how a criterion is skipped.
package claims

import rego.v1

hour := 3600000000000

epsilon := 2.220446049250313e-16

published := time.parse_rfc3339_ns(input.claim.published_at) if input.claim.published_at != null

started := time.parse_rfc3339_ns(input.incident.started_at) if input.incident.started_at != null

delay := published - started

# timing: undefined (skipped) when either time is unknown.
timing := 30 if {
	delay <= 6 * hour
} else := 15 if {
	delay <= 24 * hour
} else := 0 if {
	delay > 24 * hour
}

# replication: distinct accounts posting within a day after the claim, both ends inclusive.
window_end := published + (24 * hour)

accounts := count({post.account |
	some post in object.get(input, "posts", [])
	post.account != null
	post.at != null
	at := time.parse_rfc3339_ns(post.at)
	at >= published
	at <= window_end
})

replication := 5 + (min([max([(accounts - 10) / 90, 0]), 1]) * 20) if {
	accounts >= 1
} else := 0

channel := 15 if {
	input.claim.channel_class == "official_agency"
} else := 5 if {
	input.claim.channel_class == "supporter"
} else := 0 if {
	input.claim.channel_class != null
}

# details: each field both claimed and confirmed, matched or not; the others are unknown.
claimed := object.get(input.claim, "details", {})

facts := object.get(input.incident, "facts", {})

field["attacker_name"] := similarity(lower(claimed.attacker_name), lower(facts.attacker_name)) >= 0.9 if {
	claimed.attacker_name != null
	facts.attacker_name != null
}

field["weapon"] := lower(claimed.weapon) == lower(facts.weapon) if {
	claimed.weapon != null
	facts.weapon != null
}

field["target"] := lower(claimed.target) == lower(facts.target) if {
	claimed.target != null
	facts.target != null
}

field["killed"] := abs(claimed.killed - facts.killed) <= (abs(facts.killed) * 0.2) + epsilon if {
	claimed.killed != null
	facts.killed != null
}

field["attackers"] := abs(claimed.attackers - facts.attackers) <= 0 + epsilon if {
	claimed.attackers != null
	facts.attackers != null
}

known := count(field)

matched := count([name | field[name] == true])

details := 6 * min([matched, 5]) if {
	known > 0
	matched >= 1
} else := 0 if {
	known > 0
}

criteria["timing"] := timing

criteria["replication"] := replication

criteria["channel"] := channel

criteria["details"] := details

# In the order of the criteria, a skipped one adding nothing.
total := ((object.get(criteria, "timing", 0) + replication) + object.get(criteria, "channel", 0)) + object.get(criteria, "details", 0)

band := "credible" if {
	total >= 70
} else := "plausible" if {
	total >= 40
} else := "doubtful"

verdicts := {
	"credible": "credible claim",
	"plausible": "plausible claim",
	"doubtful": "doubtful claim",
}

verdict := verdicts[band]

result := {
	"total": total,
	"band": band,
	"verdict": verdict,
	"criteria": criteria,
	"accounts": accounts,
	"matched": matched,
	"fields": field,
}
