//! Treasure API keys: `<numeric key id>/<hex secret>`, as the API Keys portal shows them.

use crate::failure::{ErrorCode, Failure};
use crate::input::{normalise_secret, Secret, SecretKind};

const KIND: SecretKind = SecretKind { noun: "Treasure API key", scheme: "TD1" };

/// A validated Treasure API key, never printed (see [`Secret`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TreasureKey(Secret);

impl TreasureKey {
    /// Reads a pasted Treasure key (with or without `TD1 `): `<numeric id>/<hex secret>`.
    pub fn parse(raw: &str) -> Result<TreasureKey, Failure> {
        let text = normalise_secret(raw, &KIND)?;
        let malformed = |message: &str| Err(Failure::new(ErrorCode::MalformedKey, message));
        let Some((id, secret)) = text.split_once('/') else {
            return malformed(
                "That is not shaped like a Treasure API key, which reads <key id>/<secret> (for example 1234/abcdef…). \
                 Copy the whole Master key from the API Keys page of the Treasure Console.",
            );
        };
        if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return malformed(
                "The part before '/' of a Treasure API key is its numeric id. Copy the whole key, id included.",
            );
        }
        if !(16..=128).contains(&secret.len()) || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return malformed(
                "The part after '/' of a Treasure API key is a long run of hexadecimal characters (0-9, a-f). \
                 The key looks cut short or altered: copy it again.",
            );
        }
        Ok(TreasureKey(Secret::new(text)))
    }

    /// The history's fingerprint of this key (its last four characters).
    pub fn fingerprint(&self) -> String {
        crate::history::fingerprint(self.expose())
    }

    /// The secret, for removing it from what a server answers (see `input::server_text`).
    pub(crate) fn secret(&self) -> &Secret {
        &self.0
    }

    /// The key as it goes into the `Authorization` header and the request body.
    pub(crate) fn expose(&self) -> &str {
        self.0.expose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "1234/0123456789abcdef0123456789abcdef01234567";

    fn code(raw: &str) -> ErrorCode {
        TreasureKey::parse(raw).unwrap_err().code
    }

    #[test]
    fn accepts_keys_with_spaces_around_and_a_td1_prefix() {
        for raw in [
            KEY,
            "  1234/0123456789abcdef0123456789abcdef01234567\n",
            "TD1 1234/0123456789abcdef0123456789abcdef01234567",
        ] {
            assert_eq!(TreasureKey::parse(raw).unwrap().expose(), KEY);
        }
        assert!(TreasureKey::parse("1/ABCDEF0123456789ABCDEF").is_ok());
    }

    #[test]
    fn rejects_each_malformation_with_its_own_code() {
        assert_eq!(code(""), ErrorCode::EmptyKey);
        assert_eq!(code("1234/0123 456789abcdef0123456789"), ErrorCode::KeyHasWhitespace);
        assert_eq!(code("1234/0123456789abcdef0123456789é"), ErrorCode::KeyHasInvalidCharacters);
        assert_eq!(code("1234/0123456789abcdef\u{7}0123456789"), ErrorCode::KeyHasInvalidCharacters);
        assert_eq!(code("0123456789abcdef0123456789abcdef"), ErrorCode::MalformedKey);
        assert_eq!(code("abc/0123456789abcdef0123456789abcdef"), ErrorCode::MalformedKey);
        assert_eq!(code("/0123456789abcdef0123456789abcdef"), ErrorCode::MalformedKey);
        assert_eq!(code("1234/"), ErrorCode::MalformedKey);
        assert_eq!(code("1234/abc"), ErrorCode::MalformedKey);
        assert_eq!(code("1234/0123456789abcdef0123456789abcdefzz"), ErrorCode::MalformedKey);
        assert_eq!(code("1234/0123456789abcdef/0123456789abcdef"), ErrorCode::MalformedKey);
        assert_eq!(code("550e8400-e29b-41d4-a716-446655440000"), ErrorCode::MalformedKey);
    }

    #[test]
    fn ids_and_secrets_are_bounded() {
        let key = |id: &str, secret_len: usize| TreasureKey::parse(&format!("{id}/{}", "a".repeat(secret_len)));
        assert!(key(&"9".repeat(20), 16).is_ok(), "a 20-digit id");
        assert_eq!(key(&"9".repeat(21), 16).unwrap_err().code, ErrorCode::MalformedKey);
        assert!(key("1", 128).is_ok(), "a 128-character secret");
        assert_eq!(key("1", 129).unwrap_err().code, ErrorCode::MalformedKey);
        assert_eq!(key("1", 15).unwrap_err().code, ErrorCode::MalformedKey);
    }

    #[test]
    fn debug_shows_a_placeholder_never_the_key() {
        assert_eq!(format!("{:?}", TreasureKey::parse(KEY).unwrap()), "TreasureKey(<hidden>)");
    }

    #[test]
    fn the_fingerprint_is_the_last_four_characters() {
        assert_eq!(TreasureKey::parse(&format!("TD1 {KEY}")).unwrap().fingerprint(), "…4567");
    }
}
