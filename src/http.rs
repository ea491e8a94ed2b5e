//! A transport-free description of the requests Keyturn sends and the answers it gets.
//!
//! Services build an [`ApiRequest`] and interpret an [`Exchange`] as plain data, so every
//! rule is testable natively; only `transport` (wasm32) touches the network.

use crate::json::{Json, Object};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
}

impl Method {
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
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl ApiRequest {
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
    pub status: u16,
    pub content_type: Option<String>,
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

/// How a body that should be a JSON object turned out.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonBody {
    Object(Object),
    Empty,
    /// An HTML page, typically a proxy's or load balancer's error page.
    Html,
    /// Not JSON, or JSON that is not an object.
    Other,
}

impl JsonBody {
    pub fn of(response: &ApiResponse) -> JsonBody {
        let text = response.body.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return JsonBody::Empty;
        }
        let looks_html = text.starts_with('<') || response.content_type.as_deref().is_some_and(is_html_media_type);
        match Json::parse(text) {
            Some(Json::Object(object)) => JsonBody::Object(object),
            _ if looks_html => JsonBody::Html,
            _ => JsonBody::Other,
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

/// Whether a Content-Type names HTML (`text/html`, any parameters after it).
fn is_html_media_type(content_type: &str) -> bool {
    content_type.trim_start().get(..9).is_some_and(|media_type| media_type.eq_ignore_ascii_case("text/html"))
}

/// A request body: the object as JSON text.
pub fn json_body(object: Object) -> Option<String> {
    Some(Json::from(object).to_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(content_type: Option<&str>, body: &str) -> ApiResponse {
        ApiResponse { status: 200, content_type: content_type.map(String::from), body: body.into() }
    }

    #[test]
    fn classifies_bodies() {
        assert!(matches!(JsonBody::of(&response(None, r#"{"a":1}"#)), JsonBody::Object(_)));
        assert_eq!(JsonBody::of(&response(None, "  \n")), JsonBody::Empty);
        assert_eq!(JsonBody::of(&response(None, "<html>502</html>")), JsonBody::Html);
        assert_eq!(JsonBody::of(&response(Some("text/html; charset=utf-8"), "Bad gateway")), JsonBody::Html);
        assert_eq!(JsonBody::of(&response(Some("Text/HTML"), "Bad gateway")), JsonBody::Html);
        assert_eq!(JsonBody::of(&response(Some("text/plain; note=text/html"), "Bad gateway")), JsonBody::Other);
        assert_eq!(JsonBody::of(&response(None, "[1,2]")), JsonBody::Other);
        assert_eq!(JsonBody::of(&response(None, r#"{"oid": "#)), JsonBody::Other);
        assert!(matches!(JsonBody::of(&response(None, "\u{feff}{}")), JsonBody::Object(_)));
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
