//! The strict slice of URL syntax Keyturn accepts from users: `https://host[:port]/path…`.
//!
//! Anything a browser might read differently from us is refused rather than interpreted:
//! white space, control characters and backslashes anywhere; other schemes; user-info
//! (`user@host`); an empty, over-long or malformed host name; a host a browser reads as an
//! IP address (a last label that is a number, decimal or `0x` hex: `2130706433`,
//! `0x7f.1`, `127.0.0.1`) and IPv6 literals; a port that is not 1 to 65535 written in
//! plain digits (`+443`, `0443`, `:`, `0`).

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

/// A port as browsers and Keyturn both read it: 1 to 65535 in ASCII digits, without a sign
/// or a leading zero (Rust's `u16` parser would take `+443`, which a browser refuses).
fn port_number(text: &str) -> Option<u16> {
    if text.is_empty() || text.starts_with('0') || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u16>().ok()
}

/// Whether a browser would read `host` as an IPv4 address: its last label is a number, in
/// decimal or `0x` hex (the URL standard's "ends in a number"), as in `2130706433`,
/// `0x7f.1` or `127.0.0.1`.
fn reads_as_ip_address(host: &str) -> bool {
    let last = host.rsplit('.').next().unwrap_or(host);
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    match hex {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// Whether `host` is a host name of letters, digits and inner hyphens: labels of 1 to 63
/// characters, 253 at most in all.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
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
    if authority.starts_with('[') {
        return invalid("That address is an IP address. Use the service's host name, such as databrain.example.com.");
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => match port_number(port) {
            Some(443) => (host, None),
            Some(port) => (host, Some(port)),
            None => {
                return invalid(
                    "That address has an invalid port: write it as a number from 1 to 65535, without a sign or \
                     leading zeros.",
                )
            }
        },
        None => (authority, None),
    };
    if !is_host_name(host) {
        return invalid("That address has no valid host name.");
    }
    if reads_as_ip_address(host) {
        return invalid(
            "That address is an IP address (or a number a browser reads as one). Use the service's host name, such \
             as databrain.example.com.",
        );
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

    fn refusal(raw: &str) -> (ErrorCode, String) {
        let failure = parse_https_url(raw).unwrap_err();
        (failure.code, failure.message)
    }

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
        let url = parse_https_url("https://example.com/a#frag").unwrap();
        assert_eq!((url.path, url.has_query_or_fragment), ("/a", true));
        let url = parse_https_url("https://example.com/a/b").unwrap();
        assert_eq!((url.path, url.has_query_or_fragment), ("/a/b", false));
        let url = parse_https_url("https://example.com?x").unwrap();
        assert_eq!((url.path, url.has_query_or_fragment), ("", true));
    }

    #[test]
    fn splits_at_the_first_scheme_separator() {
        assert_eq!(split_scheme("https://a/b://c"), Some(("https", "a/b://c")));
        assert_eq!(split_scheme("://"), Some(("", "")));
        assert_eq!(split_scheme("x://y"), Some(("x", "y")));
        assert_eq!(split_scheme("https:/a"), None);
        assert_eq!(split_scheme(""), None);
    }

    #[test]
    fn ports_are_plain_digits_from_1_to_65535() {
        for (raw, port) in [
            ("https://example.com:1/", Some(1)),
            ("https://example.com:8443/", Some(8443)),
            ("https://example.com:65535/", Some(65535)),
            ("https://example.com:443/", None),
            ("https://example.com/", None),
        ] {
            assert_eq!(parse_https_url(raw).unwrap().port, port, "{raw}");
        }
        for raw in [
            "https://example.com:+443/",
            "https://example.com:0443/",
            "https://example.com:08443/",
            "https://example.com:0/",
            "https://example.com:65536/",
            "https://example.com:99999/",
            "https://example.com:/",
            "https://example.com:-1/",
            "https://example.com:44a/",
            "https://example.com:0x1bb/",
            "https://example.com:443:443/",
        ] {
            let (code, message) = refusal(raw);
            assert_eq!(code, ErrorCode::InvalidUrl, "{raw}");
            assert!(message.contains("port") || message.contains("host name"), "{raw}: {message}");
        }
        assert!(refusal("https://example.com:+443/").1.contains("invalid port"));
    }

    #[test]
    fn hosts_a_browser_reads_as_ip_addresses_are_refused() {
        for raw in [
            "https://2130706433/",
            "https://0x7f.1/",
            "https://0x7f000001/",
            "https://127.0.0.1/",
            "https://example.0x1/",
            "https://example.0X1F/",
            "https://example.0x/",
            "https://example.123/",
            "https://1.example.4/",
            "https://0/",
            "https://[::1]/",
            "https://[::1]:8443/",
        ] {
            let (code, message) = refusal(raw);
            assert_eq!(code, ErrorCode::InvalidUrl, "{raw}");
            assert!(message.contains("IP address"), "{raw}: {message}");
        }
        // A number elsewhere than the last label, or letters in it, is a host name.
        for raw in [
            "https://0x7f.example.com/",
            "https://123.example.com/",
            "https://example.1a/",
            "https://example.0xg/",
            "https://example.x0/",
            "https://db1.example.com/",
            "https://1example/",
        ] {
            assert!(parse_https_url(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn host_names_are_labels_of_letters_digits_and_inner_hyphens() {
        let label = |n: usize| "a".repeat(n);
        // 4 labels of 63 and 3 dots: 255 characters; 253 is the most a host name may have.
        let longest = format!("{}.{}.{}.{}", label(63), label(63), label(63), label(61));
        assert_eq!(longest.len(), 253);
        assert_eq!(parse_https_url(&format!("https://{longest}/")).unwrap().host, longest);
        let too_long = format!("{}.{}.{}.{}", label(63), label(63), label(63), label(62));
        assert_eq!(refusal(&format!("https://{too_long}/")).0, ErrorCode::InvalidUrl);
        assert!(parse_https_url(&format!("https://{}.com/", label(63))).is_ok());
        assert_eq!(refusal(&format!("https://{}.com/", label(64))).0, ErrorCode::InvalidUrl);
        assert!(parse_https_url("https://a-b.c-d.com/").is_ok());
        assert!(parse_https_url("https://xn--bcher-kva.example/").is_ok());
        for raw in ["https://-a.com/", "https://a-.com/", "https://a.-b.com/", "https://a.b-/", "https://a_b.com/"] {
            let (code, message) = refusal(raw);
            assert_eq!(code, ErrorCode::InvalidUrl, "{raw}");
            assert!(message.contains("no valid host name"), "{raw}: {message}");
        }
    }

    #[test]
    fn refuses_what_a_browser_could_read_differently() {
        for (raw, code) in [
            ("http://example.com/", ErrorCode::NotHttps),
            ("ftp://example.com/", ErrorCode::NotHttps),
            ("https2://example.com/", ErrorCode::NotHttps),
            ("example.com", ErrorCode::InvalidUrl),
            ("https://a@example.com/", ErrorCode::InvalidUrl),
            ("https://example.com\\@evil.example/", ErrorCode::InvalidUrl),
            ("https://exa mple.com/", ErrorCode::InvalidUrl),
            ("https://exa\u{0}mple.com/", ErrorCode::InvalidUrl),
            ("https://exa\u{7f}mple.com/", ErrorCode::InvalidUrl),
            ("https://exa\u{a0}mple.com/", ErrorCode::InvalidUrl),
            ("https://example.com/a b", ErrorCode::InvalidUrl),
            ("https:///path", ErrorCode::InvalidUrl),
            ("https://", ErrorCode::InvalidUrl),
            ("https://exa_mple.com/", ErrorCode::InvalidUrl),
            ("https://example..com/", ErrorCode::InvalidUrl),
            ("https://example.com./", ErrorCode::InvalidUrl),
            ("https://.example.com/", ErrorCode::InvalidUrl),
            ("https://ex%61mple.com/", ErrorCode::InvalidUrl),
            ("https://exämple.com/", ErrorCode::InvalidUrl),
        ] {
            assert_eq!(parse_https_url(raw).unwrap_err().code, code, "{raw}");
        }
        assert!(refusal("https://exa mple.com/").1.contains("spaces"));
        // A backslash, which browsers read as a slash, anywhere: in the path too.
        for raw in ["https://example.com/a\\b", "https://exa\\mple.com/", "https://example.com\\"] {
            let (code, message) = refusal(raw);
            assert_eq!(code, ErrorCode::InvalidUrl, "{raw}");
            assert!(message.contains("characters a web address never has"), "{raw}: {message}");
        }
        assert!(refusal("example.com").1.contains("starting with https://"));
        assert!(refusal("https://a@example.com/").1.contains("user name"));
        assert!(parse_https_url("http://example.com/").unwrap_err().message.contains("unencrypted"));
        assert!(!parse_https_url("https://a@example.com/").unwrap_err().request_sent);
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
        // Unreserved characters stay as they are, and only they do.
        assert_eq!(super::encode_query_value("az-AZ_09.~"), "az-AZ_09.~");
        assert_eq!(super::encode_query_value("+%?\n"), "%2B%25%3F%0A");
        assert_eq!(super::encode_query_value(""), "");
    }
}
