//! The core's own JSON reader against serde_json (with arbitrary_precision, so numbers stay
//! as written in both): both accept the same documents and read the same values; what the
//! core writes reads back as the same value.
#![no_main]
use keyturn::json::Json;
use libfuzzer_sys::fuzz_target;

/// Nesting the core refuses on purpose (its limit is 64 levels; serde_json's is 128).
fn depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for byte in text.bytes() {
        match byte {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        deepest = deepest.max(depth);
    }
    deepest
}

/// serde_json writes an exponent as `e+N` / `e-N` whatever the input's spelling.
fn exponent_spelled_out(number: &str) -> String {
    let number = number.to_ascii_lowercase();
    match number.split_once('e') {
        Some((mantissa, exponent)) if !exponent.starts_with(['+', '-']) => format!("{mantissa}e+{exponent}"),
        _ => number,
    }
}

fn same(ours: &Json, theirs: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Number(text), Value::Number(number)) => exponent_spelled_out(text) == number.to_string(),
        (Json::String(a), Value::String(b)) => a == b,
        (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Json::Object(a), Value::Object(b)) => {
            b.iter().all(|(name, value)| a.get(name).is_some_and(|ours| same(ours, value)))
        }
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = Json::parse(text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &theirs) {
        (Some(ours), Ok(theirs)) => assert!(same(ours, theirs), "{text:?}: {ours:?} against {theirs}"),
        (None, Ok(_)) => assert!(depth(text) > 64, "the core refused what serde_json read: {text:?}"),
        (Some(_), Err(error)) => panic!("the core read what serde_json refused: {text:?}: {error}"),
        (None, Err(_)) => {}
    }
    if let Some(value) = ours {
        assert_eq!(Json::parse(&value.to_text()), Some(value));
    }
});
