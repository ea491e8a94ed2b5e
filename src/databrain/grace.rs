//! The grace period before the rotated key expires: rotate-api's `expireAt`, in seconds.
//! The document accepts a number or a numeric string; Keyturn always sends a number.

use crate::failure::{ErrorCode, Failure};

/// The largest whole number a JSON number (an IEEE double) carries exactly: 2^53 - 1.
const MAX_EXACT: u64 = (1 << 53) - 1;

/// How long the rotated key keeps working, in whole seconds (`expireAt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GracePeriod(u64);

/// The durations Databrain's documentation lists, offered as presets (seconds, label).
pub const PRESETS: [(u64, &str); 5] = [
    (0, "Expire immediately"),
    (300, "5 minutes"),
    (3600, "1 hour (recommended)"),
    (86400, "24 hours"),
    (604800, "7 days"),
];

impl GracePeriod {
    /// The default, which Databrain recommends: time to update applications.
    pub const RECOMMENDED: GracePeriod = GracePeriod(3600);

    /// From a number (what a preset or a number field gives): a whole, non-negative number
    /// of seconds that a JSON number carries exactly.
    pub fn from_number(number: f64) -> Result<GracePeriod, Failure> {
        if number >= 0.0 && number.fract() == 0.0 && number <= MAX_EXACT as f64 {
            Ok(GracePeriod(number as u64))
        } else {
            Err(invalid(Some(number)))
        }
    }

    /// A non-negative whole number of seconds written in decimal digits (what a text field gives).
    pub fn parse(text: &str) -> Result<GracePeriod, Failure> {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(decimal_value_of(text)));
        }
        match text.parse::<u64>() {
            Ok(seconds) if seconds <= MAX_EXACT => Ok(GracePeriod(seconds)),
            _ => Err(invalid(Some(f64::INFINITY))),
        }
    }

    /// When a key rotated at `now_ms` (milliseconds since the epoch) stops working.
    pub fn expiry_from(self, now_ms: f64) -> f64 {
        now_ms + self.0 as f64 * 1000.0
    }

    /// Expiring the old key at once breaks every application that still uses it, so it
    /// needs an explicit confirmation.
    pub fn confirm(self, confirmed_immediate: bool) -> Result<GracePeriod, Failure> {
        if self.is_immediate() && !confirmed_immediate {
            return Err(Failure::new(
                ErrorCode::ImmediateExpiryNotConfirmed,
                "Expiring the key immediately stops every application that uses it at once. Confirm that, or choose a grace period.",
            ));
        }
        Ok(self)
    }

    /// The grace period in seconds, as sent.
    pub fn seconds(self) -> u64 {
        self.0
    }

    /// Whether the old key stops working at once (0 seconds).
    pub fn is_immediate(self) -> bool {
        self.0 == 0
    }
}

/// Enough of a plain decimal (`-12`, `1.5`) to say why it was refused, without pulling a
/// float parser into the wasm module.
fn decimal_value_of(text: &str) -> Option<f64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let magnitude = if fraction.trim_end_matches('0').is_empty() { 1.0 } else { 1.5 };
    Some(if negative { -magnitude } else { magnitude })
}

fn invalid(number: Option<f64>) -> Failure {
    let reason = match number {
        Some(n) if n < 0.0 => "it cannot be negative",
        Some(n) if n.is_finite() && n.fract() != 0.0 => "it must be a whole number of seconds",
        Some(n) if n > MAX_EXACT as f64 => "it is too large to send exactly",
        _ => "enter a whole number of seconds, such as 3600 for one hour",
    };
    Failure::new(ErrorCode::InvalidGracePeriod, format!("That grace period is not valid: {reason}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_numbers_and_numeric_strings() {
        for (number, seconds) in [(0.0, 0), (3600.0, 3600), (9007199254740991.0, MAX_EXACT)] {
            assert_eq!(GracePeriod::from_number(number).unwrap().seconds(), seconds, "{number}");
        }
        for (text, seconds) in [("86400", 86400), (" 604800 ", 604800), ("9007199254740991", MAX_EXACT)] {
            assert_eq!(GracePeriod::parse(text).unwrap().seconds(), seconds, "{text}");
        }
        assert!(GracePeriod::parse("0").unwrap().is_immediate());
    }

    #[test]
    fn immediate_expiry_needs_confirmation() {
        let now = GracePeriod::parse("0").unwrap();
        assert_eq!(now.confirm(false).unwrap_err().code, ErrorCode::ImmediateExpiryNotConfirmed);
        assert!(now.confirm(true).is_ok());
        assert!(GracePeriod::RECOMMENDED.confirm(false).is_ok());
        assert_eq!(GracePeriod::RECOMMENDED.expiry_from(1_000.0), 3_601_000.0);
        assert!(PRESETS
            .iter()
            .any(|(s, label)| *s == GracePeriod::RECOMMENDED.seconds() && label.contains("recommended")));
    }

    #[test]
    fn each_refusal_says_exactly_why() {
        let reason = |result: Result<GracePeriod, Failure>| result.unwrap_err().message;
        let says = |why: &str| format!("That grace period is not valid: {why}.");
        assert_eq!(reason(GracePeriod::from_number(1.5)), says("it must be a whole number of seconds"));
        assert_eq!(reason(GracePeriod::parse("2.25")), says("it must be a whole number of seconds"));
        assert_eq!(reason(GracePeriod::parse("-0")), says("it cannot be negative"));
        assert_eq!(
            reason(GracePeriod::parse("7.000")),
            says("enter a whole number of seconds, such as 3600 for one hour")
        );
        // Not a plain decimal at all: the general advice.
        for text in ["-", ".5", "1a.5", "1.5x", "--1"] {
            assert_eq!(
                reason(GracePeriod::parse(text)),
                says("enter a whole number of seconds, such as 3600 for one hour"),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_negatives_fractions_text_and_inexact_numbers() {
        let numbers = [
            (-1.0, "negative"),
            (1.5, "whole number"),
            (f64::NAN, "seconds"),
            (f64::INFINITY, "too large"),
            (9007199254740992.0, "too large"),
        ];
        let texts = [
            ("-5", "negative"),
            ("1.5", "whole number"),
            ("1e3", "seconds"),
            ("+60", "seconds"),
            ("abc", "seconds"),
            ("", "seconds"),
            ("9007199254740992", "too large"),
            ("99999999999999999999999", "too large"),
        ];
        let failures = numbers
            .iter()
            .map(|(number, says)| (number.to_string(), GracePeriod::from_number(*number), says))
            .chain(texts.iter().map(|(text, says)| (text.to_string(), GracePeriod::parse(text), says)));
        for (input, result, says) in failures {
            let failure = result.unwrap_err();
            assert_eq!(failure.code, ErrorCode::InvalidGracePeriod);
            assert!(failure.message.contains(says), "{input}: {}", failure.message);
        }
    }
}
