//! The command line's shape (CLI.md): global flags, nouns and verbs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Berth: hosting control panel with built-in billing.
#[derive(Debug, Parser)]
#[command(name = "berth", version, about, propagate_version = true)]
pub struct Cli {
    /// Where the embedded database and provisioning output live.
    #[arg(
        long,
        global = true,
        env = "BERTH_DATA_DIR",
        default_value = "./berth-data"
    )]
    pub data_dir: PathBuf,

    /// `sqlite://PATH` or `postgres://...`; default: SQLite in the data dir.
    #[arg(long, global = true)]
    pub database_url: Option<String>,

    /// Print results as JSON on stdout and errors as JSON on stderr.
    #[arg(long, global = true)]
    pub json: bool,

    /// Act as this account, with exactly its rights (default: the admin).
    #[arg(long = "as", global = true, value_name = "LOGIN")]
    pub act_as: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The nouns.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database and the built-in admin account.
    Init(InitArgs),
    /// Resellers: accounts that sell hosting to their own customers.
    #[command(subcommand)]
    Reseller(AccountCommand),
    /// Customers: accounts that own subscriptions.
    #[command(subcommand)]
    Customer(AccountCommand),
    /// IP addresses of this server, registered by the admin (shared or dedicated).
    #[command(subcommand)]
    Ip(IpCommand),
    /// Service plans, add-on plans and reseller plans: templates of properties (SPEC §2).
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Subscriptions: the hosting units, in sync with their plans (SPEC §3).
    #[command(subcommand)]
    Subscription(SubscriptionCommand),
    /// Additional domains of subscriptions (R3.9).
    #[command(subcommand)]
    Site(crate::domains::SiteCommand),
    /// Aliases: extra names of a domain (R7.2).
    #[command(subcommand)]
    Alias(crate::domains::AliasCommand),
    /// Subdomains: `<name>.<domain>` with their own document root (R7.3).
    #[command(subcommand)]
    Subdomain(crate::domains::SubdomainCommand),
    /// DNS zones, records and the server's zone template (R7.4).
    #[command(subcommand)]
    Dns(crate::dns::DnsCommand),
    /// Serve the REST API (and /healthz) until interrupted.
    Serve(crate::serve::ServeArgs),
    /// API keys for `Authorization: Bearer`, acting as you (`--as`).
    #[command(subcommand)]
    ApiKey(crate::api_keys::ApiKeyCommand),
    /// The audit log of changes made through the REST API.
    #[command(subcommand)]
    Audit(crate::audit::AuditCommand),
    /// Make the machine match the database now: webspaces and nginx configuration,
    /// validated, swapped atomically, reloaded once (R9.1, R9.2).
    Provision(crate::provision::ProvisionArgs),
    /// The virtual host template: files every new webspace starts with (R8.3).
    #[command(subcommand)]
    VhostTemplate(crate::vhost_template::VhostTemplateCommand),
    /// Periodic tasks: expiry, usage and overuse, notifications (R5.4, §6).
    #[command(subcommand)]
    Tasks(crate::tasks::TasksCommand),
    /// A subscription's measured disk and traffic usage, with history (R6.1).
    Usage(crate::tasks::UsageArgs),
    /// Email notifications: recorded messages, recipients, templates (R6.4).
    #[command(subcommand)]
    Notification(crate::tasks::NotificationCommand),
}

/// `berth init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The admin's password (`-` reads it from stdin); generated and printed once if absent.
    #[arg(long)]
    pub admin_password: Option<String>,
    /// The admin's email address.
    #[arg(long, default_value = "admin@localhost.localdomain")]
    pub admin_email: String,
    /// Do not create Plesk's stock service plans (`Default Domain`, `Unlimited`).
    #[arg(long)]
    pub no_stock_plans: bool,
}

