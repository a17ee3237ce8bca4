//! Conformance cases of the provisioning queue and the provisioned files (R9.3).

use berth_core::job::{JobState, LEASE};
use chrono::Duration;
use uuid::Uuid;

use super::{Fixture, t0};

/// R9.3: changes to a subscription coalesce into its one pending job; a claimed job is
/// leased to its worker; a change made while it runs queues a new job.
pub async fn r9_3_jobs_coalesce_while_pending_and_claims_lease_them(f: &impl Fixture) {
    let store = f.store();
    let (s1, s2) = (Uuid::now_v7(), Uuid::now_v7());
    let (j1, j2) = (Uuid::now_v7(), Uuid::now_v7());
    let mut tx = store.write().await.unwrap();
    let mut queued = tx
        .enqueue_provision(&[(j1, s1), (j2, s2)], t0())
        .await
        .unwrap();
    queued.sort();
    let mut expected = vec![(s1, j1), (s2, j2)];
    expected.sort();
    assert_eq!(queued, expected);
    let again = tx
        .enqueue_provision(&[(Uuid::now_v7(), s1)], t0() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(again, [(s1, j1)], "coalesced into the pending job");
    tx.commit().await.unwrap();

    let now = t0() + Duration::seconds(2);
    let mut tx = store.write().await.unwrap();
    let claimed = tx.claim_provision_jobs(now, now + LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(
        claimed
            .iter()
            .all(|j| j.state == JobState::Running && j.attempts == 1)
    );
    assert!(
        tx.claim_provision_jobs(now, now + LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "leased jobs are not taken twice"
    );
    let j3 = Uuid::now_v7();
    let during = tx.enqueue_provision(&[(j3, s1)], now).await.unwrap();
    assert_eq!(during, [(s1, j3)], "a change during a run queues a new job");
    tx.complete_provision_jobs(&[j1, j2], now).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let done = tx.provision_job(j1).await.unwrap().unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.subscription_id, s1);
    assert_eq!(
        tx.provision_job(j3).await.unwrap().unwrap().state,
        JobState::Pending
    );
    let mut counts = tx.provision_job_counts().await.unwrap();
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(counts, [(JobState::Done, 2), (JobState::Pending, 1)]);
    assert_eq!(tx.provision_job(Uuid::now_v7()).await.unwrap(), None);
    let latest = tx.latest_provision_job(s1).await.unwrap().unwrap();
    assert_eq!(latest.id, j3, "the newest job of the subscription");
    assert_eq!(tx.latest_provision_job(Uuid::now_v7()).await.unwrap(), None);
}

/// R9.3: a failed job waits for its retry time, then gives up with its error kept; a job
/// whose subscription changed again meanwhile leaves the retry to the newer job.
pub async fn r9_3_failed_jobs_retry_after_backoff_then_give_up(f: &impl Fixture) {
    let store = f.store();
    let (s1, s2) = (Uuid::now_v7(), Uuid::now_v7());
    let (j1, j2) = (Uuid::now_v7(), Uuid::now_v7());
    let now = t0();
    let mut tx = store.write().await.unwrap();
    tx.enqueue_provision(&[(j1, s1), (j2, s2)], now)
        .await
        .unwrap();
    tx.claim_provision_jobs(now, now + LEASE, 10).await.unwrap();
    let newer = Uuid::now_v7();
    tx.enqueue_provision(&[(newer, s2)], now).await.unwrap();
    let retry = now + Duration::seconds(10);
    tx.fail_provision_jobs(&[j1, j2], "nginx -t: bad", Some(retry), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.write().await.unwrap();
    let first = tx.provision_job(j1).await.unwrap().unwrap();
    assert_eq!(first.state, JobState::Pending);
    assert_eq!(first.run_after, retry);
    assert_eq!(first.last_error.as_deref(), Some("nginx -t: bad"));
    let second = tx.provision_job(j2).await.unwrap().unwrap();
    assert_eq!(
        second.state,
        JobState::Failed,
        "superseded by the newer job"
    );
    let early = now + Duration::seconds(5);
    let taken: Vec<Uuid> = tx
        .claim_provision_jobs(early, early + LEASE, 10)
        .await
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(taken, [newer], "the retry waits for its time");
    let later = retry + Duration::seconds(1);
    let again = tx
        .claim_provision_jobs(later, later + LEASE, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempts), (j1, 2));
    tx.fail_provision_jobs(&[j1], "still bad", None, later)
        .await
        .unwrap();
    let failed = tx.provision_jobs_in(JobState::Failed, 10).await.unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0].id, j1, "newest first");
    assert_eq!(failed[0].last_error.as_deref(), Some("still bad"));
    tx.commit().await.unwrap();
}

