//! The CSV that Keyturn exports (bulk runs, history): RFC 4180 quoting, CRLF line ends, and
//! spreadsheet formulas defused, since fields hold text from servers.

/// Appends one row of `fields`, each quoted when needed.
pub fn push_row(out: &mut String, fields: &[&str]) {
    for (index, value) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(&field(value));
    }
    out.push_str("\r\n");
}

/// Quotes a field when needed, and defuses a spreadsheet formula (a data model name is text
/// from the server) with a leading `'`.
fn field(value: &str) -> String {
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_defuses_fields() {
        let mut out = String::new();
        push_row(&mut out, &["plain", "a,b", "say \"hi\"", "=cmd", "-1", "two\nlines", ""]);
        assert_eq!(out, "plain,\"a,b\",\"say \"\"hi\"\"\",'=cmd,'-1,\"two\nlines\",\r\n");
    }
}