/// Verbs shared by resellers and customers.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account.
    Create(CreateArgs),
    /// Change login, password, contact data, description or external id.
    Update(UpdateArgs),
    /// Show one account.
    Info(InfoArgs),
    /// List accounts with search, filters, sort and pagination.
    List(ListArgs),
    /// Remove accounts and everything they own (a reseller goes with its customers).
    Remove(RemoveArgs),
    /// Suspend accounts; what they own is suspended with reason `owner` (R5.2).
    Suspend(StatusArgs),
    /// Activate accounts: lift the reasons at or below your level (R5.3).
    Activate(StatusArgs),
    /// Resellers: each limit with allocated, used and remaining (R4.4).
    Overview(InfoArgs),
    /// Resellers: the IP addresses it may give its subscriptions (R4.5).
    #[command(subcommand)]
    IpPool(IpPoolCommand),
    /// Customers: make them resellers, on a reseller plan or custom (R1.6; admin only).
    ConvertToReseller(ConvertArgs),
    /// Resellers: make them customers of the admin (R1.6; refused while they own customers).
    ConvertToCustomer(ConvertArgs),
    /// Customers: move them to another owner (R1.7; admin only).
    Move(MoveArgs),
}

/// `convert-to-reseller|convert-to-customer LOGIN... [--plan PLAN]`
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Accounts to convert.
    #[arg(required = true)]
    pub logins: Vec<String>,
    /// To a reseller: its reseller plan (default: custom, the sum of its subscriptions).
    /// To a customer: the admin's service plan for its subscriptions (default: custom).
    #[arg(long)]
    pub plan: Option<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `move LOGIN... --to OWNER [--plan PLAN] [--ip IP]...`
#[derive(Debug, Args)]
pub struct MoveArgs {
    /// Customers to move.
    #[arg(required = true)]
    pub logins: Vec<String>,
    /// The new owner: a reseller or the admin.
    #[arg(long)]
    pub to: String,
    /// A service plan of the new owner for the subscriptions (default: custom).
    #[arg(long)]
    pub plan: Option<String>,
    /// IP addresses of the new owner's pool (default: its first shared ones).
    #[arg(long = "ip")]
    pub ips: Vec<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `reseller ip-pool add|remove LOGIN IP...`
#[derive(Debug, Subcommand)]
pub enum IpPoolCommand {
    /// Add addresses to the pool.
    Add(PoolArgs),
    /// Remove addresses from the pool.
    Remove(PoolArgs),
}

/// `LOGIN IP...`
#[derive(Debug, Args)]
pub struct PoolArgs {
    /// The reseller.
    pub login: String,
    /// Addresses.
    #[arg(required = true)]
    pub ips: Vec<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Contact flags (CLI.md).
#[derive(Debug, Args, Default)]
pub struct ContactArgs {
    /// Contact name.
    #[arg(long)]
    pub name: Option<String>,
    /// Email address.
    #[arg(long)]
    pub email: Option<String>,
    /// Company.
    #[arg(long)]
    pub company: Option<String>,
    /// Phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// Fax number.
    #[arg(long)]
    pub fax: Option<String>,
    /// Street address.
    #[arg(long)]
    pub address: Option<String>,
    /// City.
    #[arg(long)]
    pub city: Option<String>,
    /// State or province.
    #[arg(long)]
    pub state: Option<String>,
    /// Postal code.
    #[arg(long)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[arg(long)]
    pub country: Option<String>,
    /// Locale such as en-US.
    #[arg(long)]
    pub locale: Option<String>,
    /// Identifier in an external system (billing).
    #[arg(long)]
    pub external_id: Option<String>,
}

/// `create LOGIN ...`
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Login of the new account.
    pub login: String,
    /// Password (`-` reads it from stdin).
    #[arg(long)]
    pub password: Option<String>,
    /// Owner (customers only): a reseller or the admin; default: you.
    #[arg(long)]
    pub owner: Option<String>,
    /// Owner-side note shown under the name in lists.
    #[arg(long)]
    pub description: Option<String>,
    /// Contact data.
    #[command(flatten)]
    pub contact: ContactArgs,
    /// A reseller's plan and limits, or a customer's first subscription plan.
    #[command(flatten)]
    pub terms: TermsArgs,
    /// A customer's first subscription.
    #[command(flatten)]
    pub first: FirstSubscriptionArgs,
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `--plan`, `--limit`, `--perm`, `--oversell`.
#[derive(Debug, Args, Default)]
pub struct TermsArgs {
    /// Resellers: the reseller plan (`""` makes it custom). Customers: the service plan of the
    /// first subscription (with --domain).
    #[arg(long)]
    pub plan: Option<String>,
    /// Resellers: a limit, e.g. `max_cl=10` or `disk_space=100G`.
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    pub limits: Vec<String>,
    /// Resellers: a permission, e.g. `create_clients=true`.
    #[arg(long = "perm", value_name = "NAME=true|false")]
    pub perms: Vec<String>,
    /// Resellers: whether allocations may exceed the limits (R4.3).
    #[arg(long)]
    pub oversell: Option<bool>,
}

/// A customer's optional first subscription (`customer create ... --domain D`).
#[derive(Debug, Args, Default)]
pub struct FirstSubscriptionArgs {
    /// Domain of the first subscription.
    #[arg(long)]
    pub domain: Option<String>,
    /// Add-on plans of the first subscription.
    #[arg(long = "addon")]
    pub addons: Vec<String>,
    /// IP addresses of the first subscription.
    #[arg(long = "ip")]
    pub ips: Vec<String>,
    /// System user of the first subscription.
    #[arg(long)]
    pub system_user: Option<String>,
    /// System password of the first subscription (`-` reads stdin).
    #[arg(long)]
    pub system_password: Option<String>,
}

/// `update LOGIN ...`
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Login of the account to change.
    pub login: String,
    /// New login.
    #[arg(long)]
    pub new_login: Option<String>,
    /// New password (`-` reads it from stdin).
    #[arg(long)]
    pub password: Option<String>,
    /// New description (empty clears it).
    #[arg(long)]
    pub description: Option<String>,
    /// Contact data to change (empty clears an optional field).
    #[command(flatten)]
    pub contact: ContactArgs,
    /// Resellers: a new plan, limits, permissions or oversell policy.
    #[command(flatten)]
    pub terms: TermsArgs,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `info LOGIN`
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Login of the account.
    pub login: String,
}

/// `list ...`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only accounts owned by this login.
    #[arg(long)]
    pub owner: Option<String>,
    /// `active` or `suspended`.
    #[arg(long)]
    pub status: Option<String>,
    /// Text to find in login, name, company or email.
    #[arg(long)]
    pub search: Option<String>,
    /// `FIELD[:desc]`: login, name, company, email, phone, city, country, locale,
    /// external_id, status, created, updated.
    #[arg(long)]
    pub sort: Option<String>,
    /// Page size (1–1000, default 100).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Continue after this account (the id or login of the last one shown).
    #[arg(long)]
    pub after: Option<String>,
}

