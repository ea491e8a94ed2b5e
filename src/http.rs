//! A transport-free description of the requests Keyturn sends and the answers it gets.
//!
//! Services build an [`ApiRequest`] and interpret an [`Exchange`] as plain data, so every
//! rule is testable natively; only `transport` (wasm32) touches the network. Answers are
//! read with serde_json into `#[derive(Deserialize)]` types, one per answer, and then
//! validated into the core's typed results.

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The HTTP methods Keyturn sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Listing keys.
    Get,
    /// Rotating or creating a Databrain key.
    Post,
    /// Replacing a data model's key.
    Put,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

/// One request, ready to send. Its `Debug` output hides the header values, which carry keys.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// The method.
    pub method: Method,
    /// The whole URL: a host from an allowlist, a path built from validated parts.
    pub url: String,
    /// Headers, credentials included (hidden from `Debug`).
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body, if any.
    pub body: Option<String>,
}

impl ApiRequest {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| *n).collect();
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .finish_non_exhaustive()
    }
}

/// An answer as far as the transport could read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    /// The HTTP status.
    pub status: u16,
    /// The Content-Type header, when there was one.
    pub content_type: Option<String>,
    /// The body as text (at most [`MAX_ANSWER_BYTES`]).
    pub body: String,
}

/// Why no answer arrived. Fetch cannot tell whether the server already acted on the
/// request, which matters for the non-idempotent Databrain rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// No complete answer within the time limit (the request was aborted).
    Timeout,
    /// The connection failed: offline, DNS, TLS, reset, refused.
    Network,
    /// The server answered with a redirect; Keyturn never follows one, so a key cannot be
    /// carried to another host.
    Redirected,
    /// The answer was larger than [`MAX_ANSWER_BYTES`]; Keyturn stopped reading it.
    TooLarge,
}

/// No documented answer comes near this size; a larger one is not read into memory.
pub const MAX_ANSWER_BYTES: usize = 2 * 1024 * 1024;

/// What one request produced: an answer, or the reason there was none.
pub type Exchange = Result<ApiResponse, TransportFailure>;

/// How a body that should be a JSON object turned out, read as the answer type `T`.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonBody<T> {
    /// A JSON object of the answer's shape.
    Object(T),
    /// No body at all.
    Empty,
    /// An HTML page, typically a proxy's or load balancer's error page.
    Html,
    /// Not JSON, or JSON that is not an object of `T`'s shape.
    Other,
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// How `response`'s body reads as `T`.
    pub fn of(response: &ApiResponse) -> JsonBody<T> {
        let text = response.body.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return JsonBody::Empty;
        }
        // Only an object: a derived struct would also read an array, field by position.
        if text.starts_with('{') {
            if let Ok(value) = serde_json::from_str::<T>(text) {
                return JsonBody::Object(value);
            }
        }
        if text.starts_with('<') || response.content_type.as_deref().is_some_and(is_html_media_type) {
            JsonBody::Html
        } else {
            JsonBody::Other
        }
    }
}

impl<T> JsonBody<T> {
    /// The object, when the body was one.
    pub fn object(&self) -> Option<&T> {
        match self {
            JsonBody::Object(value) => Some(value),
            _ => None,
        }
    }

    /// A few words for messages: what the body was instead of the expected object.
    pub fn describe(&self) -> &'static str {
        match self {
            JsonBody::Object(_) => "a JSON object",
            JsonBody::Empty => "an empty body",
            JsonBody::Html => "an HTML page instead of JSON",
            JsonBody::Other => "a body that is not a JSON object",
        }
    }
}

/// An answer's field that Keyturn reads as text when it is a JSON string. Any other value
/// (a number, even one beyond a double's range, an object, `null`) reads as absent instead
/// of making the whole answer unreadable: the services document few field types, and the
/// fields Keyturn checks decide everything. Use with `#[serde(default)]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub Option<String>);

impl Text {
    /// The text, when the field was a JSON string.
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Raw first: serde_json skips a raw value by its syntax alone, so no number range applies.
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok(Text(serde_json::from_str(raw.get()).ok()))
    }
}

/// Whether a Content-Type names HTML (`text/html`, any parameters after it).
fn is_html_media_type(content_type: &str) -> bool {
    content_type.trim_start().get(..9).is_some_and(|media_type| media_type.eq_ignore_ascii_case("text/html"))
}

