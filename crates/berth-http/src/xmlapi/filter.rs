//! `<filter>`: which objects an operation is about. Repeated children are OR-ed; each
//! matched object gets its own `<result>` echoing `filter-id`. An identifying child (`id`,
//! `login`, `name`, `guid`, `key`, `external-id`) that matches nothing is error 1013; a
//! relational one (`owner-*`, `parent-*`, `site-id`, `all`, …) or an empty filter that
//! matches nothing is simply no result.

use berth_core::Result;

use super::errors;
use super::packet::Node;
use super::reply::{self, El};

/// One filter child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Its element name (`login`, `owner-id`, ...).
    pub key: String,
    /// Its text.
    pub value: String,
}

impl Wanted {
    /// Whether matching nothing is an error (1013) rather than an empty answer.
    pub fn identifying(&self) -> bool {
        matches!(
            self.key.as_str(),
            "id" | "login" | "name" | "guid" | "key" | "external-id"
        )
    }
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `<filter/>`: everything the caller can see.
    All,
    /// These children, OR-ed, in order.
    Items(Vec<Wanted>),
}

/// Reads the `<filter>` of an operation; its children must be among `allowed`. A missing
/// filter or an unknown child is a parsing error (1014), as an error result.
pub fn parse(operation: &Node, allowed: &[&str]) -> std::result::Result<Filter, El> {
    let filter = operation.child("filter").ok_or_else(|| {
        reply::coded(
            errors::PARSE,
            &format!("<{}> needs a <filter>", operation.name),
        )
    })?;
    if filter.children.is_empty() {
        return Ok(Filter::All);
    }
    let mut items = Vec::new();
    for child in &filter.children {
        if !allowed.contains(&child.name.as_str()) {
            return Err(reply::coded(
                errors::PARSE,
                &format!(
                    "<{}> is not a filter here; use one of: {}",
                    child.name,
                    allowed.join(", ")
                ),
            ));
        }
        items.push(Wanted {
            key: child.name.clone(),
            value: child.text.clone(),
        });
    }
    Ok(Filter::Items(items))
}

/// The results of a filtered operation: for each filter child (or once for `All`), the
/// objects `find` returns, each answered by `answer`; errors and no-match follow the rules
/// above. `find` returns `None` for `All`'s pass.
pub async fn each<T, F, Fut, A, AFut>(filter: &Filter, mut find: F, mut answer: A) -> Vec<El>
where
    F: FnMut(Option<Wanted>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>>>,
    A: FnMut(T) -> AFut,
    AFut: std::future::Future<Output = std::result::Result<El, El>>,
{
    let passes: Vec<Option<Wanted>> = match filter {
        Filter::All => vec![None],
        Filter::Items(items) => items.iter().cloned().map(Some).collect(),
    };
    let mut results = Vec::new();
    for wanted in passes {
        let echo = |el: El| match &wanted {
            Some(w) => insert_filter_id(el, &w.value),
            None => el,
        };
        match find(wanted.clone()).await {
            Err(e) => results.push(echo(reply::error(&e))),
            Ok(found) if found.is_empty() => {
                if let Some(w) = wanted.as_ref().filter(|w| w.identifying()) {
                    results.push(echo(reply::coded(
                        errors::NOT_FOUND,
                        &format!("no object matches {} {:?}", w.key, w.value),
                    )));
                }
            }
            Ok(found) => {
                for item in found {
                    let el = match answer(item).await {
                        Ok(el) | Err(el) => el,
                    };
                    results.push(echo(el));
                }
            }
        }
    }
    results
}

/// Puts `<filter-id>` right after `status`/`errcode`/`errtext`, where Plesk has it.
fn insert_filter_id(mut result: El, value: &str) -> El {
    let at = result
        .children
        .iter()
        .position(|c| !matches!(c.name.as_str(), "status" | "errcode" | "errtext"))
        .unwrap_or(result.children.len());
    result.children.insert(at, El::text("filter-id", value));
    result
}

/// An operation's element holding its results, e.g. `<get><result>…</result></get>`.
pub fn wrap(operation: &Node, results: Vec<El>) -> El {
    El::new(&operation.name).extend(results)
}
