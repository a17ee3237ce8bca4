//! Password hashing (Argon2id, PHC strings) and generation. Hashing is CPU-heavy by design,
//! so it runs on the blocking pool, never on the async workers.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash as PhcHash};
use berth_core::account::{Password, PasswordHash};
use berth_core::{Error, Result};

/// At most one Argon2 computation per CPU at a time: each takes 19 MiB and a core, so an
/// unbounded number (many API clients creating accounts or logging in at once) only adds
/// memory — gigabytes under load — without finishing any sooner.
fn slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        tokio::sync::Semaphore::new(cpus)
    })
}

/// Hashes a password with Argon2id and a fresh random salt.
pub async fn hash(password: &Password) -> Result<PasswordHash> {
    let clear = password.expose().to_owned();
    let _slot = slots()
        .acquire()
        .await
        .map_err(|_| Error::failed("password hashing is shut down"))?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(clear.as_bytes())
            .map(|phc| PasswordHash(phc.to_string()))
            .map_err(|_| Error::failed("password hashing failed"))
    })
    .await
    .map_err(|_| Error::failed("password hashing was interrupted"))?
}

/// Whether `password` matches `hash`. A malformed stored hash never matches.
pub async fn verify(password: &str, hash: &PasswordHash) -> bool {
    let clear = password.to_owned();
    let stored = hash.0.clone();
    let Ok(_slot) = slots().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        PhcHash::new(&stored)
            .map(|phc| {
                Argon2::default()
                    .verify_password(clear.as_bytes(), &phc)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A valid Argon2id hash of a random password, to verify against when the login is
/// unknown (same cost as a real check).
pub fn decoy_hash() -> PasswordHash {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DECOY.get_or_init(|| {
        let clear = generate(24).unwrap_or_else(|_| "decoy-password-for-timing".to_owned());
        Argon2::default()
            .hash_password(clear.as_bytes())
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    PasswordHash(phc.clone())
}

/// Letters and digits without look-alikes (no 0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A random password of `len` characters from the operating system's secure generator.
pub fn generate(len: usize) -> Result<String> {
    let mut out = String::with_capacity(len);
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - (256 % ALPHABET.len());
    while out.len() < len {
        let mut buf = [0u8; 64];
        getrandom::fill(&mut buf)
            .map_err(|_| Error::failed("the system random generator failed"))?;
        for b in buf {
            if (b as usize) < limit && out.len() < len {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let p = Password::parse("password", "correct horse").unwrap();
        let a = hash(&p).await.unwrap();
        let b = hash(&p).await.unwrap();
        assert!(a.0.starts_with("$argon2id$"), "{}", a.0);
        assert_ne!(a, b, "fresh salt each time");
        assert!(verify("correct horse", &a).await);
        assert!(!verify("wrong horse", &a).await);
        assert!(!verify("x", &PasswordHash("garbage".into())).await);
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let a = generate(20).unwrap();
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(a, generate(20).unwrap());
        assert!(Password::parse("password", &a).is_ok());
    }
}
