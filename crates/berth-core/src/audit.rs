//! The audit log (R10.9, R11.4): one entry per change made through an interface, with who
//! made it (account and API key), from where, the request id, the operation and its object.
//! Entries never hold secrets: request bodies are not recorded.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::account::AccountId;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Stable id (UUIDv7, so ids sort by time).
    pub id: Uuid,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The acting account.
    pub actor: AccountId,
    /// Its login at the time.
    pub actor_login: String,
    /// The API key used, if any.
    pub api_key: Option<Uuid>,
    /// The client's address, when known.
    pub source: Option<String>,
    /// The request id (`X-Request-Id`).
    pub request_id: String,
    /// `api` or `cli`.
    pub interface: String,
    /// The operation, e.g. `POST /api/v1/customers/suspend`.
    pub action: String,
    /// The object named by the operation (path parameters), or empty.
    pub object: String,
    /// The outcome, e.g. the HTTP status.
    pub status: u16,
}

/// Longest text kept in one field of an entry (longer input is cut).
pub const MAX_FIELD: usize = 512;

/// `text` cut to [`MAX_FIELD`] characters.
pub fn clip(text: &str) -> String {
    text.chars().take(MAX_FIELD).collect()
}

/// What a redacted value reads as in the audit log.
pub const REDACTED: &str = "[redacted]";

/// One auditable field of an object: its name, its value as shown, and whether it is a
/// secret (a password hash, a key), whose value never reaches the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditField {
    /// Field name, as the CLI and the API spell it (`email`, `limits.disk_space`).
    pub name: String,
    /// The value as shown to people; empty means "not set".
    pub value: String,
    /// Whether the value is a secret: a change is recorded, its values are not.
    pub secret: bool,
}

impl AuditField {
    /// A plain field.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        AuditField {
            name: name.into(),
            value: value.into(),
            secret: false,
        }
    }

    /// An optional plain field (`None` is "not set").
    pub fn opt(name: impl Into<String>, value: Option<impl ToString>) -> Self {
        AuditField::new(name, value.map(|v| v.to_string()).unwrap_or_default())
    }

    /// A secret field: `value` is only compared (give a hash, never a clear text).
    pub fn secret(name: impl Into<String>, value: impl Into<String>) -> Self {
        AuditField {
            name: name.into(),
            value: value.into(),
            secret: true,
        }
    }
}

/// An object whose changes are recorded field by field.
pub trait Auditable {
    /// How the object is named in the log: `customer bob`, `plan Gold`,
    /// `subscription example.com`.
    fn audit_object(&self) -> String;

    /// Its fields, each once, in a stable order.
    fn audit_fields(&self) -> Vec<AuditField>;
}

/// One field of one object that an operation changed. A creation has no `before`, a
/// removal no `after`; `None` also stands for "not set".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The object (`customer bob`).
    pub object: String,
    /// The field (`email`).
    pub field: String,
    /// The value before, if it had one.
    pub before: Option<String>,
    /// The value after, if it has one.
    pub after: Option<String>,
}

impl FieldChange {
    /// A change of `field` on `object`, values clipped to [`MAX_FIELD`]; an empty value is
    /// "not set".
    pub fn new(
        object: impl Into<String>,
        field: impl Into<String>,
        before: Option<String>,
        after: Option<String>,
    ) -> Self {
        let set = |v: Option<String>| v.filter(|v| !v.is_empty()).map(|v| clip(&v));
        FieldChange {
            object: clip(&object.into()),
            field: clip(&field.into()),
            before: set(before),
            after: set(after),
        }
    }

    /// A figure an operation reached without changing it field by field (e.g.
    /// `synced_subscriptions` = 20000 for a plan sync): recorded as an `after` value.
    pub fn count(object: impl Into<String>, field: impl Into<String>, count: u64) -> Self {
        FieldChange::new(object, field, None, Some(count.to_string()))
    }
}

