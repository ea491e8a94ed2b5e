//! Databrain's error answers: `{"error": {"code": "<CODE>", "message": "<text>"}}`
//! (databrain-api.md), read defensively, and mapped to typed failures with advice.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::failure::{ErrorCode, Failure};
use crate::http::{ApiResponse, JsonBody, Text};
use crate::input::{server_text, Secret};

/// Which call failed: the advice differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `POST /api/v2/data-app/rotate-api`.
    Rotate,
    /// `GET /api/v2/data-app/api-tokens` (service token).
    ListKeys,
    /// `POST /api/v2/data-app/api-tokens` (service token).
    CreateKey,
}

/// An error body, in any of its usual shapes: `{"error":{"code","message"}}` (documented),
/// `{"error":"CODE","message"}` or `{"code","message"}`.
#[derive(Deserialize)]
pub struct ErrorAnswer {
    /// An object or a code: which one is decided in [`read_error`].
    #[serde(default)]
    error: Option<Box<RawValue>>,
    #[serde(default)]
    code: Text,
    #[serde(default)]
    message: Text,
}

/// The inner object of the documented shape.
#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: Text,
    #[serde(default)]
    message: Text,
}

/// The code and message of an error body.
pub fn read_error(body: &JsonBody<ErrorAnswer>) -> (Option<String>, Option<String>) {
    let Some(answer) = body.object() else { return (None, None) };
    let inner = answer.error.as_deref().map(RawValue::get).unwrap_or_default();
    if inner.starts_with('{') {
        if let Ok(detail) = serde_json::from_str::<ErrorDetail>(inner) {
            return (detail.code.0, detail.message.0);
        }
    }
    match serde_json::from_str::<Text>(inner).ok().and_then(|code| code.0) {
        Some(code) => (Some(code), answer.message.0.clone()),
        None => (answer.code.0.clone(), answer.message.0.clone()),
    }
}

const SERVICE_TOKEN_HINT: &str =
    "Open \"Lost or expired key?\" below and use a service token to list the data app's keys or create a new one.";

