//! The typed error every Keyturn operation returns.
//!
//! A [`Failure`] is a stable machine-readable [`ErrorCode`] (the popup and the tests branch
//! on it) plus a message written for the user: what happened and what to do next.
//! Messages never contain a key: they are built from codes, statuses, hosts and OIDs only.

use serde::Serialize;

use crate::http::TransportFailure;

/// Each code crosses to the page and into stored runs as its name in SCREAMING_SNAKE_CASE
/// (see [`ErrorCode::as_str`]), the form `_locales` keys its messages by (`error_<CODE>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    // Input that is refused before any request is sent.
    InvalidUrl,
    NotHttps,
    UnknownConsoleHost,
    NotADataModelPage,
    InvalidOid,
    UnknownRegion,
    EmptyKey,
    KeyHasWhitespace,
    KeyHasInvalidCharacters,
    MalformedKey,
    InvalidGracePeriod,
    ImmediateExpiryNotConfirmed,
    InvalidDataAppName,
    InvalidLabel,
    InvalidOrigin,
    OriginNotGranted,
    // Answers from the service.
    Unauthorized,
    Forbidden,
    NotFound,
    ClientError,
    ServerError,
    UnexpectedResponse,
    Redirected,
    // Databrain's documented error codes (seed-003/004, databrain-api.md).
    InvalidRequestBody,
    AuthenticationError,
    InvalidDataAppApiKey,
    DataAppNotFound,
    InternalServerError,
    /// An error code or status Databrain does not document.
    UnknownApiError,
    // Failures of the connection itself.
    Timeout,
    NetworkError,
    /// A non-idempotent request failed after it may have reached the server.
    OutcomeUnknown,
    /// A bulk row whose run was cut short by the browser.
    Interrupted,
}

impl ErrorCode {
    /// Written out rather than derived: a derived `Serialize` for 33 variants cost more
    /// of the wasm module than this table, and stored runs need the name as text anyway.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidUrl => "INVALID_URL",
            ErrorCode::NotHttps => "NOT_HTTPS",
            ErrorCode::UnknownConsoleHost => "UNKNOWN_CONSOLE_HOST",
            ErrorCode::NotADataModelPage => "NOT_A_DATA_MODEL_PAGE",
            ErrorCode::InvalidOid => "INVALID_OID",
            ErrorCode::UnknownRegion => "UNKNOWN_REGION",
            ErrorCode::EmptyKey => "EMPTY_KEY",
            ErrorCode::KeyHasWhitespace => "KEY_HAS_WHITESPACE",
            ErrorCode::KeyHasInvalidCharacters => "KEY_HAS_INVALID_CHARACTERS",
            ErrorCode::MalformedKey => "MALFORMED_KEY",
            ErrorCode::InvalidGracePeriod => "INVALID_GRACE_PERIOD",
            ErrorCode::ImmediateExpiryNotConfirmed => "IMMEDIATE_EXPIRY_NOT_CONFIRMED",
            ErrorCode::InvalidDataAppName => "INVALID_DATA_APP_NAME",
            ErrorCode::InvalidLabel => "INVALID_LABEL",
            ErrorCode::InvalidOrigin => "INVALID_ORIGIN",
            ErrorCode::OriginNotGranted => "ORIGIN_NOT_GRANTED",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::ClientError => "CLIENT_ERROR",
            ErrorCode::ServerError => "SERVER_ERROR",
            ErrorCode::UnexpectedResponse => "UNEXPECTED_RESPONSE",
            ErrorCode::Redirected => "REDIRECTED",
            ErrorCode::InvalidRequestBody => "INVALID_REQUEST_BODY",
            ErrorCode::AuthenticationError => "AUTHENTICATION_ERROR",
            ErrorCode::InvalidDataAppApiKey => "INVALID_DATA_APP_API_KEY",
            ErrorCode::DataAppNotFound => "DATA_APP_NOT_FOUND",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
            ErrorCode::UnknownApiError => "UNKNOWN_API_ERROR",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::NetworkError => "NETWORK_ERROR",
            ErrorCode::OutcomeUnknown => "OUTCOME_UNKNOWN",
            ErrorCode::Interrupted => "INTERRUPTED",
        }
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub code: ErrorCode,
    pub message: String,
    /// The HTTP status, when the failure is an answer from the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Whether a request went out (so the attempt belongs in the history), as opposed to
    /// input refused before anything was sent.
    #[serde(rename = "requestSent")]
    pub request_sent: bool,
}

impl Failure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Failure { code, message: message.into(), status: None, request_sent: false }
    }

    pub fn with_status(code: ErrorCode, status: u16, message: impl Into<String>) -> Self {
        Failure { code, message: message.into(), status: Some(status), request_sent: true }
    }
}

