//! Normalisation shared by every secret and identifier a user pastes.
//!
//! People paste keys with a trailing newline, with the header scheme still in front
//! (`TD1 …`, `Bearer …`) or with a stray character from a chat window. Each of those gets
//! its own message, and nothing that fails here is ever sent anywhere.

use crate::failure::{ErrorCode, Failure};

/// A secret's text. Its `Debug` shows a placeholder and it has neither `Display` nor
/// `Serialize`, so a key is only ever read where `expose` is called on purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(crate) fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

/// What a secret is called in messages ("API key", "service token", ...).
pub struct SecretKind {
    /// What the secret is called in messages ("Master API key", …).
    pub noun: &'static str,
    /// The authorization scheme users may paste in front of the secret, such as `TD1`.
    pub scheme: &'static str,
}

/// Trims surrounding white space and an optional `<scheme> ` prefix, then refuses empty
/// input, inner white space, control and non-ASCII characters. The shape check proper
/// (UUID, `<id>/<secret>`) is the caller's.
pub fn normalise_secret<'a>(raw: &'a str, kind: &SecretKind) -> Result<&'a str, Failure> {
    let mut text = raw.trim();
    if let Some(prefix) = text.get(..kind.scheme.len()) {
        let rest = &text[kind.scheme.len()..];
        if prefix.eq_ignore_ascii_case(kind.scheme) && rest.starts_with(char::is_whitespace) {
            text = rest.trim_start();
        } else if rest.is_empty() && prefix.eq_ignore_ascii_case(kind.scheme) {
            // Only the scheme was pasted ("TD1 " trimmed to "TD1").
            text = rest;
        }
    }
    if text.is_empty() {
        return Err(Failure::new(ErrorCode::EmptyKey, format!("Paste the {} first.", kind.noun)));
    }
    if text.chars().any(char::is_whitespace) {
        return Err(Failure::new(
            ErrorCode::KeyHasWhitespace,
            format!("The {} contains a space or line break. Copy it again as one piece, without spaces.", kind.noun),
        ));
    }
    if text.chars().any(|c| c.is_control() || !c.is_ascii()) {
        return Err(Failure::new(
            ErrorCode::KeyHasInvalidCharacters,
            format!(
                "The {} contains a character that cannot be part of it (a control or non-ASCII character). \
                 Copy it again from its source.",
                kind.noun
            ),
        ));
    }
    Ok(text)
}

/// `8-4-4-4-12` hexadecimal digits, either case: the shape of Treasure data model OIDs and
/// of Databrain keys.
pub fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Shortens text that came from a server for display in a message: no control characters,
/// at most `limit` characters.
pub fn display_snippet(text: &str, limit: usize) -> String {
    let cleaned: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let cleaned = cleaned.trim();
    match cleaned.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &cleaned[..cut]),
        None => cleaned.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIND: SecretKind = SecretKind { noun: "API key", scheme: "TD1" };

    #[test]
    fn trims_and_strips_the_scheme_in_any_case() {
        assert_eq!(normalise_secret("  1/abc \n", &KIND).unwrap(), "1/abc");
        assert_eq!(normalise_secret("TD1 1/abc", &KIND).unwrap(), "1/abc");
        assert_eq!(normalise_secret("td1   1/abc", &KIND).unwrap(), "1/abc");
        // The scheme is only a prefix when followed by white space.
        assert_eq!(normalise_secret("TD11/abc", &KIND).unwrap(), "TD11/abc");
    }

    #[test]
    fn refuses_empty_spaced_and_strange_input_each_with_its_code() {
        let code = |s: &str| normalise_secret(s, &KIND).unwrap_err().code;
        assert_eq!(code(""), ErrorCode::EmptyKey);
        assert_eq!(code("  \t"), ErrorCode::EmptyKey);
        assert_eq!(code("TD1 "), ErrorCode::EmptyKey);
        assert_eq!(code("1/ab cd"), ErrorCode::KeyHasWhitespace);
        assert_eq!(code("1/ab\u{a0}cd"), ErrorCode::KeyHasWhitespace);
        assert_eq!(code("1/ab\u{0}cd"), ErrorCode::KeyHasInvalidCharacters);
        assert_eq!(code("1/abcé"), ErrorCode::KeyHasInvalidCharacters);
        assert_eq!(code("1/ab\u{200b}cd"), ErrorCode::KeyHasInvalidCharacters);
    }

    #[test]
    fn messages_never_echo_the_secret() {
        let err = normalise_secret("1/secret value", &KIND).unwrap_err();
        assert!(!err.message.contains("secret value"));
    }

    #[test]
    fn recognises_uuids_only() {
        assert!(is_uuid("550e8400-e29b-41d4-a716-446655440000"));
        assert!(is_uuid("550E8400-E29B-41D4-A716-446655440000"));
        assert!(!is_uuid("550e8400e29b41d4a716446655440000"));
        assert!(!is_uuid("550e8400-e29b-41d4-a716-44665544000g"));
        assert!(!is_uuid("550e8400-e29b-41d4-a716-4466554400001"));
        assert!(!is_uuid("../../../e29b-41d4-a716-446655440000"));
    }

    #[test]
    fn snippets_are_short_and_single_line() {
        assert_eq!(display_snippet("  a\nb ", 10), "a b");
        assert_eq!(display_snippet("abcdef", 3), "abc…");
    }
}
