//! The typed error every Keyturn operation returns.
//!
//! A [`Failure`] is a stable machine-readable [`ErrorCode`] (the popup and the tests branch
//! on it) plus a message written for the user: what happened and what to do next.
//! Messages never contain a key: they are built from codes, statuses, hosts and OIDs only.

use serde::Serialize;

use crate::http::TransportFailure;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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
