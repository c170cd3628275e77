//! Typed environment configuration.

use std::net::SocketAddr;
use std::time::Duration;

use nova_kit::config::{env_bool, env_duration_ms, env_or, env_required};

#[test]
fn unset_variables_take_their_defaults() {
    let addr: SocketAddr = env_or(
        "NOVA_KIT_TEST_UNSET_ADDR",
        "127.0.0.1:50051".parse().expect("addr"),
    )
    .expect("default");
    assert_eq!(addr.port(), 50051);
    assert_eq!(
        env_duration_ms("NOVA_KIT_TEST_UNSET_MS", Duration::from_secs(2)),
        Ok(Duration::from_secs(2))
    );
    assert_eq!(env_bool("NOVA_KIT_TEST_UNSET_BOOL", true), Ok(true));
    let missing = env_required::<String>("NOVA_KIT_TEST_UNSET_REQUIRED").expect_err("required");
    assert_eq!(
        missing.to_string(),
        "environment variable NOVA_KIT_TEST_UNSET_REQUIRED=\"\": is required"
    );
}

#[test]
fn a_bad_value_names_the_variable_and_the_value() {
    // SAFETY: nextest runs each test in its own process; nothing else reads the environment here.
    unsafe {
        std::env::set_var("NOVA_KIT_TEST_PORT", "eighty");
        std::env::set_var("NOVA_KIT_TEST_FLAG", "maybe");
        std::env::set_var("NOVA_KIT_TEST_OK", " 8080 ");
    }
    let err = env_or::<u16>("NOVA_KIT_TEST_PORT", 1).expect_err("bad");
    assert_eq!(
        err.to_string(),
        "environment variable NOVA_KIT_TEST_PORT=\"eighty\": invalid digit found in string"
    );
    assert!(env_bool("NOVA_KIT_TEST_FLAG", false).is_err());
    assert_eq!(env_or::<u16>("NOVA_KIT_TEST_OK", 1), Ok(8080));
}