/// A request body: `body` as JSON text. The bodies are structs of strings and whole
/// numbers, which always serialize.
pub fn json_body<T: Serialize>(body: &T) -> Option<String> {
    serde_json::to_string(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(content_type: Option<&str>, body: &str) -> ApiResponse {
        ApiResponse { status: 200, content_type: content_type.map(String::from), body: body.into() }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Answer {
        #[serde(default)]
        a: Text,
    }

    fn body(content_type: Option<&str>, text: &str) -> JsonBody<Answer> {
        JsonBody::of(&response(content_type, text))
    }

    #[test]
    fn classifies_bodies() {
        assert_eq!(body(None, r#"{"a":"x"}"#), JsonBody::Object(Answer { a: Text(Some("x".into())) }));
        // A field of another type, even a number no double holds, reads as absent.
        assert_eq!(body(None, r#"{"a":1e999,"b":[-1e999]}"#), JsonBody::Object(Answer { a: Text(None) }));
        assert_eq!(body(None, r#"["x"]"#), JsonBody::Other, "an array is not read by position");
        assert_eq!(body(None, "  \n"), JsonBody::Empty);
        assert_eq!(body(None, "<html>502</html>"), JsonBody::Html);
        assert_eq!(body(Some("text/html; charset=utf-8"), "Bad gateway"), JsonBody::Html);
        assert_eq!(body(Some("Text/HTML"), "Bad gateway"), JsonBody::Html);
        assert_eq!(body(Some("text/plain; note=text/html"), "Bad gateway"), JsonBody::Other);
        assert_eq!(body(None, "[1,2]"), JsonBody::Other);
        assert_eq!(body(None, r#"{"oid": "#), JsonBody::Other);
        assert_eq!(body(None, r#"{"a":"x",}"#), JsonBody::Other, "strict JSON: no trailing comma");
        assert!(matches!(body(None, "\u{feff}{}"), JsonBody::Object(_)));
    }

    #[test]
    fn methods_have_their_wire_names() {
        assert_eq!([Method::Get, Method::Post, Method::Put].map(Method::as_str), ["GET", "POST", "PUT"]);
    }

    #[test]
    fn the_answer_cap_is_the_2_mb_the_messages_name() {
        assert_eq!(MAX_ANSWER_BYTES, 2 * 1024 * 1024);
        let failure = crate::Failure::from_transport("api.example", TransportFailure::TooLarge, true);
        assert!(failure.message.contains("more than 2 MB"), "{}", failure.message);
    }

    #[test]
    fn headers_are_found_in_any_case_and_only_when_sent() {
        let request = ApiRequest {
            method: Method::Get,
            url: "https://api.treasuredata.com/x".into(),
            headers: vec![("Accept", "application/json".into()), ("Authorization", "TD1 1/x".into())],
            body: None,
        };
        assert_eq!(request.header("AUTHORIZATION"), Some("TD1 1/x"));
        assert_eq!(request.header("accept"), Some("application/json"));
        assert_eq!(request.header("cookie"), None);
    }

    #[test]
    fn bodies_are_described_by_what_they_are() {
        assert_eq!(body(None, r#"{"a":"x"}"#).describe(), "a JSON object");
        assert_eq!(body(None, "").describe(), "an empty body");
        assert_eq!(body(None, "<p>").describe(), "an HTML page instead of JSON");
        assert_eq!(body(None, "1").describe(), "a body that is not a JSON object");
        assert_eq!(body(None, r#"{"a":"x"}"#).object().and_then(|answer| answer.a.as_deref()), Some("x"));
        assert_eq!(body(None, "[]").object(), None);
        assert_eq!(json_body(&serde_json::json!({"k": 1})).as_deref(), Some(r#"{"k":1}"#));
    }

    #[test]
    fn debug_output_hides_header_values() {
        let request = ApiRequest {
            method: Method::Put,
            url: "https://api.treasuredata.com/x".into(),
            headers: vec![("Authorization", "TD1 1/secret".into())],
            body: Some("{\"apikey\":\"1/secret\"}".into()),
        };
        let shown = format!("{request:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("Authorization"));
    }
}
