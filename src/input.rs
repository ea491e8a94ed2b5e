//! Normalisation shared by every secret and identifier a user pastes.
//!
//! People paste keys with a trailing newline, with the header scheme still in front
//! (`TD1 …`, `Bearer …`) or with a stray character from a chat window. Each of those gets
//! its own message, and nothing that fails here is ever sent anywhere.

use crate::failure::{ErrorCode, Failure};
use std::borrow::Cow;

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

/// Shortens text for display in a message or a stored record: no control characters,
/// trimmed, at most `limit` characters (an ellipsis marks a cut).
pub fn display_snippet(text: &str, limit: usize) -> String {
    // Most server strings (thousands of names in a listing) are already fit: one copy, no
    // cleaning pass. At most `limit` bytes is at most `limit` characters, so nothing to cut.
    if text.len() <= limit && text.trim() == text && !text.chars().any(char::is_control) {
        return text.to_string();
    }
    let cleaned: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let cleaned = cleaned.trim();
    match cleaned.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &cleaned[..cut]),
        None => cleaned.to_string(),
    }
}

/// What stands where a server's text held the key it was sent.
pub const KEY_REMOVED: &str = "[key removed]";

/// Text from a server, made fit to show or store: every occurrence of the secret the
/// request carried (`sent`) removed, in any letter case, then cut like [`display_snippet`].
/// The one helper every answer reader passes server strings through. The secret is removed
/// before the cut, so a cut can never leave the start of a key behind.
pub fn server_text(text: &str, limit: usize, sent: &Secret) -> String {
    let mut text = Cow::Borrowed(text);
    for needle in sent.own_texts() {
        if let Cow::Owned(removed) = remove_ignoring_ascii_case(&text, needle) {
            text = Cow::Owned(removed);
        }
    }
    display_snippet(&text, limit)
}

/// `text` with each occurrence of `needle` (ASCII, not empty) replaced by [`KEY_REMOVED`];
/// borrowed, without a copy, when there is none (the usual case).
fn remove_ignoring_ascii_case<'a>(text: &'a str, needle: &str) -> Cow<'a, str> {
    let (haystack, needle) = (text.as_bytes(), needle.as_bytes());
    let mut out = String::new();
    let (mut copied, mut at) = (0, 0);
    while at + needle.len() <= haystack.len() {
        if haystack[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            // An ASCII match starts and ends on character boundaries.
            out.push_str(&text[copied..at]);
            out.push_str(KEY_REMOVED);
            at += needle.len();
            copied = at;
        } else {
            at += 1;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

impl Secret {
    /// The texts that give this secret away: all of it, and for a `<id>/<secret>` key (a
    /// Treasure key) the part after the `/`, when it is long enough (16 characters) to be
    /// the secret rather than a common word. Secrets are ASCII (see [`normalise_secret`]).
    fn own_texts(&self) -> impl Iterator<Item = &str> {
        let whole = self.expose();
        let tail = whole.rsplit_once('/').map(|(_, tail)| tail).filter(|tail| tail.len() >= 16);
        std::iter::once(whole).chain(tail).filter(|text| !text.is_empty())
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
    fn a_secret_shows_a_placeholder_when_debug_printed() {
        assert_eq!(format!("{:?}", Secret::new("1/secret")), "<hidden>");
        assert_eq!(format!("{:?}", Some(Secret::new("1/secret"))), "Some(<hidden>)");
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
        assert_eq!(display_snippet("abc", 3), "abc", "exactly the limit is not cut");
        assert_eq!(display_snippet(" ab\u{a0}", 10), "ab", "trimmed even with nothing else to clean");
        assert_eq!(display_snippet("äöüß", 2), "äö…", "characters, not bytes");
        assert_eq!(display_snippet("\u{7f}x\u{0}", 5), "x");
    }

    const KEY: &str = "1234/0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn server_text_removes_the_key_in_any_case_and_its_secret_half() {
        let key = Secret::new(KEY);
        assert_eq!(server_text(&format!("bad key {KEY}!"), 200, &key), "bad key [key removed]!");
        assert_eq!(server_text(&KEY.to_uppercase(), 200, &key), KEY_REMOVED);
        assert_eq!(server_text("0123456789ABCDEF0123456789abcdef01234567 x", 200, &key), "[key removed] x");
        assert_eq!(server_text(&format!("{KEY}{KEY}"), 200, &key), "[key removed][key removed]");
        assert_eq!(server_text("1234/ and 0123456789abcdef0123", 200, &key), "1234/ and 0123456789abcdef0123");
        assert_eq!(server_text("ünïcödé 1234 ok", 200, &key), "ünïcödé 1234 ok");
        assert_eq!(server_text("", 200, &key), "");
        assert_eq!(server_text("k", 200, &Secret::new("k")), KEY_REMOVED, "a secret at the very end");
    }

    #[test]
    fn server_text_removes_before_it_cuts() {
        let key = Secret::new(KEY);
        let text = format!("{}{KEY}", "x".repeat(190));
        let shown = server_text(&text, 200, &key);
        assert_eq!(shown, format!("{}[key remov…", "x".repeat(190)));
        assert!(!shown.contains("0123"));
        assert_eq!(server_text(&"y".repeat(1_000_000), 200, &key).chars().count(), 201);
        assert_eq!(server_text("a\r\nb", 10, &key), "a  b");
    }

    #[test]
    fn only_a_long_part_after_a_slash_counts_as_a_secret_of_its_own() {
        let short_tail = Secret::new("st/abc");
        assert_eq!(server_text("abc st/abc", 50, &short_tail), "abc [key removed]");
        let uuid = Secret::new("550e8400-e29b-41d4-a716-446655440000");
        assert_eq!(server_text("550E8400-E29B-41D4-A716-446655440000 gone", 50, &uuid), "[key removed] gone");
        let tail16 = Secret::new("1/0123456789abcdef");
        assert_eq!(server_text("0123456789abcdef", 50, &tail16), KEY_REMOVED);
        let tail15 = Secret::new("1/0123456789abcde");
        assert_eq!(server_text("0123456789abcde", 50, &tail15), "0123456789abcde");
    }
}