/// `remove LOGIN... --yes`
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Logins to remove.
    #[arg(required = true)]
    pub logins: Vec<String>,
    /// Confirm without asking (required when not interactive).
    #[arg(long)]
    pub yes: bool,
    /// Show what would be removed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `berth ip ...` (R7.5).
#[derive(Debug, Subcommand)]
pub enum IpCommand {
    /// Register an IP address (admin only).
    Add(IpAddArgs),
    /// List the registered addresses, IPv4 first, in address order.
    List,
    /// Change the type or the interface of an address.
    Update(IpUpdateArgs),
    /// Remove registered addresses.
    Remove(IpRemoveArgs),
}

/// `ip add IP --type shared|dedicated [--interface IF]`
#[derive(Debug, Args)]
pub struct IpAddArgs {
    /// The IPv4 or IPv6 address.
    pub ip: String,
    /// `shared` (many customers) or `dedicated` (one customer).
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: String,
    /// The network interface it is configured on (e.g. eth0).
    #[arg(long)]
    pub interface: Option<String>,
    /// Show what would be registered; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `ip update IP [--type ...] [--interface ...]`
#[derive(Debug, Args)]
pub struct IpUpdateArgs {
    /// The registered address, in any spelling.
    pub ip: String,
    /// New type: `shared` or `dedicated`.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// New network interface (empty clears it).
    #[arg(long)]
    pub interface: Option<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `ip remove IP... --yes`
#[derive(Debug, Args)]
pub struct IpRemoveArgs {
    /// Addresses to remove.
    #[arg(required = true)]
    pub ips: Vec<String>,
    /// Confirm without asking (required when not interactive).
    #[arg(long)]
    pub yes: bool,
    /// Show what would be removed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `berth plan ...` (SPEC §2).
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Create a plan (R2.1).
    Create(PlanCreateArgs),
    /// Change a plan and sync every subscription using it ("Update & Sync", R2.3).
    Update(PlanUpdateArgs),
    /// Show one plan.
    Info(PlanInfoArgs),
    /// Remove a plan nothing uses (R2.2).
    Remove(PlanRemoveArgs),
    /// List plans.
    List(PlanListArgs),
}

/// Property flags of plans (CLI.md Global and Plans; names are SPEC R2.4's). Each may be
/// repeated; a later value of the same property wins.
#[derive(Debug, Args, Default)]
pub struct PropertyArgs {
    /// A resource limit, e.g. `disk_space=10G`, `max_site=5`, `max_box=unlimited`.
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    pub limits: Vec<String>,
    /// A permission, e.g. `manage_dns=true`.
    #[arg(long = "perm", value_name = "NAME=true|false")]
    pub perms: Vec<String>,
    /// A hosting setting, e.g. `ssl=true`, `php_handler=fpm`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub hosting: Vec<String>,
    /// A PHP setting, e.g. `memory_limit=256M` or `display_errors=default`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub php: Vec<String>,
    /// A mail setting, e.g. `webmail=false`, `nonexistent_user=reject`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub mail: Vec<String>,
    /// The DNS zone type: `master` or `slave`.
    #[arg(long, value_name = "master|slave")]
    pub dns: Vec<String>,
    /// A performance setting, e.g. `max_connections=20`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub performance: Vec<String>,
    /// A logs & statistics setting, e.g. `stats_retention=6`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub logs: Vec<String>,
    /// Catalogue applications: `all`, `none` or a list `a,b`.
    #[arg(long, value_name = "all|none|a,b")]
    pub apps: Vec<String>,
    /// The overuse policy (R6.3), the same as `--limit overuse=POLICY`.
    #[arg(long, value_name = "POLICY")]
    pub overuse: Vec<String>,
    /// Reseller plans: whether the reseller may oversell, the same as
    /// `--perm allow_oversell=...`.
    #[arg(long, value_name = "true|false")]
    pub oversell: Vec<String>,
}

/// `plan create NAME ...`
#[derive(Debug, Args)]
pub struct PlanCreateArgs {
    /// Name of the new plan (unique per owner and type).
    pub name: String,
    /// `service`, `addon` or `reseller`.
    #[arg(long = "type", value_name = "TYPE", default_value = "service")]
    pub plan_type: String,
    /// Owner: the admin or a reseller; default: you.
    #[arg(long)]
    pub owner: Option<String>,
    /// The plan's properties.
    #[command(flatten)]
    pub props: PropertyArgs,
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `plan update NAME ...`
#[derive(Debug, Args)]
pub struct PlanUpdateArgs {
    /// Name of the plan to change.
    pub name: String,
    /// `service`, `addon` or `reseller`, when the owner has several plans of this name.
    #[arg(long = "type", value_name = "TYPE")]
    pub plan_type: Option<String>,
    /// The plan's owner; default: you.
    #[arg(long)]
    pub owner: Option<String>,
    /// New name.
    #[arg(long)]
    pub new_name: Option<String>,
    /// Properties to change.
    #[command(flatten)]
    pub props: PropertyArgs,
    /// Show what would change, per subscription; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `plan info NAME`
#[derive(Debug, Args)]
pub struct PlanInfoArgs {
    /// Name of the plan.
    pub name: String,
    /// `service`, `addon` or `reseller`, when the owner has several plans of this name.
    #[arg(long = "type", value_name = "TYPE")]
    pub plan_type: Option<String>,
    /// The plan's owner; default: you.
    #[arg(long)]
    pub owner: Option<String>,
}

/// `plan remove NAME --yes`
#[derive(Debug, Args)]
pub struct PlanRemoveArgs {
    /// Name of the plan.
    pub name: String,
    /// `service`, `addon` or `reseller`, when the owner has several plans of this name.
    #[arg(long = "type", value_name = "TYPE")]
    pub plan_type: Option<String>,
    /// The plan's owner; default: you.
    #[arg(long)]
    pub owner: Option<String>,
    /// Confirm without asking (required when not interactive).
    #[arg(long)]
    pub yes: bool,
    /// Show what would be removed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `plan list ...`
#[derive(Debug, Args)]
pub struct PlanListArgs {
    /// Only plans of this type: `service`, `addon` or `reseller`.
    #[arg(long = "type", value_name = "TYPE")]
    pub plan_type: Option<String>,
    /// Only plans of this owner.
    #[arg(long)]
    pub owner: Option<String>,
}

/// `berth subscription ...` (SPEC §3).
#[derive(Debug, Subcommand)]
pub enum SubscriptionCommand {
    /// Create a subscription (R3.2).
    Create(SubscriptionCreateArgs),
    /// Show one subscription.
    Info(SubscriptionInfoArgs),
    /// List subscriptions with filters, sort and pagination.
    List(SubscriptionListArgs),
    /// Switch to another service plan, or detach to a custom subscription (R3.6).
    ChangePlan(ChangePlanArgs),
    /// Add an add-on plan (R2.5).
    AddAddon(AddonArgs),
    /// Remove an add-on plan.
    RemoveAddon(AddonArgs),
    /// Customize limits and permissions ("Update & Lock", R3.5).
    Customize(CustomizeArgs),
    /// Release customized fields and sync with the plans ("Unlock & Sync", R3.5).
    Unlock(UnlockArgs),
    /// Sync again and show the conflict report (R3.4); `--accept` takes the available values.
    Sync(SyncArgs),
    /// Reassign subscriptions to another customer of the same owner (R3.7).
    ChangeSubscriber(ChangeSubscriberArgs),
    /// Set a new expiration date, or none (R3.8).
    Renew(RenewArgs),
    /// Change hosting settings: IP addresses, system user, system password (R3.8).
    Set(SetArgs),
    /// Remove subscriptions with their domains and content (R3.8).
    Remove(SubscriptionRemoveArgs),
    /// Suspend subscriptions (R5.1).
    Suspend(StatusArgs),
    /// Activate subscriptions: lift the reasons at or below your level (R5.3).
    Activate(StatusArgs),
}

/// Customization flags of subscriptions: only limits and permissions (R3.5).
#[derive(Debug, Args, Default)]
pub struct CustomArgs {
    /// A resource limit, e.g. `disk_space=10G`.
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    pub limits: Vec<String>,
    /// A permission, e.g. `manage_dns=true`.
    #[arg(long = "perm", value_name = "NAME=true|false")]
    pub perms: Vec<String>,
}

/// `subscription create DOMAIN ...`
#[derive(Debug, Args)]
pub struct SubscriptionCreateArgs {
    /// The main domain name (Unicode or punycode).
    pub domain: String,
    /// The subscriber: a customer, or a provider's own account; default: you.
    #[arg(long)]
    pub owner: Option<String>,
    /// The service plan; without it the subscription is custom.
    #[arg(long)]
    pub plan: Option<String>,
    /// An add-on plan (repeatable).
    #[arg(long = "addon", value_name = "ADDON")]
    pub addons: Vec<String>,
    /// An IP address (repeatable); default: the first shared IPv4 and IPv6 addresses.
    #[arg(long = "ip", value_name = "IP")]
    pub ips: Vec<String>,
    /// The system user; default: derived from the domain.
    #[arg(long)]
    pub system_user: Option<String>,
    /// The system user's password (`-` reads it from stdin); generated and printed once if
    /// absent.
    #[arg(long)]
    pub system_password: Option<String>,
    /// "Customize now": limits and permissions that differ from the plan.
    #[command(flatten)]
    pub custom: CustomArgs,
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription info DOMAIN`
#[derive(Debug, Args)]
pub struct SubscriptionInfoArgs {
    /// The subscription's domain name.
    pub domain: String,
}

/// `subscription list ...`
#[derive(Debug, Args)]
pub struct SubscriptionListArgs {
    /// Only subscriptions of this subscriber.
    #[arg(long)]
    pub owner: Option<String>,
    /// Only subscriptions on this service plan.
    #[arg(long)]
    pub plan: Option<String>,
    /// `active` or `suspended`.
    #[arg(long)]
    pub status: Option<String>,
    /// `synced`, `locked` or `unsynced`.
    #[arg(long)]
    pub sync_state: Option<String>,
    /// Only subscriptions whose usage exceeds a limit.
    #[arg(long)]
    pub overused: bool,
    /// Only expired subscriptions.
    #[arg(long)]
    pub expired: bool,
    /// Text to find in the domain name.
    #[arg(long)]
    pub search: Option<String>,
    /// `FIELD[:desc]`.
    #[arg(long)]
    pub sort: Option<String>,
    /// Page size (1–1000, default 100).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Continue after this subscription (the id or domain name of the last one shown).
    #[arg(long)]
    pub after: Option<String>,
}

/// `subscription change-plan DOMAIN... (--plan P | --no-plan)`
#[derive(Debug, Args)]
pub struct ChangePlanArgs {
    /// Domain names of the subscriptions.
    #[arg(required = true)]
    pub domains: Vec<String>,
    /// The new service plan (of the same owner).
    #[arg(long, required_unless_present = "no_plan", conflicts_with = "no_plan")]
    pub plan: Option<String>,
    /// Detach from every plan, keeping the current values (custom subscription).
    #[arg(long)]
    pub no_plan: bool,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription add-addon|remove-addon DOMAIN... --addon A`
#[derive(Debug, Args)]
pub struct AddonArgs {
    /// Domain names of the subscriptions.
    #[arg(required = true)]
    pub domains: Vec<String>,
    /// The add-on plan.
    #[arg(long)]
    pub addon: String,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription customize DOMAIN [--limit ...] [--perm ...]`
#[derive(Debug, Args)]
pub struct CustomizeArgs {
    /// The subscription's domain name.
    pub domain: String,
    /// The limits and permissions to hold.
    #[command(flatten)]
    pub custom: CustomArgs,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription unlock DOMAIN... [--field NAME]...`
#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// Domain names of the subscriptions.
    #[arg(required = true)]
    pub domains: Vec<String>,
    /// Release only this customized field (repeatable); default: all of them.
    #[arg(long = "field", value_name = "NAME")]
    pub fields: Vec<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription sync DOMAIN [--accept]`
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The subscription's domain name.
    pub domain: String,
    /// Accept the conflict report: take the available values (the subscription is then
    /// locked).
    #[arg(long)]
    pub accept: bool,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription change-subscriber DOMAIN... --to LOGIN`
#[derive(Debug, Args)]
pub struct ChangeSubscriberArgs {
    /// Domain names of the subscriptions.
    #[arg(required = true)]
    pub domains: Vec<String>,
    /// The new subscriber: a customer of the same owner, or the owner itself.
    #[arg(long)]
    pub to: String,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription renew DOMAIN --expiration YYYY-MM-DD|unlimited`
#[derive(Debug, Args)]
pub struct RenewArgs {
    /// The subscription's domain name.
    pub domain: String,
    /// The new expiration date, or `unlimited`.
    #[arg(long, value_name = "YYYY-MM-DD|unlimited")]
    pub expiration: String,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription set DOMAIN [--ip IP]... [--system-user U] [--system-password P]`
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The subscription's domain name.
    pub domain: String,
    /// The IP addresses (repeatable; they replace the current ones).
    #[arg(long = "ip", value_name = "IP")]
    pub ips: Vec<String>,
    /// The new system user.
    #[arg(long)]
    pub system_user: Option<String>,
    /// The new system password (`-` reads it from stdin).
    #[arg(long)]
    pub system_password: Option<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `subscription remove DOMAIN... --yes`
#[derive(Debug, Args)]
pub struct SubscriptionRemoveArgs {
    /// Domain names of the subscriptions.
    #[arg(required = true)]
    pub domains: Vec<String>,
    /// Confirm without asking (required when not interactive).
    #[arg(long)]
    pub yes: bool,
    /// Show what would be removed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `suspend|activate NAME...`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Logins or domain names.
    #[arg(required = true)]
    pub names: Vec<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}
