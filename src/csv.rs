//! The one CSV writer of Keyturn's exports (bulk runs, history): every field quoted
//! (RFC 4180), CRLF line ends, and spreadsheet formulas defused, since fields hold text from
//! servers (a data model's name is set by any user of the Treasure account).
//!
//! Quoting every field means no spreadsheet splits a field at a `;` or a tab, whatever list
//! separator its locale uses. A field is defused with a leading `'` (which spreadsheets
//! read as "this cell is text") when a formula could start in it: its first character
//! after any blanks is a formula character, or a `,`, `;` or tab is followed, after any
//! blanks, by one.

/// Appends one row of `fields`, each quoted and, where a formula could start, defused.
pub fn push_row(out: &mut String, fields: &[&str]) {
    for (index, value) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        push_field(out, value);
    }
    out.push_str("\r\n");
}

/// Characters that start a formula in Excel, LibreOffice or Google Sheets: `= + - @`, and
/// their full-width and small forms, which East Asian input methods produce and which
/// spreadsheets read as the ASCII ones.
fn starts_formula(c: char) -> bool {
    matches!(
        c,
        '=' | '+'
            | '-'
            | '@'
            | '\u{FF1D}'
            | '\u{FF0B}'
            | '\u{FF0D}'
            | '\u{FF20}'
            | '\u{FE66}'
            | '\u{FE62}'
            | '\u{FE63}'
            | '\u{FE6B}'
    )
}

/// What spreadsheets skip before a formula character: white space of any kind (spaces,
/// tabs, line breaks, the no-break and other Unicode spaces) and the invisible format
/// characters (zero-width spaces and joiners, the byte order mark).
fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Whether a formula could start anywhere in `value`: at its start, or after a separator
/// (`,`, `;`, tab), blanks skipped in both cases.
fn needs_defusing(value: &str) -> bool {
    let mut at_start_of_cell = true;
    for c in value.chars() {
        if at_start_of_cell && starts_formula(c) {
            return true;
        }
        if matches!(c, ',' | ';' | '\t') {
            at_start_of_cell = true;
        } else if !is_blank(c) {
            at_start_of_cell = false;
        }
    }
    false
}

fn push_field(out: &mut String, value: &str) {
    out.push('"');
    if needs_defusing(value) {
        out.push('\'');
    }
    for c in value.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[&str]) -> String {
        let mut out = String::new();
        push_row(&mut out, fields);
        out
    }

    #[test]
    fn quotes_every_field_and_doubles_quotes() {
        assert_eq!(
            row(&["plain", "a,b", "say \"hi\"", "two\nlines", ""]),
            "\"plain\",\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"\"\r\n"
        );
        assert_eq!(row(&[]), "\r\n");
        assert_eq!(row(&["x"]), "\"x\"\r\n");
        let mut out = "before\r\n".to_string();
        push_row(&mut out, &["a", "b"]);
        assert_eq!(out, "before\r\n\"a\",\"b\"\r\n", "rows are appended");
    }

    #[test]
    fn defuses_a_formula_at_the_start_after_any_blanks() {
        for value in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            " =1+1",
            "\t=1",
            "\r=1",
            "\n-1",
            "\u{a0}=1+1",
            "\u{3000}=1",
            "\u{2003}+1",
            "\u{200b}=1",
            "\u{feff}=1",
            "\u{2060}@x",
            "\u{200d}-1",
            "＝1+1",
            "＋1",
            "－1",
            "＠x",
            "﹦1",
            "﹢1",
            "﹣1",
            "﹫x",
        ] {
            assert_eq!(row(&[value]), format!("\"'{value}\"\r\n"), "{value:?}");
        }
    }

    #[test]
    fn defuses_a_formula_after_a_separator() {
        for value in ["x;=cmd|' /C calc'!A0", "x,=1", "x\t=1", "x; +1", "x;\u{a0}-1", "a,b;@x", "x;＝1"] {
            assert_eq!(row(&[value]), format!("\"'{value}\"\r\n"), "{value:?}");
        }
    }

    #[test]
    fn leaves_text_without_a_formula_as_it_is() {
        for value in ["sales", "a=b", "x-1", "mail@example.com", "1+1", "x; y", "x;a=1", "", " ", "a\u{200c}b", "'=x"] {
            assert_eq!(row(&[value]), format!("\"{value}\"\r\n"), "{value:?}");
        }
        assert_eq!(row(&["x;\"=1"]), "\"x;\"\"=1\"\r\n", "a quote is not a blank: the cell starts with it");
    }

    #[test]
    fn the_issue_s_names_open_as_text() {
        let names = ["x;=1+1", " =1+1", "\u{a0}=1+1", "＝1+1", "@SUM(A1)"];
        assert_eq!(row(&names), "\"'x;=1+1\",\"' =1+1\",\"'\u{a0}=1+1\",\"'＝1+1\",\"'@SUM(A1)\"\r\n");
    }
}