/// The failure for a non-200 answer (or a 200 carrying an error object) to a request that
/// carried `sent` (a key or a service token), which is removed from the server's text.
pub(crate) fn databrain_failure(response: &ApiResponse, operation: Operation, sent: &Secret) -> Failure {
    let body = JsonBody::of(response);
    let (code, server_message) = read_error(&body);
    let status = response.status;
    let rotate = operation == Operation::Rotate;
    let failure = |code: ErrorCode, message: String| Failure::with_status(code, status, message);

    match (code.as_deref(), status) {
        (Some("INVALID_REQUEST_BODY"), _) if rotate => failure(
            ErrorCode::InvalidRequestBody,
            format!("Databrain refused the grace period (INVALID_REQUEST_BODY, {status}). Nothing was rotated: choose a preset or a whole number of seconds and try again."),
        ),
        (Some("INVALID_REQUEST_BODY"), _) => failure(
            ErrorCode::InvalidRequestBody,
            format!("Databrain refused the request (INVALID_REQUEST_BODY, {status}): the data app name or the key's label is missing or invalid."),
        ),
        (Some("AUTHENTICATION_ERROR" | "AUTHENTICATION_ERR") | None, 401) if rotate => failure(
            ErrorCode::AuthenticationError,
            format!("Databrain does not know this key, or it has already expired (401). A key that is gone cannot rotate itself. {SERVICE_TOKEN_HINT}"),
        ),
        (Some("AUTHENTICATION_ERROR" | "AUTHENTICATION_ERR") | None, 401) => failure(
            ErrorCode::AuthenticationError,
            "Databrain refused the service token (401). Copy a current one from Settings > Service Tokens in Databrain.".to_string(),
        ),
        (Some("AUTHENTICATION_ERROR" | "AUTHENTICATION_ERR"), _) => failure(
            ErrorCode::AuthenticationError,
            format!("Databrain says the credential is missing or not a valid UUID (AUTHENTICATION_ERROR, {status}). Nothing was changed: copy it again."),
        ),
        (Some("INVALID_DATA_APP_API_KEY"), _) => failure(
            ErrorCode::InvalidDataAppApiKey,
            format!(
                "Databrain will not rotate this key (INVALID_DATA_APP_API_KEY, {status}). Either it already has an expiry set, \
                 which means it was already rotated and a newer key exists (use that one), or it is a service token rather \
                 than a data app key, or it belongs to another organisation or no longer exists. {SERVICE_TOKEN_HINT}"
            ),
        ),
        (Some("DATA_APP_NOT_FOUND"), _) => failure(
            ErrorCode::DataAppNotFound,
            format!("Databrain has no data app with that name (DATA_APP_NOT_FOUND, {status}). The name must match exactly, capitals included."),
        ),
        (Some("INTERNAL_SERVER_ERROR") | None, 500..=599) => failure(
            ErrorCode::InternalServerError,
            match operation {
                Operation::ListKeys => format!("Databrain had a server error ({status}). Listing is safe to repeat: try again in a few minutes."),
                _ => format!(
                    "Databrain had a server error ({status}). It probably changed nothing, but that is not certain: before trying \
                     again, check whether the current key still works and has no expiry (or list the data app's keys with a \
                     service token)."
                ),
            },
        ),
        (code, _) => {
            let detail = match (code, server_message) {
                (Some(code), Some(message)) => format!("{}: {}", server_text(code, 60, sent), server_text(&message, 160, sent)),
                (Some(code), None) => server_text(code, 60, sent),
                (None, _) => body.describe().to_string(),
            };
            failure(
                ErrorCode::UnknownApiError,
                match operation {
                    Operation::ListKeys => format!("Databrain answered {status} with an error Keyturn does not know ({detail})."),
                    _ => format!(
                        "Databrain answered {status} with an error Keyturn does not know ({detail}). Before trying again, check \
                         whether anything changed: the current key may already have an expiry."
                    ),
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "550e8400-e29b-41d4-a716-446655440000";

    fn failure(status: u16, body: &str, operation: Operation) -> Failure {
        databrain_failure(&ApiResponse { status, content_type: None, body: body.into() }, operation, &Secret::new(KEY))
    }

    fn code(status: u16, body: &str) -> ErrorCode {
        failure(status, body, Operation::Rotate).code
    }

    fn err(code: &str) -> String {
        format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#)
    }

    #[test]
    fn reads_every_usual_error_shape() {
        let read =
            |body: &str| read_error(&JsonBody::of(&ApiResponse { status: 400, content_type: None, body: body.into() }));
        assert_eq!(read(&err("X")), (Some("X".into()), Some("m".into())));
        assert_eq!(read(r#"{"error":"X","message":"m"}"#), (Some("X".into()), Some("m".into())));
        assert_eq!(read(r#"{"code":"X"}"#), (Some("X".into()), None));
        assert_eq!(read(r#"{"error":{"message":"only"}}"#), (None, Some("only".into())));
        assert_eq!(read("<html>"), (None, None));
    }

    #[test]
    fn every_documented_rotate_error_has_its_code() {
        assert_eq!(code(400, &err("INVALID_REQUEST_BODY")), ErrorCode::InvalidRequestBody);
        assert_eq!(code(400, &err("AUTHENTICATION_ERROR")), ErrorCode::AuthenticationError);
        assert_eq!(code(400, &err("INVALID_DATA_APP_API_KEY")), ErrorCode::InvalidDataAppApiKey);
        assert_eq!(code(500, &err("INTERNAL_SERVER_ERROR")), ErrorCode::InternalServerError);
        assert_eq!(code(418, &err("TEAPOT")), ErrorCode::UnknownApiError);
        assert_eq!(code(429, "rate limited"), ErrorCode::UnknownApiError);
        assert_eq!(code(503, "<html>down</html>"), ErrorCode::InternalServerError);
    }

    #[test]
    fn an_unknown_or_expired_key_points_to_the_service_token_path() {
        for body in [err("AUTHENTICATION_ERROR"), err("AUTHENTICATION_ERR"), "{}".to_string(), "".to_string()] {
            let f = failure(401, &body, Operation::Rotate);
            assert_eq!(f.code, ErrorCode::AuthenticationError, "{body}");
            assert!(f.message.contains("service token"), "{}", f.message);
        }
        assert!(failure(400, &err("INVALID_DATA_APP_API_KEY"), Operation::Rotate).message.contains("already rotated"));
    }

    #[test]
    fn service_token_calls_get_their_own_advice() {
        assert!(failure(401, "{}", Operation::ListKeys).message.contains("refused the service token"));
        assert_eq!(failure(400, &err("DATA_APP_NOT_FOUND"), Operation::CreateKey).code, ErrorCode::DataAppNotFound);
        assert!(failure(400, &err("INVALID_REQUEST_BODY"), Operation::CreateKey).message.contains("data app name"));
        assert!(failure(500, "{}", Operation::ListKeys).message.contains("safe to repeat"));
    }

    #[test]
    fn each_call_gets_its_own_advice_for_the_same_answer() {
        let body = err("INVALID_REQUEST_BODY");
        assert!(failure(400, &body, Operation::Rotate).message.contains("refused the grace period"));
        assert!(!failure(400, &body, Operation::CreateKey).message.contains("grace period"));
        let rotate = failure(401, "{}", Operation::Rotate).message;
        assert!(rotate.contains("cannot rotate itself") && !rotate.contains("refused the service token"), "{rotate}");
        let unknown = r#"{"error":{"code":"KEY_LOCKED"}}"#;
        assert_eq!(
            failure(409, unknown, Operation::ListKeys).message,
            "Databrain answered 409 with an error Keyturn does not know (KEY_LOCKED).",
            "listing changed nothing, so there is nothing to check"
        );
        assert!(failure(409, unknown, Operation::CreateKey).message.contains("check whether anything changed"));
    }

    #[test]
    fn the_sent_credential_is_removed_from_the_server_s_text_which_is_capped() {
        let long = "m".repeat(2_000);
        let f = failure(
            409,
            &format!(r#"{{"error":{{"code":"{KEY}","message":"key {} {long}"}}}}"#, KEY.to_uppercase()),
            Operation::Rotate,
        );
        assert!(f.message.contains("([key removed]: key [key removed] mmm"), "{}", f.message);
        assert!(!f.message.to_lowercase().contains(KEY) && f.message.len() < 600, "{}", f.message);
        let f = failure(409, &format!(r#"{{"code":"{long}"}}"#), Operation::ListKeys);
        assert!(f.message.contains(&format!("({}…)", "m".repeat(60))), "{}", f.message);
    }

    #[test]
    fn unknown_codes_are_shown_with_their_status() {
        let f = failure(409, r#"{"error":{"code":"KEY_LOCKED","message":"locked"}}"#, Operation::Rotate);
        assert_eq!((f.code, f.status), (ErrorCode::UnknownApiError, Some(409)));
        assert!(f.message.contains("KEY_LOCKED: locked") && f.message.contains("409"));
    }
}
