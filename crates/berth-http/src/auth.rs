//! Who is calling: HTTP Basic (login and password) or `Authorization: Bearer <API key>`,
//! turned into an [`Actor`] by the service layer, which also refuses suspended accounts
//! and resellers without API access. Handlers only pass the actor on.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use berth_app::Berth;
use berth_app::api_keys::{AccessDenied, Credentials};
use berth_core::rights::Actor;

use crate::error::ApiError;
use crate::limit::LoginLimiter;

/// The authenticated account of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

fn credentials(parts: &Parts) -> Result<Credentials, ApiError> {
    let missing = || {
        ApiError::unauthenticated(
            "authentication is required: HTTP Basic (login and password) or \
             Authorization: Bearer <API key>",
        )
    };
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| missing())?
        .trim();
    let (scheme, rest) = value.split_once(' ').ok_or_else(missing)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(Credentials::Bearer(rest.to_owned()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let bad = || ApiError::unauthenticated("the Basic credentials are not valid base64");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .map_err(|_| bad())?;
        let text = String::from_utf8(decoded).map_err(|_| bad())?;
        let (login, password) = text.split_once(':').ok_or_else(bad)?;
        return Ok(Credentials::Basic {
            login: login.to_owned(),
            password: password.to_owned(),
        });
    }
    Err(missing())
}

impl FromRequestParts<Berth> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Berth) -> Result<Self, Self::Rejection> {
        let source = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let limiter = parts.extensions.get::<Arc<LoginLimiter>>().cloned();
        let credentials = match credentials(parts) {
            Ok(c) => c,
            Err(e) => {
                if parts.headers.contains_key(header::AUTHORIZATION)
                    && let Some(l) = &limiter
                {
                    l.failed(None, source);
                }
                return Err(e);
            }
        };
        let login = match &credentials {
            Credentials::Basic { login, .. } => Some(login.clone()),
            Credentials::Bearer(_) => None,
        };
        if let Some(wait) = limiter
            .as_ref()
            .and_then(|l| l.blocked(login.as_deref(), source))
        {
            return Err(ApiError::too_many_attempts(wait));
        }
        let outcome = app.api_actor(credentials, source).await;
        if let Some(l) = &limiter {
            match &outcome {
                Ok(_) => l.succeeded(login.as_deref()),
                Err(AccessDenied::Unauthenticated(_)) => l.failed(login.as_deref(), source),
                Err(AccessDenied::Refused(_)) => {}
            }
        }
        match outcome {
            Ok(identity) => {
                if let Some(context) = parts.extensions.get::<crate::audit::RequestContext>()
                    && let Ok(mut slot) = context.identity.lock()
                {
                    *slot = Some(identity.clone());
                }
                if let Some(scope) = berth_app::audit::current_scope() {
                    scope.set_api_key(identity.api_key);
                }
                Ok(Caller(identity.actor))
            }
            Err(AccessDenied::Unauthenticated(e)) => Err(ApiError::unauthenticated(e.message)),
            Err(AccessDenied::Refused(e)) => Err(e.into()),
        }
    }
}
