//! Sends an [`ApiRequest`] with gloo-net (the global `fetch`, so it works in popups and in
//! service workers alike) and reads the whole answer within a time limit.

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use web_sys::{AbortSignal, ReferrerPolicy, RequestCache, RequestCredentials, RequestRedirect, ResponseType};

use crate::http::{ApiRequest, ApiResponse, Exchange, Method, TransportFailure, MAX_ANSWER_BYTES};

/// Sends `request`; the time limit covers the answer's body as well as its headers.
///
/// Redirects are not followed (a redirect is reported, never chased with the key), no
/// cookies or referrer are sent, and nothing is cached.
pub async fn send(request: &ApiRequest, timeout_ms: u32) -> Exchange {
    let signal = AbortSignal::timeout_with_u32(timeout_ms);
    let failed = |_| if signal.aborted() { TransportFailure::Timeout } else { TransportFailure::Network };

    let mut builder = RequestBuilder::new(&request.url)
        .method(match request.method {
            Method::Get => FetchMethod::GET,
            Method::Post => FetchMethod::POST,
            Method::Put => FetchMethod::PUT,
        })
        .abort_signal(Some(&signal))
        .redirect(RequestRedirect::Manual)
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore)
        .referrer_policy(ReferrerPolicy::NoReferrer);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let prepared = match &request.body {
        Some(body) => builder.body(body.as_str()),
        None => builder.build(),
    }
    .map_err(|_| TransportFailure::Network)?;

    let response = prepared.send().await.map_err(failed)?;
    if response.type_() == ResponseType::Opaqueredirect {
        return Err(TransportFailure::Redirected);
    }
    let status = response.status();
    let headers = response.headers();
    let declared_length = headers.get("content-length").and_then(|length| length.trim().parse::<usize>().ok());
    if declared_length.is_some_and(|length| length > MAX_ANSWER_BYTES) {
        return Err(TransportFailure::TooLarge);
    }
    let body = response.text().await.map_err(failed)?;
    if body.len() > MAX_ANSWER_BYTES {
        return Err(TransportFailure::TooLarge);
    }
    Ok(ApiResponse { status, content_type: headers.get("content-type"), body })
}
