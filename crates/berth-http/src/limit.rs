//! Failed-login rate limiting: per account (Basic login) and per client address. After too
//! many failures within the window, further attempts are refused with 429 before any
//! password is checked, so guessing costs the attacker the window, not the server Argon2
//! time. A success clears the account's count. The counts live in this process's memory
//! (one `berth serve` per database, as deployed).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failures are allowed within the window.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Failures allowed per login.
    pub per_account: u32,
    /// Failures allowed per client address.
    pub per_address: u32,
    /// The window over which failures count.
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 10,
            per_address: 50,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

/// The failure counts.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    limits: LoginLimits,
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
}

impl LoginLimiter {
    /// A limiter with these limits.
    pub fn new(limits: LoginLimits) -> Self {
        LoginLimiter {
            limits,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(login: Option<&str>, address: Option<IpAddr>) -> Vec<(Key, bool)> {
        let mut keys = Vec::new();
        if let Some(l) = login {
            keys.push((Key::Account(l.to_lowercase()), true));
        }
        if let Some(a) = address {
            keys.push((Key::Address(a.to_canonical()), false));
        }
        keys
    }

    /// Seconds to wait when `login` or `address` is over its limit; `None` when the attempt
    /// may go ahead.
    pub fn blocked(&self, login: Option<&str>, address: Option<IpAddr>) -> Option<u64> {
        let now = Instant::now();
        let map = self.failures.lock().ok()?;
        Self::keys(login, address)
            .into_iter()
            .filter_map(|(key, account)| {
                let (count, since) = map.get(&key)?;
                let limit = if account {
                    self.limits.per_account
                } else {
                    self.limits.per_address
                };
                let left = self.limits.window.checked_sub(now.duration_since(*since))?;
                (*count >= limit).then(|| left.as_secs().max(1))
            })
            .max()
    }

    /// Counts a failed attempt.
    pub fn failed(&self, login: Option<&str>, address: Option<IpAddr>) {
        let now = Instant::now();
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() >= SWEEP_AT {
            let window = self.limits.window;
            map.retain(|_, (_, since)| now.duration_since(*since) < window);
        }
        for (key, _) in Self::keys(login, address) {
            let entry = map.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= self.limits.window {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    /// Clears the count of `login` after a success.
    pub fn succeeded(&self, login: Option<&str>) {
        if let (Some(l), Ok(mut map)) = (login, self.failures.lock()) {
            map.remove(&Key::Account(l.to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_addresses_are_limited_separately_and_success_clears_the_account() {
        let limiter = LoginLimiter::new(LoginLimits {
            per_account: 2,
            per_address: 3,
            window: Duration::from_secs(60),
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(limiter.blocked(Some("bob"), Some(ip)), None);
        limiter.failed(Some("bob"), Some(ip));
        limiter.failed(Some("BOB"), Some(ip));
        assert!(limiter.blocked(Some("bob"), None).is_some());
        assert_eq!(limiter.blocked(Some("alice"), Some(ip)), None);
        limiter.succeeded(Some("bob"));
        assert_eq!(limiter.blocked(Some("bob"), None), None);
        limiter.failed(None, Some(ip));
        assert!(limiter.blocked(Some("alice"), Some(ip)).is_some());
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert_eq!(limiter.blocked(Some("alice"), Some(other)), None);
    }

    #[test]
    fn failures_expire_with_the_window() {
        let limiter = LoginLimiter::new(LoginLimits {
            per_account: 1,
            per_address: 1,
            window: Duration::from_millis(1),
        });
        limiter.failed(Some("bob"), None);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(limiter.blocked(Some("bob"), None), None);
    }
}
