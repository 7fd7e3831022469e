//! The formatter: consistent indentation and spacing of blank lines, nothing else.
//!
//! It rewrites only the white space at the start of lines, trailing white space and runs of blank
//! lines. Strings cannot span lines and the grammar ignores white space between tokens, so the
//! meaning of a file never changes; the result is a fixed point (formatting twice changes nothing).

/// Spaces per indentation level.
const INDENT: usize = 2;

/// Formats rule text.
pub fn format_source(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth: usize = 0;
    let mut continues = false;
    let mut blank_pending = false;
    let mut previous_opened = true;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            blank_pending = !previous_opened && !out.is_empty();
            continue;
        }
        let scan = scan(line);
        let closes_first = scan.leading_closers;
        if blank_pending && closes_first == 0 {
            out.push('\n');
        }
        blank_pending = false;
        let continued = continues || starts_with_operator(line);
        let level =
            depth.saturating_sub(closes_first) + usize::from(continued && closes_first == 0);
        out.push_str(&" ".repeat(level * INDENT));
        out.push_str(line);
        out.push('\n');
        depth = (depth + scan.opened).saturating_sub(scan.closed);
        previous_opened = scan.opened > scan.closed;
        if !scan.comment_only {
            continues = scan.open_end && scan.opened == scan.closed;
        }
    }
    out
}

/// True when a line continues the one above: it starts with a binary operator, or refines the
/// row above (`refine when …`).
fn starts_with_operator(line: &str) -> bool {
    ["and ", "or ", "?? ", "=> ", "+ ", "* ", "/ ", "refine "]
        .iter()
        .any(|op| line.starts_with(op))
}

/// What a line does to the nesting, ignoring strings and comments.
struct LineScan {
    opened: usize,
    closed: usize,
    /// Closing brackets before any other token: the line itself is dedented.
    leading_closers: usize,
    /// Ends with `=`, `=>`, `and`, `or` or an operator: the next line continues it.
    open_end: bool,
    comment_only: bool,
}

fn scan(line: &str) -> LineScan {
    let mut opened = 0;
    let mut closed = 0;
    let mut leading_closers = 0;
    let mut seen_other = false;
    let mut in_string = false;
    let mut code_end = line.len();
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                seen_other = true;
            }
            '#' => {
                code_end = i;
                break;
            }
            '{' | '(' => {
                opened += 1;
                seen_other = true;
            }
            '}' | ')' => {
                if opened > 0 {
                    opened -= 1;
                } else {
                    closed += 1;
                    if !seen_other {
                        leading_closers += 1;
                    }
                }
            }
            c if c.is_whitespace() => {}
            _ => seen_other = true,
        }
    }
    let code = line[..code_end].trim_end();
    // Commas and brackets are not listed: the bracket depth already indents what follows them.
    let open_end = ["=", "=>", "+", "-", "*", "/", "??", " and", " or"]
        .iter()
        .any(|end| code.ends_with(end));
    LineScan {
        opened,
        closed,
        leading_closers,
        open_end: open_end && !code.ends_with("{"),
        comment_only: code.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::format_source;

    #[test]
    fn indents_by_nesting_and_continuation() {
        let messy = "score s {\ncriterion c {\n\n\n   when a ==\n1 => 1 \"x { y\"   \n}\n\n}\n";
        let want = "score s {\n  criterion c {\n    when a ==\n      1 => 1 \"x { y\"\n  }\n}\n";
        assert_eq!(format_source(messy), want);
        assert_eq!(format_source(want), want);
    }
}