/// The fields that differ between `before` and `after` (a creation when `before` is
/// `None`, a removal when `after` is `None`). Unchanged fields give nothing; a secret
/// that changed gives [`REDACTED`] on each side that is set, never its value. The object
/// is named as it is after the change (as it was, for a removal).
pub fn diff<T: Auditable + ?Sized>(before: Option<&T>, after: Option<&T>) -> Vec<FieldChange> {
    let object = match after.or(before) {
        Some(o) => o.audit_object(),
        None => return Vec::new(),
    };
    diff_fields(
        &object,
        before.map(Auditable::audit_fields).unwrap_or_default(),
        after.map(Auditable::audit_fields).unwrap_or_default(),
    )
}

/// [`diff`] over field lists already taken, for objects named `object`. A field missing
/// from one side counts as "not set" there.
pub fn diff_fields(
    object: &str,
    before: Vec<AuditField>,
    after: Vec<AuditField>,
) -> Vec<FieldChange> {
    let mut old: std::collections::HashMap<String, AuditField> =
        before.iter().map(|f| (f.name.clone(), f.clone())).collect();
    let mut changes = Vec::new();
    let shown = |f: &AuditField| {
        if f.value.is_empty() {
            None
        } else if f.secret {
            Some(REDACTED.to_owned())
        } else {
            Some(f.value.clone())
        }
    };
    for new in &after {
        let previous = old.remove(&new.name);
        let (was, is) = (
            previous.as_ref().map(|f| f.value.as_str()).unwrap_or(""),
            new.value.as_str(),
        );
        if was != is {
            changes.push(FieldChange::new(
                object,
                new.name.clone(),
                previous.as_ref().and_then(shown),
                shown(new),
            ));
        }
    }
    // Fields only the old side had, in their original order.
    for gone in before.iter().filter(|f| old.contains_key(&f.name)) {
        if !gone.value.is_empty() {
            changes.push(FieldChange::new(
                object,
                gone.name.clone(),
                shown(gone),
                None,
            ));
        }
    }
    changes
}

impl Auditable for crate::account::Account {
    fn audit_object(&self) -> String {
        format!("{} {}", self.kind, self.login)
    }

    fn audit_fields(&self) -> Vec<AuditField> {
        let c = &self.contact;
        vec![
            AuditField::new("login", self.login.to_string()),
            AuditField::new("kind", self.kind.as_str()),
            AuditField::secret("password", self.password_hash.0.clone()),
            AuditField::opt("owner", self.owner.as_ref().map(|o| o.login.to_string())),
            AuditField::new("name", c.name.clone()),
            AuditField::opt("company", c.company.clone()),
            AuditField::new("email", c.email.to_string()),
            AuditField::opt("phone", c.phone.as_ref().map(|p| p.as_str().to_owned())),
            AuditField::opt("fax", c.fax.as_ref().map(|p| p.as_str().to_owned())),
            AuditField::opt("address", c.address.clone()),
            AuditField::opt("city", c.city.clone()),
            AuditField::opt("state", c.state.clone()),
            AuditField::opt("postal_code", c.postal_code.clone()),
            AuditField::opt("country", c.country.as_ref().map(|x| x.as_str().to_owned())),
            AuditField::new("locale", c.locale.as_str().to_owned()),
            AuditField::opt("description", self.description.clone()),
            AuditField::opt("external_id", self.external_id.clone()),
            AuditField::new(
                "status",
                if self.is_active() {
                    "active"
                } else {
                    "suspended"
                },
            ),
            AuditField::new("suspension_reasons", reasons(&self.suspensions)),
        ]
    }
}

