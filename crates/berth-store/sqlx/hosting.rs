//! Plans and subscriptions.

use async_trait::async_trait;
use berth_core::account::{Account, AccountId, Login};
use berth_core::hosting::{Plan, PlanRef, Subscription, SubscriptionIp, SubscriptionQuery};
use berth_core::property::{PlanType, Properties};
use berth_store::hosting::{
    CreationContext, GroupUpdate, NewSubscriptionRows, SyncGroup, TakenNames,
};
use berth_store::sql::{
    self, IpRow, PlanRow, Planning, ProfileRow, SubscriptionParts, SubscriptionRow, TemplateRow,
    Value,
};
use berth_store::{PlanTx, StoreResult, SubscriptionTx};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::engine::{DIALECT, EngineRow, EngineTx, bind_all, map_err, time};

use super::common::joined_account;

fn plan_row(row: &EngineRow) -> Result<PlanRow, sqlx::Error> {
    Ok(PlanRow {
        id: row.try_get(0)?,
        plan_type: row.try_get(1)?,
        name: row.try_get(2)?,
        props: row.try_get(3)?,
        created_at: time(row, 4)?,
        updated_at: time(row, 5)?,
        owner_id: row.try_get(6)?,
        owner_login: row.try_get(7)?,
        owner_kind: row.try_get(8)?,
    })
}

fn subscription_row(row: &EngineRow) -> Result<SubscriptionRow, sqlx::Error> {
    Ok(SubscriptionRow {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        plan_id: row.try_get(2)?,
        plan_name: row.try_get(3)?,
        sync_state: row.try_get(4)?,
        props: row.try_get(5)?,
        custom: row.try_get(6)?,
        conflicts: row.try_get(7)?,
        system_user: row.try_get(8)?,
        system_password_hash: row.try_get(9)?,
        expiration: row.try_get(10)?,
        overused: row.try_get(11)?,
        created_at: time(row, 12)?,
        updated_at: time(row, 13)?,
        owner_id: row.try_get(14)?,
        owner_login: row.try_get(15)?,
        owner_kind: row.try_get(16)?,
    })
}

impl EngineTx {
    pub(crate) async fn rows(
        &mut self,
        sql: String,
        values: Vec<Value>,
    ) -> StoreResult<Vec<EngineRow>> {
        self.rows_planned(sql, values, Planning::Cached).await
    }

