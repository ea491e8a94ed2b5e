//! The typed error every Keyturn operation returns.
//!
//! A [`Failure`] is a stable machine-readable [`ErrorCode`] (the popup and the tests branch
//! on it) plus a message written for the user: what happened and what to do next.
//! Messages never contain a key: they are built from codes, statuses, hosts and OIDs only.

use serde::Serialize;

use crate::http::TransportFailure;

/// Declares [`ErrorCode`] once: each variant with the name it crosses to the page and into
/// stored runs as (SCREAMING_SNAKE_CASE, the form `_locales` keys its messages by,
/// `error_<CODE>`), and the list of every code ([`ErrorCode::ALL`]) that the locale audit
/// checks through the core's `errorCodes` export.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A failure's stable, machine-readable kind.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)] // each name says what it is; the groups are commented below
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code's name, e.g. `OUTCOME_UNKNOWN`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }

            /// The code a name stands for, as failures cross back from the page.
            pub fn from_name(name: &str) -> Option<ErrorCode> {
                ErrorCode::ALL.iter().copied().find(|code| code.as_str() == name)
            }
        }
    };
}

error_codes! {
    // Input that is refused before any request is sent.
    InvalidUrl = "INVALID_URL",
    NotHttps = "NOT_HTTPS",
    UnknownConsoleHost = "UNKNOWN_CONSOLE_HOST",
    NotADataModelPage = "NOT_A_DATA_MODEL_PAGE",
    InvalidOid = "INVALID_OID",
    UnknownRegion = "UNKNOWN_REGION",
    EmptyKey = "EMPTY_KEY",
    KeyHasWhitespace = "KEY_HAS_WHITESPACE",
    KeyHasInvalidCharacters = "KEY_HAS_INVALID_CHARACTERS",
    MalformedKey = "MALFORMED_KEY",
    InvalidGracePeriod = "INVALID_GRACE_PERIOD",
    /// A reminder's expiry date that is missing or has passed.
    InvalidReminderDate = "INVALID_REMINDER_DATE",
    /// Reminder lead times that are not whole days from 0 to 365.
    InvalidLeadDays = "INVALID_LEAD_DAYS",
    ImmediateExpiryNotConfirmed = "IMMEDIATE_EXPIRY_NOT_CONFIRMED",
    InvalidDataAppName = "INVALID_DATA_APP_NAME",
    InvalidLabel = "INVALID_LABEL",
    InvalidOrigin = "INVALID_ORIGIN",
    OriginNotGranted = "ORIGIN_NOT_GRANTED",
    /// A "self-hosted Databrain" origin on a host Keyturn holds for another service.
    OriginOfAnotherService = "ORIGIN_OF_ANOTHER_SERVICE",
    /// A Treasure region the administrator's policy does not offer.
    RegionNotEnabled = "REGION_NOT_ENABLED",
    /// A service the administrator's policy turned off.
    ServiceNotEnabled = "SERVICE_NOT_ENABLED",
    /// A Treasure Workflow project id that is not a string of digits.
    InvalidProjectId = "INVALID_PROJECT_ID",
    /// Treasure Workflow projects, which the administrator's policy switched off.
    WorkflowProjectsDisabled = "WORKFLOW_PROJECTS_DISABLED",
    // Answers from the service.
    Unauthorized = "UNAUTHORIZED",
    Forbidden = "FORBIDDEN",
    NotFound = "NOT_FOUND",
    ClientError = "CLIENT_ERROR",
    ServerError = "SERVER_ERROR",
    UnexpectedResponse = "UNEXPECTED_RESPONSE",
    Redirected = "REDIRECTED",
    // Treasure Workflow answers (treasure-workflow-api.md).
    /// The key may not list the region's workflow projects (403 on the list): the load stops.
    WorkflowForbidden = "WORKFLOW_FORBIDDEN",
    /// The region's workflow API has no project list (404 on the list).
    WorkflowNotFound = "WORKFLOW_NOT_FOUND",
    /// The key's user has no permission on one project (403): that project is skipped.
    WorkflowProjectForbidden = "WORKFLOW_PROJECT_FORBIDDEN",
    /// No such project (404): deleted since it was listed, or another region's.
    WorkflowProjectNotFound = "WORKFLOW_PROJECT_NOT_FOUND",
    // Databrain's documented error codes (seed-003/004, databrain-api.md).
    InvalidRequestBody = "INVALID_REQUEST_BODY",
    AuthenticationError = "AUTHENTICATION_ERROR",
    InvalidDataAppApiKey = "INVALID_DATA_APP_API_KEY",
    DataAppNotFound = "DATA_APP_NOT_FOUND",
    InternalServerError = "INTERNAL_SERVER_ERROR",
    /// An error code or status Databrain does not document.
    UnknownApiError = "UNKNOWN_API_ERROR",
    // Failures of the connection itself.
    Timeout = "TIMEOUT",
    NetworkError = "NETWORK_ERROR",
    /// A listed key the background no longer holds (list the keys again).
    ListingExpired = "LISTING_EXPIRED",
    /// A non-idempotent request failed after it may have reached the server.
    OutcomeUnknown = "OUTCOME_UNKNOWN",
    /// A bulk job the browser cut short that cannot resume by itself (its key is gone).
    Interrupted = "INTERRUPTED",
    /// A workflow projects load the browser cut short by stopping the background (load again).
    LoadInterrupted = "LOAD_INTERRUPTED",
    // A bulk run that stopped early.
    /// The key itself was refused (401, or 403 for a Write-only key): nothing more is sent.
    BulkStopped = "BULK_STOPPED",
    /// The user pressed Stop.
    StoppedByUser = "STOPPED_BY_USER",
    /// A bulk run is going: another cannot start until it ends or is stopped.
    RunInProgress = "RUN_IN_PROGRESS",
    /// Nothing was chosen to send.
    NothingToRun = "NOTHING_TO_RUN",
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A failed operation: its code, a message for the user, and what was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Failure {
    /// The stable code the pages and tests branch on.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))] // serialized as its name
    pub code: ErrorCode,
    /// What happened and what to do next, in English (other languages translate the code).
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
    /// A failure before anything was sent (refused input).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Failure { code, message: message.into(), status: None, request_sent: false }
    }

    /// A failure answered by the service with `status`.
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

    #[test]
    fn every_code_is_named_in_screaming_snake_case_once() {
        for code in ErrorCode::ALL {
            let snake: String = format!("{code:?}")
                .chars()
                .enumerate()
                .flat_map(|(index, c)| {
                    let gap = (c.is_ascii_uppercase() && index > 0).then_some('_');
                    gap.into_iter().chain(std::iter::once(c.to_ascii_uppercase()))
                })
                .collect();
            assert_eq!(code.as_str(), snake);
            assert_eq!(ErrorCode::ALL.iter().filter(|other| other.as_str() == code.as_str()).count(), 1);
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(*code));
        }
        assert_eq!(serde_json::to_string(&ErrorCode::OutcomeUnknown).unwrap(), "\"OUTCOME_UNKNOWN\"");
    }

    #[test]
    fn a_timeout_names_the_host_and_the_time_limit_and_displays_as_its_message() {
        let timeout = Failure::from_transport("api.treasuredata.com", TransportFailure::Timeout, true);
        assert_eq!(
            timeout.message,
            "api.treasuredata.com did not answer within 15 seconds. Sending the same request again is safe: check \
             your connection and try again."
        );
        assert_eq!(timeout.to_string(), timeout.message);
        assert!(timeout.request_sent && timeout.status.is_none());
    }
}
