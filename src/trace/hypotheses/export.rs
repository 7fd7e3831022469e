//! The matrix for other tools: a CSV matrix (spreadsheets, notebooks) and an ACH file
//! (`.achz`) in the format PARC ACH saves and the Open Source ACH tool imports.

use std::io::Write;

use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Cell, Matrix};
use crate::trace::format;

/// The matrix as CSV: a header naming each hypothesis, one line per evidence row with each
/// cell's likelihood ratio (empty when the row's evidence is unknown under it), then each
/// hypothesis's log-odds and probability.
pub fn csv(m: &Matrix) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "row".to_string(),
        "title".to_string(),
        "diagnostic".to_string(),
    ];
    header.extend(
        m.hypotheses
            .iter()
            .map(|h| format!("{}: {}", h.id, h.title)),
    );
    let mut records = vec![header];
    for row in &m.rows {
        let mut record = vec![
            row.criterion.clone(),
            row.title.clone(),
            row.diagnostic.to_string(),
        ];
        record.extend(row.cells.iter().map(|c| match c.state {
            "unknown" => String::new(),
            _ => c.ratio.to_string(),
        }));
        records.push(record);
    }
    let mut log_odds = vec![
        "log_odds".to_string(),
        "Sum of the row log-odds".to_string(),
        String::new(),
    ];
    log_odds.extend(m.hypotheses.iter().map(|h| format::number(h.log_odds)));
    let mut probability = vec![
        "probability".to_string(),
        "Probability (the hypotheses add up to 1)".to_string(),
        String::new(),
    ];
    probability.extend(m.hypotheses.iter().map(|h| h.probability.to_string()));
    records.push(log_odds);
    records.push(probability);
    for record in records {
        // Writing to memory cannot fail.
        let _ = writer.write_record(&record);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A cell as an ACH consistency rating, from its log-odds against the row's mean: `C C` very
/// consistent (×3 or more above it), `C` consistent (×1.5), `N` neutral, `I` inconsistent,
/// `I I` very inconsistent; `NA` when the row's evidence is unknown under the hypothesis.
fn rating(cell: &Cell, mean: f64) -> &'static str {
    if cell.state == "unknown" {
        return "NA";
    }
    let relative = cell.ratio.ln() - mean;
    match relative {
        x if x >= 3f64.ln() => "C C",
        x if x >= 1.5f64.ln() => "C",
        x if x > -(1.5f64.ln()) => "N",
        x if x > -(3f64.ln()) => "I",
        _ => "I I",
    }
}

/// The matrix as an ACH project (`.achz`): XML in UTF-16 with a byte-order mark, gzipped, as
/// PARC ACH 2 saves it. Each evidence row carries its criterion as code, each hypothesis's
/// reason in its notes, and one consistency rating per hypothesis.
pub fn achz(m: &Matrix, project: &str) -> Vec<u8> {
    let xml = achz_xml(m, project);
    let mut utf16 = vec![0xFE, 0xFF];
    for unit in xml.encode_utf16() {
        utf16.extend(unit.to_be_bytes());
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to memory cannot fail.
    let _ = gz.write_all(&utf16);
    gz.finish().unwrap_or_default()
}

/// The XML inside an `.achz` file.
pub(crate) fn achz_xml(m: &Matrix, project: &str) -> String {
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 1);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-16"), None)));
    let text = |w: &mut quick_xml::Writer<Vec<u8>>, name: &str, value: &str| {
        let _ = w
            .create_element(name)
            .write_text_content(BytesText::new(value));
    };
    let _ = w.create_element("ACH").write_inner_content(|w| {
        text(w, "PROJECT-TITLE", project);
        w.create_element("MATRIX").write_inner_content(|w| {
            for h in &m.hypotheses {
                w.create_element("HYPOTHESIS").write_inner_content(|w| {
                    text(w, "NAME", &format!("{}: {} ({})", h.id, h.title, h.shown));
                    Ok(())
                })?;
            }
            for row in &m.rows {
                let known: Vec<f64> = row
                    .cells
                    .iter()
                    .filter(|c| c.state != "unknown")
                    .map(|c| c.ratio.ln())
                    .collect();
                let mean = known.iter().sum::<f64>() / known.len().max(1) as f64;
                let values: Vec<&str> = row.cells.iter().map(|c| rating(c, mean)).collect();
                let notes: Vec<String> = row
                    .cells
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {}: {}",
                            c.hypothesis,
                            c.shown,
                            c.reason.as_deref().unwrap_or("")
                        )
                    })
                    .collect();
                w.create_element("EVIDENCE").write_inner_content(|w| {
                    text(w, "NAME", &row.title);
                    text(w, "NOTES", &format!("{} ({})", notes.join("; "), row.rule));
                    text(w, "LINK", "");
                    text(w, "TYPE", "");
                    text(w, "DATE", "0");
                    text(w, "CODE", &row.criterion);
                    text(w, "FLAG", "0");
                    text(w, "CREDIBILITY", "HIGH");
                    text(w, "VALUES", &values.join(","));
                    Ok(())
                })?;
            }
            Ok(())
        })?;
        Ok(())
    });
    String::from_utf8(w.into_inner()).unwrap_or_default()
}
