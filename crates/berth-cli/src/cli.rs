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
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
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