/// Suspension reasons as one value (`admin,owner`), in their stored order.
fn reasons(suspensions: &[crate::status::Suspension]) -> String {
    suspensions
        .iter()
        .map(|s| s.reason.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The auditable fields of a property set, named `group.name` and shown as the property
/// table shows them (R2.4).
pub fn property_fields(props: &crate::property::Properties) -> Vec<AuditField> {
    props
        .iter()
        .filter_map(|(name, value)| {
            let d = crate::property::descriptor(name)?;
            Some(AuditField::new(
                format!("{}.{}", d.group.as_str(), d.name),
                d.display(value),
            ))
        })
        .collect()
}

impl Auditable for crate::hosting::Plan {
    fn audit_object(&self) -> String {
        format!("{} plan {}", self.plan_type.as_str(), self.name.as_str())
    }

    fn audit_fields(&self) -> Vec<AuditField> {
        let mut fields = vec![
            AuditField::new("name", self.name.as_str().to_owned()),
            AuditField::new("owner", self.owner.login.to_string()),
        ];
        fields.extend(property_fields(&self.props));
        fields
    }
}

impl Auditable for crate::hosting::Subscription {
    fn audit_object(&self) -> String {
        format!("subscription {}", self.name)
    }

    fn audit_fields(&self) -> Vec<AuditField> {
        let mut fields = vec![
            AuditField::new("subscriber", self.owner.login.to_string()),
            AuditField::opt("plan", self.plan.as_ref().map(|p| p.name.clone())),
            AuditField::new(
                "addons",
                self.addons
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            AuditField::new("sync_state", self.sync_state.as_str()),
            AuditField::new(
                "ips",
                self.ips
                    .iter()
                    .map(|i| i.address.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            AuditField::new("system_user", self.system_user.as_str().to_owned()),
            AuditField::secret("system_password", self.system_password_hash.clone()),
            AuditField::opt("expiration", self.expiration),
            AuditField::new(
                "status",
                if self.suspensions.is_empty() {
                    "active"
                } else {
                    "suspended"
                },
            ),
            AuditField::new("suspension_reasons", reasons(&self.suspensions)),
        ];
        fields.extend(property_fields(&self.props));
        fields.extend(
            property_fields(&self.custom)
                .into_iter()
                .map(|f| AuditField::new(format!("custom.{}", f.name), f.value)),
        );
        fields
    }
}

impl Auditable for crate::site::HostedDomain {
    fn audit_object(&self) -> String {
        format!("{} {}", self.kind.as_str(), self.name)
    }

    fn audit_fields(&self) -> Vec<AuditField> {
        let alias = self.alias.as_ref();
        vec![
            AuditField::new("subscription", self.subscription.name.to_string()),
            AuditField::opt("parent", self.parent.as_ref().map(|p| p.name.to_string())),
            AuditField::opt(
                "document_root",
                self.document_root.as_ref().map(|r| r.as_str().to_owned()),
            ),
            AuditField::opt("web", alias.map(|a| a.web.as_str())),
            AuditField::opt("mail", alias.map(|a| a.mail)),
            AuditField::opt("dns_sync", alias.map(|a| a.dns_sync)),
        ]
    }
}

impl Auditable for crate::ip::IpRecord {
    fn audit_object(&self) -> String {
        format!("ip {}", self.address)
    }

    fn audit_fields(&self) -> Vec<AuditField> {
        vec![
            AuditField::new("address", self.address.to_string()),
            AuditField::new("type", self.kind.to_string()),
            AuditField::opt("interface", self.interface.clone()),
        ]
    }
}

/// The auditable fields of a reseller's terms (R4.1): its reseller plan, sync state and
/// every property, each custom value under `custom.`.
pub fn reseller_profile_fields(profile: &crate::reseller::ResellerProfile) -> Vec<AuditField> {
    let mut fields = vec![
        AuditField::opt(
            "reseller_plan",
            profile.plan.as_ref().map(|p| p.name.clone()),
        ),
        AuditField::new("sync_state", profile.sync_state.as_str()),
    ];
    fields.extend(property_fields(&profile.props));
    fields.extend(
        property_fields(&profile.custom)
            .into_iter()
            .map(|f| AuditField::new(format!("custom.{}", f.name), f.value)),
    );
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Thing(Vec<AuditField>);

    impl Auditable for Thing {
        fn audit_object(&self) -> String {
            "thing t".to_owned()
        }
        fn audit_fields(&self) -> Vec<AuditField> {
            self.0.clone()
        }
    }

    fn fields() -> impl Strategy<Value = Vec<(String, bool)>> {
        // Values for five fixed fields; the bool marks secrets.
        proptest::collection::vec(("[a-z0-9]{0,6}", any::<bool>()), 5)
    }

    fn thing(values: &[(String, bool)], secrets: &[bool]) -> Thing {
        Thing(
            values
                .iter()
                .zip(secrets)
                .enumerate()
                .map(|(i, ((v, _), secret))| AuditField {
                    name: format!("f{i}"),
                    value: v.clone(),
                    secret: *secret,
                })
                .collect(),
        )
    }

    proptest! {
        /// R10.9: an object compared with itself records no change.
        #[test]
        fn r10_9_no_change_no_rows(values in fields()) {
            let secrets: Vec<bool> = values.iter().map(|(_, s)| *s).collect();
            let a = thing(&values, &secrets);
            prop_assert!(diff(Some(&a), Some(&a)).is_empty());
        }

        /// R10.9: every changed field gives exactly one row, and only changed fields do.
        #[test]
        fn r10_9_one_row_per_changed_field(a in fields(), b in fields()) {
            let secrets: Vec<bool> = a.iter().map(|(_, s)| *s).collect();
            let (old, new) = (thing(&a, &secrets), thing(&b, &secrets));
            let changes = diff(Some(&old), Some(&new));
            let expected = a.iter().zip(&b).filter(|((x, _), (y, _))| x != y).count();
            prop_assert_eq!(changes.len(), expected);
            for c in &changes {
                prop_assert_eq!(&c.object, "thing t");
                prop_assert!(c.before.is_some() || c.after.is_some());
            }
        }

        /// R10.9: a secret's value never appears in a change, on creation, update or removal.
        #[test]
        fn r10_9_secrets_never_appear(a in fields(), b in fields()) {
            let secrets: Vec<bool> = a.iter().map(|(_, s)| *s).collect();
            let (old, new) = (thing(&a, &secrets), thing(&b, &secrets));
            let all = [
                diff(None, Some(&new)),
                diff(Some(&old), Some(&new)),
                diff(Some(&old), None),
            ];
            for c in all.iter().flatten() {
                let i: usize = c.field[1..].parse().unwrap();
                if secrets[i] {
                    for v in [&c.before, &c.after].into_iter().flatten() {
                        prop_assert_eq!(v.as_str(), REDACTED);
                    }
                }
            }
        }

        /// R10.9: a creation has no before values, a removal no after values.
        #[test]
        fn r10_9_creation_and_removal_sides(a in fields()) {
            let secrets = vec![false; 5];
            let t = thing(&a, &secrets);
            let created = diff(None, Some(&t));
            let removed = diff(Some(&t), None);
            let set = a.iter().filter(|(v, _)| !v.is_empty()).count();
            prop_assert_eq!(created.len(), set);
            prop_assert_eq!(removed.len(), set);
            prop_assert!(created.iter().all(|c| c.before.is_none() && c.after.is_some()));
            prop_assert!(removed.iter().all(|c| c.after.is_none() && c.before.is_some()));
        }
    }

    #[test]
    fn r10_9_password_change_is_redacted() {
        let old = Thing(vec![AuditField::secret("password", "hash-1")]);
        let new = Thing(vec![AuditField::secret("password", "hash-2")]);
        let changes = diff(Some(&old), Some(&new));
        assert_eq!(
            changes,
            vec![FieldChange {
                object: "thing t".into(),
                field: "password".into(),
                before: Some(REDACTED.into()),
                after: Some(REDACTED.into()),
            }]
        );
    }
}
