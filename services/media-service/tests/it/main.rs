//! Integration tests of media-service's parts that need no database or broker
//! (the service end to end is tested in `services/stack`).

mod storage;
