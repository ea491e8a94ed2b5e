//! The two Databrain credentials: a data app API key (a UUID, the key rotate-api rotates)
//! and an organisation service token (manages a data app's keys).

use crate::failure::{ErrorCode, Failure};
use crate::input::{is_uuid, normalise_secret, Secret, SecretKind};

/// A data app API key, never printed (see [`Secret`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DataAppKey(Secret);

impl DataAppKey {
    /// Reads a pasted data app key (a UUID, with or without `Bearer `).
    pub fn parse(raw: &str) -> Result<DataAppKey, Failure> {
        let text = normalise_secret(raw, &SecretKind { noun: "data app API key", scheme: "Bearer" })?;
        if !is_uuid(text) {
            return Err(Failure::new(
                ErrorCode::MalformedKey,
                "A Databrain data app API key is a UUID (like 550e8400-e29b-41d4-a716-446655440000). Copy it again from \
                 the data app's settings in Databrain.",
            ));
        }
        Ok(DataAppKey(Secret::new(text.to_ascii_lowercase())))
    }

    /// The secret, for removing it from what a server answers (see `input::server_text`).
    pub(crate) fn secret(&self) -> &Secret {
        &self.0
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The last four characters, which is all Keyturn ever shows of a listed key.
    pub fn masked(&self) -> String {
        let key = self.expose();
        format!("••••{}", &key[key.len() - 4..])
    }

    /// The history's fingerprint of this key.
    pub fn fingerprint(&self) -> String {
        crate::history::fingerprint(self.expose())
    }
}

/// An organisation service token, never printed (see [`Secret`]). Its format is not
/// documented, so beyond the shared hygiene rules only its length is bounded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ServiceToken(Secret);

impl ServiceToken {
    /// Reads a pasted service token (with or without `Bearer `).
    pub fn parse(raw: &str) -> Result<ServiceToken, Failure> {
        let text = normalise_secret(raw, &SecretKind { noun: "service token", scheme: "Bearer" })?;
        if !(8..=512).contains(&text.len()) {
            return Err(Failure::new(
                ErrorCode::MalformedKey,
                "That does not look like a whole service token. Copy it again from Settings > Service Tokens in Databrain.",
            ));
        }
        Ok(ServiceToken(Secret::new(text)))
    }

    /// The secret, for removing it from what a server answers (see `input::server_text`).
    pub(crate) fn secret(&self) -> &Secret {
        &self.0
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "550e8400-e29b-41d4-a716-446655440000";

    #[test]
    fn data_app_keys_accept_bearer_and_white_space() {
        for raw in
            [KEY, " Bearer 550e8400-e29b-41d4-a716-446655440000\n", "bearer 550E8400-E29B-41D4-A716-446655440000"]
        {
            assert_eq!(DataAppKey::parse(raw).unwrap().expose(), KEY, "{raw}");
        }
        assert_eq!(DataAppKey::parse(KEY).unwrap().masked(), "••••0000");
    }

    #[test]
    fn data_app_keys_must_be_uuids() {
        let code = |raw: &str| DataAppKey::parse(raw).unwrap_err().code;
        assert_eq!(code(""), ErrorCode::EmptyKey);
        assert_eq!(code("Bearer"), ErrorCode::EmptyKey);
        assert_eq!(code("550e8400 e29b"), ErrorCode::KeyHasWhitespace);
        assert_eq!(code("550e8400-e29b-41d4-a716-44665544000ü"), ErrorCode::KeyHasInvalidCharacters);
        assert_eq!(code("550e8400e29b41d4a716446655440000"), ErrorCode::MalformedKey);
        assert_eq!(code("1234/0123456789abcdef0123456789abcdef"), ErrorCode::MalformedKey);
        assert_eq!(format!("{:?}", DataAppKey::parse(KEY).unwrap()), "DataAppKey(<hidden>)");
    }

    #[test]
    fn service_tokens_are_bounded() {
        assert_eq!(format!("{:?}", ServiceToken::parse("Bearer st_0123456789").unwrap()), "ServiceToken(<hidden>)");
        assert!(ServiceToken::parse("12345678").is_ok() && ServiceToken::parse(&"t".repeat(512)).is_ok());
        assert_eq!(ServiceToken::parse("1234567").unwrap_err().code, ErrorCode::MalformedKey);
        assert_eq!(ServiceToken::parse(&"t".repeat(513)).unwrap_err().code, ErrorCode::MalformedKey);
        assert_eq!(ServiceToken::parse("short").unwrap_err().code, ErrorCode::MalformedKey);
        assert_eq!(ServiceToken::parse("st 0123456789").unwrap_err().code, ErrorCode::KeyHasWhitespace);
    }
}
