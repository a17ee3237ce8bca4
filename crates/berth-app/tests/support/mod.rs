//! What the mail-sending service tests share: a small SMTP sink on 127.0.0.1:0 that keeps
//! every message it is given, and a clock the test moves.

#![allow(dead_code)]

use std::sync::Mutex;

use berth_core::clock::Clock;
use chrono::{DateTime, Duration, Utc};

#[allow(unused_imports)] // each test binary uses its part
pub use berth_mail_sink::{Mail, MailSink as Sink};

/// A clock the test moves.
#[derive(Debug)]
pub struct MovingClock(pub Mutex<DateTime<Utc>>);

impl Clock for MovingClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl MovingClock {
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}
