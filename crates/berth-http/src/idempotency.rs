//! `Idempotency-Key` (R11.4): a mutating request sent again with the same key (and the same
//! credentials) gets the first answer replayed instead of being applied twice, so clients
//! can retry after a timeout safely. The same key with a different request, or while the
//! first is still running, is a conflict. Answers are kept in this process's memory for a
//! day; server errors, 401 and 429 are not kept (retrying them is meant to run again).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;

use crate::error::ApiError;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on replayed answers.
pub const REPLAYED: &str = "idempotent-replayed";

/// How long answers are kept.
const KEEP: Duration = Duration::from_secs(24 * 60 * 60);
/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone)]
enum Entry {
    Running {
        fingerprint: [u8; 32],
        since: Instant,
    },
    Done {
        fingerprint: [u8; 32],
        at: Instant,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
}

/// The remembered answers.
#[derive(Debug, Default)]
pub struct Idempotency {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

fn conflict(message: &str) -> Response {
    ApiError::new(
        StatusCode::CONFLICT,
        "conflict",
        message,
        Some("Idempotency-Key"),
    )
    .into_response()
}

/// The middleware.
pub async fn layer(State(store): State<Arc<Idempotency>>, req: Request, next: Next) -> Response {
    let mutating = matches!(
        *req.method(),
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    );
    let key = req
        .headers()
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (Some(key), true) = (key, mutating) else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return ApiError::invalid(
            "Idempotency-Key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        )
        .into_response();
    }
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let scope = digest(&[&auth, key.as_bytes()]);
    let (parts, body) = req.into_parts();
    let limit = crate::body_limit(parts.uri.path());
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid",
            format!("the body is larger than {limit} bytes"),
            Some("body"),
        )
        .into_response();
    };
    let target = parts.uri.to_string();
    let fingerprint = digest(&[parts.method.as_str().as_bytes(), target.as_bytes(), &bytes]);
    let now = Instant::now();
    {
        let Ok(mut map) = store.entries.lock() else {
            return ApiError::from(berth_core::Error::failed("idempotency store unavailable"))
                .into_response();
        };
        if map.len() >= SWEEP_AT {
            map.retain(|_, e| match e {
                Entry::Running { since, .. } => now.duration_since(*since) < KEEP,
                Entry::Done { at, .. } => now.duration_since(*at) < KEEP,
            });
        }
        match map.get(&scope) {
            Some(Entry::Done {
                fingerprint: f,
                at,
                status,
                headers,
                body,
            }) if now.duration_since(*at) < KEEP => {
                if *f != fingerprint {
                    return conflict("this Idempotency-Key was used for a different request");
                }
                let mut response = Response::new(Body::from(body.clone()));
                *response.status_mut() = *status;
                *response.headers_mut() = headers.clone();
                response
                    .headers_mut()
                    .insert(REPLAYED, HeaderValue::from_static("true"));
                return response;
            }
            Some(Entry::Running { fingerprint: f, .. }) => {
                return conflict(if *f == fingerprint {
                    "a request with this Idempotency-Key is still running"
                } else {
                    "this Idempotency-Key was used for a different request"
                });
            }
            _ => {}
        }
        map.insert(
            scope,
            Entry::Running {
                fingerprint,
                since: now,
            },
        );
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    let keep = !(status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::TOO_MANY_REQUESTS);
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    if let Ok(mut map) = store.entries.lock() {
        if keep {
            map.insert(
                scope,
                Entry::Done {
                    fingerprint,
                    at: Instant::now(),
                    status,
                    headers: parts.headers.clone(),
                    body: body.clone(),
                },
            );
        } else {
            map.remove(&scope);
        }
    }
    Response::from_parts(parts, Body::from(body))
}