impl Failure {
    /// The failure for a request that got no usable answer from `host`.
    ///
    /// `idempotent` says whether sending the same request again is harmless. When it is not
    /// (the Databrain rotation), a timeout or dropped connection leaves the outcome unknown
    /// and the message must not invite a blind retry.
    pub fn from_transport(host: &str, failure: TransportFailure, idempotent: bool) -> Failure {
        let mut failure = Self::transport_message(host, failure, idempotent);
        failure.request_sent = true;
        failure
    }

    fn transport_message(host: &str, failure: TransportFailure, idempotent: bool) -> Failure {
        match (failure, idempotent) {
            (TransportFailure::Redirected, _) => Failure::new(
                ErrorCode::Redirected,
                format!(
                    "{host} answered with a redirect to another address. Keyturn does not follow redirects, so your key \
                     was not sent anywhere else. Nothing was changed by Keyturn; if this persists, a proxy may be \
                     rewriting requests."
                ),
            ),
            (TransportFailure::Timeout, true) => Failure::new(
                ErrorCode::Timeout,
                format!(
                    "{host} did not answer within {} seconds. Sending the same request again is safe: check your \
                     connection and try again.",
                    crate::transport_timeout_secs()
                ),
            ),
            (TransportFailure::Network, true) => Failure::new(
                ErrorCode::NetworkError,
                format!("Could not reach {host}. Check your connection, VPN or proxy, then try again."),
            ),
            (TransportFailure::TooLarge, idempotent) => Failure::new(
                ErrorCode::UnexpectedResponse,
                format!(
                    "Unexpected response: {host} answered with more than 2 MB, far more than any documented answer, so \
                     Keyturn stopped reading it. {}",
                    if idempotent {
                        "Whether the change was made is not confirmed: check in the service's console before relying on it."
                    } else {
                        "The change may have happened: check whether the current key still works before you try again."
                    }
                ),
            ),
            (TransportFailure::Timeout | TransportFailure::Network, false) => Failure::new(
                ErrorCode::OutcomeUnknown,
                format!(
                    "The connection to {host} failed after the request was sent, so Keyturn cannot tell whether it \
                     took effect. Do not simply try again: first check whether the current key still works."
                ),
            ),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant in the enum's source, in order.
    fn variants_in_source() -> Vec<&'static str> {
        let source = include_str!("failure.rs");
        let body = &source[source.find("pub enum ErrorCode {").unwrap()..];
        let body = &body[..body.find("\n}").unwrap()];
        body.lines()
            .map(str::trim)
            .filter_map(|line| line.strip_suffix(','))
            .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric()))
            .collect()
    }

    fn screaming_snake(name: &str) -> String {
        let mut out = String::new();
        for (index, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && index > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }

    #[test]
    fn every_code_is_named_in_screaming_snake_case() {
        let variants = variants_in_source();
        assert_eq!(variants.len(), ALL_CODES.len(), "ALL_CODES lists every variant");
        for (code, variant) in ALL_CODES.iter().zip(variants) {
            assert_eq!(format!("{code:?}"), variant);
            assert_eq!(code.as_str(), screaming_snake(variant));
        }
        assert_eq!(serde_json::to_string(&ErrorCode::OutcomeUnknown).unwrap(), "\"OUTCOME_UNKNOWN\"");
    }

    const ALL_CODES: [ErrorCode; 33] = [
        ErrorCode::InvalidUrl,
        ErrorCode::NotHttps,
        ErrorCode::UnknownConsoleHost,
        ErrorCode::NotADataModelPage,
        ErrorCode::InvalidOid,
        ErrorCode::UnknownRegion,
        ErrorCode::EmptyKey,
        ErrorCode::KeyHasWhitespace,
        ErrorCode::KeyHasInvalidCharacters,
        ErrorCode::MalformedKey,
        ErrorCode::InvalidGracePeriod,
        ErrorCode::ImmediateExpiryNotConfirmed,
        ErrorCode::InvalidDataAppName,
        ErrorCode::InvalidLabel,
        ErrorCode::InvalidOrigin,
        ErrorCode::OriginNotGranted,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::ClientError,
        ErrorCode::ServerError,
        ErrorCode::UnexpectedResponse,
        ErrorCode::Redirected,
        ErrorCode::InvalidRequestBody,
        ErrorCode::AuthenticationError,
        ErrorCode::InvalidDataAppApiKey,
        ErrorCode::DataAppNotFound,
        ErrorCode::InternalServerError,
        ErrorCode::UnknownApiError,
        ErrorCode::Timeout,
        ErrorCode::NetworkError,
        ErrorCode::OutcomeUnknown,
        ErrorCode::Interrupted,
    ];
}
