//! The strict slice of URL syntax Keyturn accepts from users: `https://host[:port]/path…`.
//!
//! Anything a browser might read differently from us is refused rather than interpreted:
//! white space, backslashes, user-info (`user@host`), empty hosts, other schemes.

use crate::failure::{ErrorCode, Failure};

/// An https URL from user input, split into the parts Keyturn checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpsUrl<'a> {
    /// Lower-cased host name, without port.
    pub host: String,
    /// The port, when one other than 443 is written.
    pub port: Option<u16>,
    /// The path without query or fragment (may be empty).
    pub path: &'a str,
    /// Whether a query or fragment followed the path.
    pub has_query_or_fragment: bool,
}

impl HttpsUrl<'_> {
    /// `https://host[:port]`, the form in which origins are compared and granted.
    pub fn origin(&self) -> String {
        match self.port {
            Some(port) => format!("https://{}:{port}", self.host),
            None => format!("https://{}", self.host),
        }
    }
}

/// `text` split around its first `://`, if it has one. By bytes: a `&str` pattern would bring
/// core's general substring search into the wasm module for this one three-byte needle.
pub fn split_scheme(text: &str) -> Option<(&str, &str)> {
    let at = text.as_bytes().windows(3).position(|window| window == b"://")?;
    Some((&text[..at], &text[at + 3..]))
}

/// Reads `raw` as an https URL with a host, strictly (see the module).
pub fn parse_https_url(raw: &str) -> Result<HttpsUrl<'_>, Failure> {
    let text = raw.trim();
    let invalid = |message: &str| Err(Failure::new(ErrorCode::InvalidUrl, message));
    if text.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return invalid(
            "That address contains spaces or characters a web address never has. Copy it again from the address bar.",
        );
    }
    let Some((scheme, rest)) = split_scheme(text) else {
        return invalid("Paste the whole address, starting with https://.");
    };
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(Failure::new(
            ErrorCode::NotHttps,
            "Only https:// addresses are accepted, so keys never travel unencrypted.",
        ));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(authority_end);
    if authority.contains('@') {
        return invalid(
            "That address hides another host behind a user name (user@host). Copy the address from the address bar.",
        );
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => match port.parse::<u16>() {
            Ok(443) => (host, None),
            Ok(port) if port > 0 => (host, Some(port)),
            _ => return invalid("That address has an invalid port."),
        },
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !host_ok {
        return invalid("That address has no valid host name.");
    }
    let path_end = after.find(['?', '#']).unwrap_or(after.len());
    Ok(HttpsUrl {
        host: host.to_ascii_lowercase(),
        port,
        path: &after[..path_end],
        has_query_or_fragment: path_end < after.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_host_port_and_path() {
        let url = parse_https_url(" HTTPS://Example.COM:8443/a/b?c#d ").unwrap();
        assert_eq!(
            (url.host.as_str(), url.port, url.path, url.has_query_or_fragment),
            ("example.com", Some(8443), "/a/b", true)
        );
        assert_eq!(url.origin(), "https://example.com:8443");
        let url = parse_https_url("https://example.com:443").unwrap();
        assert_eq!((url.port, url.path, url.origin().as_str()), (None, "", "https://example.com"));
    }

    #[test]
    fn refuses_what_a_browser_could_read_differently() {
        for (raw, code) in [
            ("http://example.com/", ErrorCode::NotHttps),
            ("ftp://example.com/", ErrorCode::NotHttps),
            ("example.com", ErrorCode::InvalidUrl),
            ("https://a@example.com/", ErrorCode::InvalidUrl),
            ("https://example.com\\@evil.example/", ErrorCode::InvalidUrl),
            ("https://exa mple.com/", ErrorCode::InvalidUrl),
            ("https:///path", ErrorCode::InvalidUrl),
            ("https://example.com:0/", ErrorCode::InvalidUrl),
            ("https://example.com:99999/", ErrorCode::InvalidUrl),
            ("https://example.com:/", ErrorCode::InvalidUrl),
            ("https://exa_mple.com/", ErrorCode::InvalidUrl),
            ("https://example..com/", ErrorCode::InvalidUrl),
            ("https://example.com./", ErrorCode::InvalidUrl),
            ("https://[::1]/", ErrorCode::InvalidUrl),
            ("https://ex%61mple.com/", ErrorCode::InvalidUrl),
        ] {
            assert_eq!(parse_https_url(raw).unwrap_err().code, code, "{raw}");
        }
    }
}

/// Percent-encodes a query parameter value: everything but RFC 3986 unreserved characters.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod encode_tests {
    #[test]
    fn encodes_everything_that_could_change_the_query() {
        assert_eq!(super::encode_query_value("Sales App&x=1/ü#"), "Sales%20App%26x%3D1%2F%C3%BC%23");
    }
}