/// R9.3: a new change to a subscription whose job waits for a retry makes it due now.
pub async fn r9_3_a_new_change_makes_a_backed_off_job_due_now(f: &impl Fixture) {
    let store = f.store();
    let (job, sub) = (Uuid::now_v7(), Uuid::now_v7());
    let now = t0();
    let mut tx = store.write().await.unwrap();
    tx.enqueue_provision(&[(job, sub)], now).await.unwrap();
    tx.claim_provision_jobs(now, now + LEASE, 1).await.unwrap();
    let later = now + Duration::hours(1);
    tx.fail_provision_jobs(&[job], "bad", Some(later), now)
        .await
        .unwrap();
    let soon = now + Duration::seconds(1);
    assert!(
        tx.claim_provision_jobs(soon, soon + LEASE, 1)
            .await
            .unwrap()
            .is_empty()
    );
    let again = tx
        .enqueue_provision(&[(Uuid::now_v7(), sub)], soon)
        .await
        .unwrap();
    assert_eq!(again, [(sub, job)]);
    let taken = tx
        .claim_provision_jobs(soon, soon + LEASE, 1)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(
        (taken[0].id, taken[0].attempts),
        (job, 1),
        "attempts start afresh"
    );
    tx.commit().await.unwrap();
}

/// R9.3: a job whose worker died (lease expired) is taken over by another worker.
pub async fn r9_3_expired_leases_are_taken_over(f: &impl Fixture) {
    let store = f.store();
    let job = Uuid::now_v7();
    let now = t0();
    let mut tx = store.write().await.unwrap();
    tx.enqueue_provision(&[(job, Uuid::now_v7())], now)
        .await
        .unwrap();
    tx.claim_provision_jobs(now, now + LEASE, 1).await.unwrap();
    let later = now + LEASE + Duration::seconds(1);
    let taken = tx
        .claim_provision_jobs(later, later + LEASE, 1)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!((taken[0].id, taken[0].attempts), (job, 2));
    tx.complete_provision_jobs(&[job], later).await.unwrap();
    assert_eq!(
        tx.prune_provision_jobs(later + Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(tx.provision_job(job).await.unwrap(), None);
    tx.commit().await.unwrap();
}

/// R9.3: the files of each subscription round-trip; an empty list forgets them.
pub async fn r9_3_provisioned_files_round_trip_and_empty_lists_forget(f: &impl Fixture) {
    let store = f.store();
    let (s1, s2) = (Uuid::now_v7(), Uuid::now_v7());
    let files = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    let mut tx = store.write().await.unwrap();
    tx.set_provisioned_files(
        &[
            (s1, files(&["web/a.example.conf", "dns/a.example.zone"])),
            (s2, files(&["web/b.example.conf"])),
        ],
        t0(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    let mut read = tx
        .provisioned_files(&[s1, s2, Uuid::now_v7()])
        .await
        .unwrap();
    read.sort();
    let mut expected = vec![
        (s1, files(&["web/a.example.conf", "dns/a.example.zone"])),
        (s2, files(&["web/b.example.conf"])),
    ];
    expected.sort();
    assert_eq!(read, expected);
    tx.set_provisioned_files(&[(s1, vec![]), (s2, files(&["web/c.example.conf"]))], t0())
        .await
        .unwrap();
    let read = tx.provisioned_files(&[s1, s2]).await.unwrap();
    assert_eq!(read, [(s2, files(&["web/c.example.conf"]))]);
    tx.commit().await.unwrap();
}

/// R9.3: a full run queues every subscription plus every gone one that still has files,
/// set-based, without duplicating pending jobs.
pub async fn r9_3_enqueue_all_covers_gone_subscriptions_once(f: &impl Fixture) {
    let store = f.store();
    let gone = Uuid::now_v7();
    let mut tx = store.write().await.unwrap();
    tx.set_provisioned_files(&[(gone, vec!["web/gone.example.conf".into()])], t0())
        .await
        .unwrap();
    assert_eq!(tx.enqueue_provision_all(t0()).await.unwrap(), 1);
    assert_eq!(
        tx.enqueue_provision_all(t0() + Duration::seconds(1))
            .await
            .unwrap(),
        0,
        "the pending job is due already: nothing to queue or rewrite"
    );
    let claimed = tx
        .claim_provision_jobs(t0(), t0() + LEASE, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].subscription_id, gone);
    assert_eq!(
        claimed[0].id.get_version_num(),
        7,
        "set-based jobs get time-ordered ids, as the application's own"
    );
    tx.commit().await.unwrap();
}

/// R9.3: queueing a change for a subscription whose pending job is due and was never tried
/// leaves that job as it is: it will read the subscription when it runs, and rewriting it
/// would change nothing but its `updated_at`. (A job waiting for a retry is made due now:
/// `r9_3_a_new_change_makes_a_backed_off_job_due_now`.)
pub async fn r9_3_a_change_leaves_a_due_untried_job_as_it_is(f: &impl Fixture) {
    let store = f.store();
    let (s1, j1) = (Uuid::now_v7(), Uuid::now_v7());
    let mut tx = store.write().await.unwrap();
    tx.enqueue_provision(&[(j1, s1)], t0()).await.unwrap();
    let later = t0() + Duration::seconds(1);
    let again = tx
        .enqueue_provision(&[(Uuid::now_v7(), s1)], later)
        .await
        .unwrap();
    assert_eq!(again, [(s1, j1)], "coalesced into the pending job");
    let job = tx.provision_job(j1).await.unwrap().unwrap();
    assert_eq!(
        (job.state, job.run_after, job.attempts, job.updated_at),
        (JobState::Pending, t0(), 0, t0()),
        "a due, untried job is not rewritten"
    );
    tx.commit().await.unwrap();
}

/// R9.3: tidying the queue after a bulk run (outside any transaction) keeps every job as it
/// was: done jobs stay listed and pending ones are still claimed, in order.
pub async fn r9_3_tidying_the_queue_keeps_every_job(f: &impl Fixture) {
    let store = f.store();
    let jobs: Vec<(Uuid, Uuid)> = (0..6).map(|_| (Uuid::now_v7(), Uuid::now_v7())).collect();
    let now = t0();
    let mut tx = store.write().await.unwrap();
    tx.enqueue_provision(&jobs, now).await.unwrap();
    let claimed = tx.claim_provision_jobs(now, now + LEASE, 4).await.unwrap();
    let done: Vec<Uuid> = claimed.iter().map(|j| j.id).collect();
    tx.complete_provision_jobs(&done, now).await.unwrap();
    tx.commit().await.unwrap();

    store.tidy_provision_queue().await.unwrap();

    let mut tx = store.write().await.unwrap();
    let mut counts = tx.provision_job_counts().await.unwrap();
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(counts, [(JobState::Done, 4), (JobState::Pending, 2)]);
    let rest: Vec<Uuid> = tx
        .claim_provision_jobs(now, now + LEASE, 10)
        .await
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    let mut expected: Vec<Uuid> = jobs
        .iter()
        .map(|(j, _)| *j)
        .filter(|j| !done.contains(j))
        .collect();
    expected.sort();
    let mut rest_sorted = rest.clone();
    rest_sorted.sort();
    assert_eq!(rest_sorted, expected, "the pending jobs are still claimed");
    tx.commit().await.unwrap();
}

/// The pending and the running jobs of the three subscriptions of
/// [`tree_with_cascade_due`](super::status::tree_with_cascade_due), per subscription.
async fn jobs_by_state(
    store: &std::sync::Arc<dyn crate::Store>,
    subs: &[berth_core::hosting::Subscription],
) -> Vec<(usize, usize)> {
    let mut tx = store.read().await.unwrap();
    let pending = tx.provision_jobs_in(JobState::Pending, 100).await.unwrap();
    let running = tx.provision_jobs_in(JobState::Running, 100).await.unwrap();
    let count = |jobs: &[berth_core::job::ProvisionJob], id| {
        jobs.iter().filter(|j| j.subscription_id == id).count()
    };
    subs.iter()
        .map(|s| (count(&pending, s.id), count(&running, s.id)))
        .collect()
}

/// R9.3: two cascades queueing the same subscriptions at once leave one pending job each —
/// the second coalesces into the first one's jobs. On PostgreSQL the queue's `ON CONFLICT`
/// waits for the other transaction's uncommitted jobs; a plain insert without a lock that
/// excludes the other writer fails here with a unique violation (see migration 0026).
pub async fn r9_3_concurrent_cascades_queue_one_pending_job_per_subscription(f: &impl Fixture) {
    let store = f.store();
    let (_, reseller, subs) = super::status::tree_with_cascade_due(&store).await;
    let now = t0() + Duration::minutes(40);
    let mut first = store.write().await.unwrap();
    assert_eq!(
        first
            .enqueue_provision_under(reseller.id, now)
            .await
            .unwrap(),
        3
    );
    let root = reseller.id;
    let second = super::status::while_uncommitted(&store, first, move |tx| {
        Box::pin(async move { tx.enqueue_provision_under(root, now).await })
    })
    .await
    .expect("the second cascade succeeds");
    assert_eq!(second, 0, "it finds the first one's jobs due and untried");
    assert_eq!(jobs_by_state(&store, &subs).await, [(1, 0); 3]);
}

/// R9.3: a single change queued while a cascade queues the same subscription, in either
/// order, coalesces with it into one pending job (no unique violation on PostgreSQL's
/// `provision_jobs_one_pending`).
pub async fn r9_3_a_change_during_a_cascade_coalesces_into_one_pending_job(f: &impl Fixture) {
    let store = f.store();
    let (_, reseller, subs) = super::status::tree_with_cascade_due(&store).await;
    let now = t0() + Duration::minutes(40);
    let root = reseller.id;

    // The single change first, the cascade while it is uncommitted.
    let mut first = store.write().await.unwrap();
    first
        .enqueue_provision(&[(Uuid::now_v7(), subs[0].id)], now)
        .await
        .unwrap();
    super::status::while_uncommitted(&store, first, move |tx| {
        Box::pin(async move { tx.enqueue_provision_under(root, now).await })
    })
    .await
    .expect("the cascade succeeds");
    assert_eq!(jobs_by_state(&store, &subs).await, [(1, 0); 3]);

    // The cascade first (its jobs claimed and done before), the single change meanwhile.
    let mut tx = store.write().await.unwrap();
    let claimed = tx.claim_provision_jobs(now, now + LEASE, 10).await.unwrap();
    let ids: Vec<Uuid> = claimed.iter().map(|j| j.id).collect();
    tx.complete_provision_jobs(&ids, now).await.unwrap();
    tx.commit().await.unwrap();
    let mut first = store.write().await.unwrap();
    first.enqueue_provision_under(root, now).await.unwrap();
    let one = subs[1].id;
    let queued = super::status::while_uncommitted(&store, first, move |tx| {
        Box::pin(async move { tx.enqueue_provision(&[(Uuid::now_v7(), one)], now).await })
    })
    .await
    .expect("the single change succeeds");
    assert_eq!(queued.len(), 1);
    assert_eq!(jobs_by_state(&store, &subs).await, [(1, 0); 3]);
}

/// R9.3: jobs claimed by a worker while a cascade queues their subscriptions: once both
/// commit, each subscription has a new pending job besides its running one — the cascade
/// waited for the claim instead of counting the claimed jobs as still pending (the worker
/// may have read the subscription before the cascade's change).
pub async fn r9_3_a_claim_during_a_cascade_leaves_a_new_pending_job(f: &impl Fixture) {
    let store = f.store();
    let (_, reseller, subs) = super::status::tree_with_cascade_due(&store).await;
    let now = t0() + Duration::minutes(40);
    let mut tx = store.write().await.unwrap();
    tx.enqueue_provision_under(reseller.id, now).await.unwrap();
    tx.commit().await.unwrap();

    let later = now + Duration::seconds(1);
    let mut first = store.write().await.unwrap();
    let claimed = first
        .claim_provision_jobs(later, later + LEASE, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    let root = reseller.id;
    let queued = super::status::while_uncommitted(&store, first, move |tx| {
        Box::pin(async move { tx.enqueue_provision_under(root, later).await })
    })
    .await
    .expect("the cascade succeeds");
    assert_eq!(queued, 3);
    assert_eq!(jobs_by_state(&store, &subs).await, [(1, 1); 3]);
}