    /// The rows of `sql`, planned as `planning` says.
    pub(crate) async fn rows_planned(
        &mut self,
        sql: String,
        values: Vec<Value>,
        planning: Planning,
    ) -> StoreResult<Vec<EngineRow>> {
        bind_all(sqlx::query(AssertSqlSafe(sql)), values)
            .persistent(planning.is_cached())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)
    }

    async fn plans(&mut self, sql: String, values: Vec<Value>) -> StoreResult<Vec<Plan>> {
        let rows = self.rows(sql, values).await?;
        rows.iter()
            .map(|r| plan_row(r).map_err(map_err)?.into_plan())
            .collect()
    }

    async fn subscriptions(
        &mut self,
        sql: String,
        values: Vec<Value>,
    ) -> StoreResult<Vec<Subscription>> {
        self.subscriptions_planned(sql, values, Planning::Cached)
            .await
    }

    /// The subscriptions `sql` selects, with their parts; `sql` planned as `planning` says.
    async fn subscriptions_planned(
        &mut self,
        sql: String,
        values: Vec<Value>,
        planning: Planning,
    ) -> StoreResult<Vec<Subscription>> {
        let rows: Vec<SubscriptionRow> = self
            .rows_planned(sql, values, planning)
            .await?
            .iter()
            .map(subscription_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<Value> = rows.iter().map(|r| Value::Id(r.id)).collect();
        let mut parts = SubscriptionParts::default();
        for row in self
            .rows(sql::subscription_addons_of(ids.len()), ids.clone())
            .await?
        {
            let sid: Uuid = row.try_get(0).map_err(map_err)?;
            parts.addons.push((
                sid,
                PlanRef {
                    id: row.try_get(1).map_err(map_err)?,
                    name: row.try_get(2).map_err(map_err)?,
                },
            ));
        }
        for row in self
            .rows(sql::subscription_ips_of(ids.len()), ids.clone())
            .await?
        {
            let sid: Uuid = row.try_get(0).map_err(map_err)?;
            let kind: String = row.try_get(3).map_err(map_err)?;
            let ip = SubscriptionIp {
                id: row.try_get(1).map_err(map_err)?,
                address: row.try_get(2).map_err(map_err)?,
                dedicated: kind == "dedicated",
            };
            parts.ips.push((sid, ip));
        }
        for row in self
            .rows(sql::subscription_suspensions_of(ids.len()), ids)
            .await?
        {
            parts.suspensions.push((
                row.try_get(0).map_err(map_err)?,
                row.try_get(1).map_err(map_err)?,
                row.try_get(2).map_err(map_err)?,
                time(&row, 3).map_err(map_err)?,
            ));
        }
        sql::assemble_subscriptions(rows, parts)
    }

    async fn write_links(&mut self, s: &Subscription) -> StoreResult<()> {
        for (statement, values) in sql::subscription_links(s) {
            self.execute(statement, values).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl PlanTx for EngineTx {
    async fn insert_plan(&mut self, plan: &Plan) -> StoreResult<()> {
        let (statement, values) = sql::insert_plan(plan, DIALECT);
        self.execute(statement, values).await.map(drop)
    }

    async fn plan_by_name(
        &mut self,
        owner: AccountId,
        plan_type: PlanType,
        name: &str,
    ) -> StoreResult<Option<Plan>> {
        let statement = format!(
            "{} WHERE p.owner_id = $1 AND p.plan_type = $2 AND p.name_key = $3",
            sql::plan_select(DIALECT)
        );
        let values = vec![
            Value::Id(owner.0),
            Value::Text(plan_type.as_str().to_owned()),
            Value::Text(berth_core::text::fold(name.trim())),
        ];
        Ok(self.plans(statement, values).await?.pop())
    }

    async fn plans_by_ids(&mut self, ids: &[Uuid]) -> StoreResult<Vec<Plan>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let statement = format!(
            "{} WHERE p.id IN ({})",
            sql::plan_select(DIALECT),
            sql::placeholder_list(1, ids.len())
        );
        self.plans(statement, ids.iter().map(|i| Value::Id(*i)).collect())
            .await
    }

    async fn list_plans(
        &mut self,
        owner: Option<AccountId>,
        plan_type: Option<PlanType>,
    ) -> StoreResult<Vec<(Plan, u64)>> {
        let (statement, values) = sql::plan_list(owner, plan_type, DIALECT);
        let rows = self.rows(statement, values).await?;
        rows.iter()
            .map(|r| {
                let usage: i64 = r.try_get(9).map_err(map_err)?;
                Ok((plan_row(r).map_err(map_err)?.into_plan()?, usage as u64))
            })
            .collect()
    }

    async fn update_plan(&mut self, plan: &Plan) -> StoreResult<()> {
        let (statement, values) = sql::update_plan(plan, DIALECT);
        self.execute(statement, values).await.map(drop)
    }

    async fn delete_plan(&mut self, id: Uuid) -> StoreResult<()> {
        self.execute(
            "DELETE FROM plans WHERE id = $1".into(),
            vec![Value::Id(id)],
        )
        .await
        .map(drop)
    }

    async fn plan_usage(&mut self, id: Uuid) -> StoreResult<u64> {
        let rows = self
            .rows(sql::PLAN_USAGE.into(), vec![Value::Id(id)])
            .await?;
        let n: i64 = rows
            .first()
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(map_err)?
            .unwrap_or(0);
        Ok(n as u64)
    }
}

/// The creation context from the columns starting at `at` of `sql::creation_context_by_login`'s
/// rows (after the subscriber's).
fn context_of(rows: &[EngineRow], at: usize) -> StoreResult<CreationContext> {
    let mut context = CreationContext::default();
    // Pool and template come unordered from the union; sorted here by their lists'
    // keys (family then sort key in byte order then id; position).
    let mut pool = vec![];
    let mut template = vec![];
    for row in rows {
        let tag: String = row.try_get(at).map_err(map_err)?;
        let text = |i: usize| row.try_get::<String, _>(at + i).map_err(map_err);
        let int = |i: usize| row.try_get::<i64, _>(at + i).map_err(map_err);
        match tag.as_str() {
            "p" => {
                let ip = IpRow {
                    id: row.try_get(at + 1).map_err(map_err)?,
                    address: text(2)?,
                    kind: text(3)?,
                    interface: text(4)?,
                    created_at: time(row, at + 9).map_err(map_err)?,
                };
                pool.push(((int(10)?, text(11)?, ip.id), ip.into_record()?));
            }
            "r" => {
                let profile = ProfileRow {
                    plan_id: row.try_get(at + 1).map_err(map_err)?,
                    plan_name: row.try_get(at + 2).map_err(map_err)?,
                    props: text(3)?,
                    custom: text(4)?,
                    sync_state: text(5)?,
                    conflicts: text(6)?,
                };
                context.profile = Some(profile.into_profile()?);
            }
            "t" => {
                let line = TemplateRow {
                    host: text(2)?,
                    rtype: text(3)?,
                    value: text(4)?,
                    priority: int(7)?,
                    ttl: int(8)?,
                };
                template.push((int(10)?, line.into_record()?));
            }
            "d" => context.taken.domain = true,
            _ => context.taken.system_users.push(text(2)?),
        }
    }
    pool.sort_by(|a, b| a.0.cmp(&b.0));
    template.sort_by_key(|(position, _)| *position);
    context.pool = pool.into_iter().map(|(_, ip)| ip).collect();
    context.template = template.into_iter().map(|(_, line)| line).collect();
    Ok(context)
}

#[async_trait]
impl SubscriptionTx for EngineTx {
    async fn insert_subscription(&mut self, s: &Subscription) -> StoreResult<()> {
        let (statement, values) = sql::insert_subscription(s, DIALECT);
        self.execute(statement, values).await?;
        let (statement, values) = sql::insert_main_domain(s);
        self.execute(statement, values).await?;
        self.write_links(s).await
    }

    async fn insert_new_subscription(&mut self, rows: &NewSubscriptionRows<'_>) -> StoreResult<()> {
        for (statement, values) in sql::insert_new_subscription(rows, DIALECT) {
            self.execute(statement, values).await?;
        }
        Ok(())
    }

    async fn taken_names(
        &mut self,
        domain: &str,
        system_users: &[String],
    ) -> StoreResult<TakenNames> {
        let mut values = vec![Value::Text(domain.to_owned())];
        values.extend(system_users.iter().map(|u| Value::Text(u.clone())));
        let mut taken = TakenNames::default();
        for row in self
            .rows(sql::taken_names(system_users.len()), values)
            .await?
        {
            let kind: String = row.try_get(0).map_err(map_err)?;
            let name: String = row.try_get(1).map_err(map_err)?;
            if kind == "d" {
                taken.domain = true;
            } else {
                taken.system_users.push(name);
            }
        }
        Ok(taken)
    }

    async fn subscriber_and_creation_context(
        &mut self,
        login: &Login,
        domain: &str,
        system_users: &[String],
    ) -> StoreResult<(Option<Account>, CreationContext)> {
        let mut values = vec![Value::Text(domain.to_owned())];
        values.extend(system_users.iter().map(|u| Value::Text(u.clone())));
        values.push(Value::Text(login.as_str().to_owned()));
        let rows = self
            .rows(sql::creation_context_by_login(system_users.len()), values)
            .await?;
        let at = sql::SUBSCRIBER_COLUMNS;
        let mut subscriber = vec![];
        let mut context = vec![];
        for row in rows {
            let tag: String = row.try_get(at).map_err(map_err)?;
            if tag == "a" {
                subscriber.push(row);
            } else {
                context.push(row);
            }
        }
        Ok((joined_account(&subscriber)?, context_of(&context, at)?))
    }

    async fn subscription_by_id(&mut self, id: Uuid) -> StoreResult<Option<Subscription>> {
        let statement = format!("{} WHERE s.id = $1", sql::subscription_select(DIALECT));
        Ok(self
            .subscriptions(statement, vec![Value::Id(id)])
            .await?
            .pop())
    }

    async fn subscriptions_by_ids(&mut self, ids: &[Uuid]) -> StoreResult<Vec<Subscription>> {
        let mut found = vec![];
        for chunk in ids.chunks(sql::JOB_CHUNK) {
            let statement = format!(
                "{} WHERE s.id IN ({})",
                sql::subscription_select(DIALECT),
                sql::placeholder_list(1, chunk.len())
            );
            let values = chunk.iter().map(|id| Value::Id(*id)).collect();
            found.extend(self.subscriptions(statement, values).await?);
        }
        Ok(found)
    }

    async fn subscription_by_name(
        &mut self,
        ascii_name: &str,
    ) -> StoreResult<Option<Subscription>> {
        let statement = format!("{} WHERE s.name = $1", sql::subscription_select(DIALECT));
        Ok(self
            .subscriptions(statement, vec![Value::Text(ascii_name.to_owned())])
            .await?
            .pop())
    }

    async fn list_subscriptions(
        &mut self,
        query: &SubscriptionQuery,
    ) -> StoreResult<Vec<Subscription>> {
        let path = self
            .search_path(sql::subscription_search_probe(query, DIALECT))
            .await?;
        let (statement, values) = sql::subscription_list(query, DIALECT, path);
        let planning = Planning::for_list(query.search.as_deref(), DIALECT);
        self.subscriptions_planned(statement, values, planning)
            .await
    }

    async fn update_subscription(&mut self, s: &Subscription) -> StoreResult<()> {
        let (statement, values) = sql::update_subscription(s, DIALECT);
        self.execute(statement, values).await?;
        self.write_links(s).await
    }

    async fn delete_subscription(&mut self, id: Uuid) -> StoreResult<()> {
        self.execute(
            "DELETE FROM subscriptions WHERE id = $1".into(),
            vec![Value::Id(id)],
        )
        .await
        .map(drop)
    }

    async fn system_user_taken(&mut self, name: &str) -> StoreResult<bool> {
        let rows = self
            .rows(
                sql::SYSTEM_USER_TAKEN.into(),
                vec![Value::Text(name.to_owned())],
            )
            .await?;
        let n: i64 = rows
            .first()
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(map_err)?
            .unwrap_or(0);
        Ok(n > 0)
    }

    async fn ip_subscribers(&mut self, ip_id: Uuid) -> StoreResult<Vec<AccountId>> {
        let rows = self
            .rows(sql::IP_SUBSCRIBERS.into(), vec![Value::Id(ip_id)])
            .await?;
        rows.iter()
            .map(|r| r.try_get(0).map(AccountId).map_err(map_err))
            .collect()
    }

    async fn sync_groups(&mut self, plan_id: Uuid) -> StoreResult<Vec<SyncGroup>> {
        let rows = self
            .rows(sql::sync_groups(), vec![Value::Id(plan_id)])
            .await?;
        rows.iter()
            .map(|r| {
                let dedicated: i64 = r.try_get(3).map_err(map_err)?;
                let count: i64 = r.try_get(5).map_err(map_err)?;
                Ok(SyncGroup {
                    plan_id: r.try_get(0).map_err(map_err)?,
                    addon_key: r.try_get(1).map_err(map_err)?,
                    owner_id: AccountId(r.try_get(2).map_err(map_err)?),
                    dedicated_ip: dedicated != 0,
                    custom: r.try_get(4).map_err(map_err)?,
                    count: count as u64,
                    sync_state: r.try_get(6).map_err(map_err)?,
                    provider_id: AccountId(r.try_get(7).map_err(map_err)?),
                })
            })
            .collect()
    }

    async fn group_members(&mut self, group: &SyncGroup) -> StoreResult<Vec<(String, Properties)>> {
        let (statement, values) = sql::group_members(group, DIALECT);
        let rows = self.rows(statement, values).await?;
        rows.iter()
            .map(|r| {
                let props: String = r.try_get(1).map_err(map_err)?;
                Ok((
                    r.try_get(0).map_err(map_err)?,
                    sql::props_from_text(&props)?,
                ))
            })
            .collect()
    }

    async fn apply_sync_group(
        &mut self,
        group: &SyncGroup,
        update: &GroupUpdate<'_>,
    ) -> StoreResult<u64> {
        let (statement, values) = sql::apply_sync_group(group, update, DIALECT);
        self.execute(statement, values).await
    }
}
