//! Password hashing (Argon2id, PHC strings) and generation. Hashing is CPU-heavy by design,
//! so it runs on a few dedicated threads, never on the async workers.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash as PhcHash, Version};
use berth_core::account::{Password, PasswordHash};
use berth_core::{Error, Result};

/// Argon2 runs on a fixed set of dedicated threads, one per CPU, fed through a queue.
///
/// Each computation takes [`ARGON2_MEMORY_KIB`] and a core, so running more at once (many API clients
/// creating accounts or logging in together) only adds memory without finishing any
/// sooner. Dedicated threads rather than tokio's blocking pool also keep those blocks on a
/// few threads instead of spreading them over dozens of short-lived ones, each of which
/// the allocator would give its own cache.
struct Hashers {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>,
}

/// One unit of Argon2 work; it answers through its own channel.
type HashJob = Box<dyn FnOnce() + Send>;

fn hashers() -> &'static Hashers {
    static HASHERS: std::sync::OnceLock<Hashers> = std::sync::OnceLock::new();
    HASHERS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let (send, receive) = std::sync::mpsc::channel::<HashJob>();
        let receive = std::sync::Arc::new(std::sync::Mutex::new(receive));
        for n in 0..cpus {
            let receive = receive.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("berth-argon2-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only to take the next job, not to run it.
                        let job = match receive.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password hashing thread: {e}");
            }
        }
        Hashers {
            jobs: std::sync::Mutex::new(send),
        }
    })
}

/// Runs `work` on a hashing thread and waits for its answer without blocking the runtime.
async fn on_hasher<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = answer.send(work());
    });
    hashers()
        .jobs
        .lock()
        .map_err(|_| Error::failed("password hashing is shut down"))?
        .send(job)
        .map_err(|_| Error::failed("password hashing is shut down"))?;
    answered
        .await
        .map_err(|_| Error::failed("password hashing was interrupted"))
}

/// Memory of one Argon2id computation for new hashes, in KiB (12 MiB), with
/// [`ARGON2_PASSES`] passes over it and one lane.
///
/// This is one of the configurations OWASP's password storage guidance lists as equal in
/// defence (19 MiB × 2 passes, 12 MiB × 3, 9 MiB × 4, 7 MiB × 5): the same CPU cost per
/// guess, traded between memory and passes. Berth takes 12 MiB × 3 rather than the
/// `argon2` crate's default 19 MiB × 2 because every computation in flight holds its block
/// in the server's resident memory — one per hashing thread at peak, which was the largest
/// single part of `serve`'s peak (docs/BENCHMARKS.md, "REST API under load"). Hashes made
/// with other parameters (earlier releases' 19 MiB × 2) carry them in their PHC string and
/// keep verifying.
pub const ARGON2_MEMORY_KIB: u32 = 12 * 1024;

/// Passes of Argon2id over [`ARGON2_MEMORY_KIB`] for new hashes.
pub const ARGON2_PASSES: u32 = 3;

/// Argon2id (version 0x13) with Berth's cost for new hashes.
fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, None)
        .map_err(|_| Error::failed("password hashing parameters are invalid"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with Argon2id and a fresh random salt.
pub async fn hash(password: &Password) -> Result<PasswordHash> {
    let clear = password.expose().to_owned();
    on_hasher(move || {
        argon2()?
            .hash_password(clear.as_bytes())
            .map(|phc| PasswordHash(phc.to_string()))
            .map_err(|_| Error::failed("password hashing failed"))
    })
    .await?
}

/// Whether `password` matches `hash`. A malformed stored hash never matches.
pub async fn verify(password: &str, hash: &PasswordHash) -> bool {
    let clear = password.to_owned();
    let stored = hash.0.clone();
    on_hasher(move || {
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
        argon2()
            .ok()
            .and_then(|a| a.hash_password(clear.as_bytes()).ok())
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

    #[tokio::test]
    async fn r1_1_new_hashes_use_owasps_12_mib_3_pass_argon2id() {
        let p = Password::parse("password", "correct horse").unwrap();
        let h = hash(&p).await.unwrap();
        assert!(
            h.0.starts_with("$argon2id$v=19$m=12288,t=3,p=1$"),
            "{}",
            h.0
        );
        assert!(
            decoy_hash()
                .0
                .starts_with("$argon2id$v=19$m=12288,t=3,p=1$")
        );
    }

    #[tokio::test]
    async fn r1_1_hashes_made_with_the_earlier_19_mib_2_pass_cost_still_verify() {
        let earlier = Params::new(19_456, 2, 1, None).unwrap();
        let phc = Argon2::new(Algorithm::Argon2id, Version::V0x13, earlier)
            .hash_password(b"old horse")
            .unwrap()
            .to_string();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let stored = PasswordHash(phc);
        assert!(verify("old horse", &stored).await);
        assert!(!verify("old horsf", &stored).await);
    }

    #[tokio::test]
    async fn concurrent_hashes_queue_on_the_fixed_threads_and_all_verify() {
        let p = Password::parse("password", "queue horse").unwrap();
        let hashes = futures_join(
            (0..8)
                .map(|_| {
                    let p = p.clone();
                    tokio::spawn(async move { hash(&p).await.unwrap() })
                })
                .collect(),
        )
        .await;
        for h in &hashes {
            assert!(verify("queue horse", h).await);
            assert!(!verify("queue horsf", h).await);
        }
    }

    async fn futures_join(
        handles: Vec<tokio::task::JoinHandle<PasswordHash>>,
    ) -> Vec<PasswordHash> {
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
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
