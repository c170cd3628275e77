//! Typed configuration from environment variables.
//!
//! Every setting has a default that works on this machine; a variable that is
//! set but does not parse is an error naming the variable and its value.

use std::fmt::Display;
use std::str::FromStr;
use std::time::Duration;

/// A variable whose value could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("environment variable {var}={value:?}: {reason}")]
pub struct ConfigError {
    /// The variable's name.
    pub var: String,
    /// Its value.
    pub value: String,
    /// Why it was refused.
    pub reason: String,
}

/// The variable's value, if set and not empty.
pub fn env_string(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// The variable parsed as `T`, or `None` when unset or empty.
pub fn env_parse<T>(var: &str) -> Result<Option<T>, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    match env_string(var) {
        None => Ok(None),
        Some(value) => value
            .trim()
            .parse::<T>()
            .map(Some)
            .map_err(|e| ConfigError {
                var: var.to_owned(),
                value: value.clone(),
                reason: e.to_string(),
            }),
    }
}

/// The variable parsed as `T`, or `default` when unset or empty.
pub fn env_or<T>(var: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    Ok(env_parse(var)?.unwrap_or(default))
}

/// The variable parsed as `T`; unset is an error.
pub fn env_required<T>(var: &str) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    env_parse(var)?.ok_or_else(|| ConfigError {
        var: var.to_owned(),
        value: String::new(),
        reason: "is required".to_owned(),
    })
}

/// A duration given in milliseconds, or `default`.
pub fn env_duration_ms(var: &str, default: Duration) -> Result<Duration, ConfigError> {
    Ok(env_parse::<u64>(var)?
        .map(Duration::from_millis)
        .unwrap_or(default))
}

/// A boolean (`1/0`, `true/false`, `yes/no`, `on/off`), or `default`.
pub fn env_bool(var: &str, default: bool) -> Result<bool, ConfigError> {
    match env_string(var) {
        None => Ok(default),
        Some(value) => match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError {
                var: var.to_owned(),
                value,
                reason: "expected 1/0, true/false, yes/no or on/off".to_owned(),
            }),
        },
    }
}
