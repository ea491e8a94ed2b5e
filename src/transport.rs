//! Sends an [`ApiRequest`] with gloo-net (the global `fetch`, so it works in popups and in
//! service workers alike) and reads the whole answer within a time limit, as a stream that
//! is abandoned as soon as it passes [`MAX_ANSWER_BYTES`].

use gloo_net::http::{Method as FetchMethod, RequestBuilder, Response};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, ReadableStreamDefaultReader, ReadableStreamReadResult, ReferrerPolicy, RequestCache,
    RequestCredentials, RequestRedirect, ResponseType,
};

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
    let body = read_capped(&response, &signal, declared_length.unwrap_or(0)).await?;
    Ok(ApiResponse { status, content_type: headers.get("content-type"), body })
}

/// The answer's body as text, read chunk by chunk: once more than [`MAX_ANSWER_BYTES`] have
/// arrived the stream is cancelled (the browser drops the connection) instead of being
/// read on, however long the server would go on sending (a chunked answer declares no
/// length). Decoded as `Response.text()` does: UTF-8, invalid bytes replaced, a leading
/// byte order mark dropped.
/// `declared`: the length the answer declares (0: none), which only sizes the buffer.
async fn read_capped(response: &Response, signal: &AbortSignal, declared: usize) -> Result<String, TransportFailure> {
    let failed = |_| if signal.aborted() { TransportFailure::Timeout } else { TransportFailure::Network };
    let Some(stream) = response.body() else { return Ok(String::new()) };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    // Sized once for a declared length (at most the cap: `send` refused a longer one), so a
    // large answer is not copied again each time the buffer would grow.
    let mut bytes: Vec<u8> = Vec::with_capacity(declared.min(MAX_ANSWER_BYTES));
    loop {
        let chunk: ReadableStreamReadResult = JsFuture::from(reader.read()).await.map_err(failed)?.unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            break;
        }
        let chunk = js_sys::Uint8Array::new(&chunk.get_value());
        let start = bytes.len();
        if start + chunk.length() as usize > MAX_ANSWER_BYTES {
            // Abandoned here: cancelling the stream aborts the fetch.
            let _ = reader.cancel();
            return Err(TransportFailure::TooLarge);
        }
        bytes.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[start..]);
    }
    // Valid UTF-8 (the usual case) becomes the text without a copy of the whole answer.
    let text =
        String::from_utf8(bytes).unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned());
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}
