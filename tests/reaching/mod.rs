//! The runner every property test file shares: a property must reach its assertion.
//!
//! `test` returns whether a case reached the property's main assertion (an accepted input,
//! say, beside the hostile ones the strategy also makes); the property fails when fewer than
//! a third of its cases did, since a strategy that drifted into producing only refusals
//! would otherwise pass while checking nothing.

use std::cell::Cell;
use std::fmt::Debug;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Runs `test` over the cases of `strategy` with `config`, and fails the property when a
/// case fails or when fewer than a third of the cases reached the assertion.
pub fn property_reaching<S>(
    name: &str,
    config: Config,
    strategy: S,
    test: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let (cases, reached) = (Cell::new(0u32), Cell::new(0u32));
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&strategy, |value| {
        cases.set(cases.get() + 1);
        if test(value)? {
            reached.set(reached.get() + 1);
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{name}: {failure}");
    }
    let (cases, reached) = (cases.get(), reached.get());
    assert!(
        reached * 3 >= cases,
        "{name}: only {reached} of {cases} cases reached the assertion; the generator must produce accepted inputs"
    );
}
