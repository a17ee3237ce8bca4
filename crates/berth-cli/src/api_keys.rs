//! `berth api-key create|list|revoke`: keys for `Authorization: Bearer`, acting as the
//! account of `--as` (default: the admin). The key is printed once.

use std::process::ExitCode;

use berth_app::Berth;
use berth_core::Result;
use berth_core::rights::Actor;
use clap::{Args, Subcommand};

use crate::accounts::mode;
use crate::output::{Output, table};

/// `berth api-key ...`.
#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key acting as you (`--as`); it is shown only this once.
    Create(ApiKeyCreateArgs),
    /// List your keys (never the keys themselves).
    List,
    /// Revoke a key by id.
    Revoke(ApiKeyRevokeArgs),
}

/// `api-key create [--ip IP]...`
#[derive(Debug, Args)]
pub struct ApiKeyCreateArgs {
    /// Accept the key only from this source address (repeatable); default: any.
    #[arg(long = "ip", value_name = "IP")]
    pub ips: Vec<String>,
    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `api-key revoke ID`
#[derive(Debug, Args)]
pub struct ApiKeyRevokeArgs {
    /// The key's id (from `api-key list`).
    pub id: String,
    /// Show what would be revoked; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs one `api-key` verb.
pub async fn run(app: &Berth, actor: &Actor, cmd: ApiKeyCommand, out: Output) -> Result<ExitCode> {
    match cmd {
        ApiKeyCommand::Create(args) => {
            let created = app
                .create_api_key(actor, &args.ips, mode(args.dry_run))
                .await?;
            if out.json {
                out.json(&created);
            } else {
                let verb = if args.dry_run {
                    "Would create"
                } else {
                    "Created"
                };
                println!("{verb} API key {} for {}.", created.id, created.login);
                if !created.ips.is_empty() {
                    println!("Accepted only from: {}", created.ips.join(", "));
                }
                println!("Key (shown only this once): {}", created.key);
            }
        }
        ApiKeyCommand::List => {
            let keys = app.list_api_keys(actor).await?;
            if out.json {
                out.json(&keys);
            } else {
                let rows: Vec<Vec<String>> = keys
                    .iter()
                    .map(|k| {
                        vec![
                            k.id.to_string(),
                            k.login.clone(),
                            if k.ips.is_empty() {
                                "any".to_owned()
                            } else {
                                k.ips.join(",")
                            },
                            k.created.to_rfc3339(),
                            if k.revoked { "revoked" } else { "active" }.to_owned(),
                        ]
                    })
                    .collect();
                table(&["ID", "LOGIN", "FROM", "CREATED", "STATUS"], &rows);
            }
        }
        ApiKeyCommand::Revoke(args) => {
            let key = app
                .revoke_api_key(actor, &args.id, mode(args.dry_run))
                .await?;
            if out.json {
                out.json(&key);
            } else {
                let verb = if args.dry_run {
                    "Would revoke"
                } else {
                    "Revoked"
                };
                println!("{verb} API key {}.", key.id);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
