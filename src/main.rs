//! The `campus` command: `serve` (the default), `migrate`, `create-admin`, `seed-demo`,
//! `reindex`, `import`, `sync`, `backup`, `restore`, `rotate-data-key`.

use std::io::{BufRead, Write};
use std::net::TcpListener;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use campus::auth::models::{NewUser, Role};
use campus::config::Config;
use campus::db;

#[derive(Parser)]
#[command(name = "campus", version, about = "校园助手 — campus super-app server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an admin account, or give an existing account the admin role and a new password.
    CreateAdmin {
        #[arg(long)]
        username: Option<String>,
        /// Read from standard input when not given.
        #[arg(long, env = "CAMPUS_ADMIN_PASSWORD")]
        password: Option<String>,
        #[arg(long, default_value = "管理员")]
        nickname: String,
    },
    /// Load the demo accounts and messages (resets the demo accounts' passwords).
    SeedDemo {
        /// Also add this many generated products (benchmarks).
        #[arg(long, default_value_t = 0)]
        products: usize,
        /// Also add this many completed orders (benchmarks).
        #[arg(long, default_value_t = 0)]
        orders: usize,
        /// Also add this many generated forum posts (benchmarks).
        #[arg(long, default_value_t = 0)]
        posts: usize,
        /// Also add this many forum comments, spread over the generated posts.
        #[arg(long, default_value_t = 0)]
        comments: usize,
    },
    /// Rebuild the search index (products and forum posts) from the database.
    Reindex,
    /// Import every academic file a directory holds (`students.csv`, `grades.xlsx`, …), in the
    /// order their references need: the nightly sync from the school's export.
    Sync {
        dir: std::path::PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
    /// Import academic records from a CSV or XLSX file (format: docs/academic-import.md).
    Import {
        /// students, teachers, courses, classrooms, calendar, schedules, grades or exams
        kind: String,
        /// The CSV (UTF-8) or XLSX file.
        file: std::path::PathBuf,
        /// Check every row and count what would change, without saving.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a consistent snapshot of the database and the media, with a manifest of row counts
    /// and checksums (safe while the server runs).
    Backup {
        /// A new or empty directory (default: <data dir>/backups/<UTC time>).
        #[arg(long)]
        to: Option<std::path::PathBuf>,
        /// Afterwards keep only the newest N backups in the same parent directory.
        #[arg(long)]
        keep: Option<usize>,
    },
    /// Seal all personal data under a new data key: with `data/data.key`, a new key is made and
    /// put first; with `CAMPUS_DATA_KEY`, put the new key first there, then run this. Safe while
    /// the server runs; afterwards every value opens with the current key alone.
    RotateDataKey,
    /// Restore a backup made by `campus backup` (stop the server first).
    Restore {
        /// The backup directory (holding manifest.json).
        dir: std::path::PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => {
            let mut conn = db::connect_one(&config.database_url)?;
            let applied = db::migrate(&mut conn)?;
            let keys = campus::app::load_keys(&config)?;
            let sealed = db::reseal::reseal_at_start(&mut conn, &keys)?;
            println!("applied {applied} migration(s); sealed {} value(s)", sealed.total());
            Ok(())
        }
        Command::RotateDataKey => rotate_data_key(&config),
        Command::CreateAdmin { username, password, nickname } => create_admin(&config, username, password, &nickname),
        Command::Import { kind, file, dry_run } => import(&config, &kind, &file, dry_run),
        Command::Sync { dir, dry_run } => sync(&config, dir, dry_run),
        Command::Backup { to, keep } => {
            let (dir, manifest) = campus::ops::backup::take(&config, to, keep)?;
            let media = manifest.files.keys().filter(|f| f.starts_with("media/") || f.starts_with("private/")).count();
            println!(
                "backup written to {}: {} table(s), {} row(s), {media} media file(s) ({}), schema {}",
                dir.display(),
                manifest.tables.len(),
                manifest.total_rows(),
                manifest.media,
                manifest.schema_version.as_deref().unwrap_or("none")
            );
            Ok(())
        }
        Command::Restore { dir, force } => {
            let restored = campus::ops::restore::restore(&config, &dir, force)?;
            println!(
                "restored {} ({} backup of {}): {} table(s), {} row(s), {} media file(s); row counts match the manifest",
                dir.display(),
                restored.manifest.backend,
                restored.manifest.created_at,
                restored.manifest.tables.len(),
                restored.manifest.total_rows(),
                restored.media_files
            );
            Ok(())
        }
        Command::Reindex => {
            let mut conn = db::connect_one(&config.database_url)?;
            db::migrate(&mut conn)?;
            let index = campus::search::SearchIndex::open(&config.data_dir.join("search"))?;
            let n =
                campus::mall::service::rebuild_search_index(&mut conn, &index).map_err(|e| anyhow::anyhow!("{e}"))?;
            let p = campus::forum::search::rebuild(&mut conn, &index).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("indexed {n} product(s) and {p} forum post(s)");
            Ok(())
        }
        Command::SeedDemo { products, orders, posts, comments } => {
            let mut conn = db::connect_one(&config.database_url)?;
            db::migrate(&mut conn)?;
            let keys = campus::app::load_keys(&config)?;
            db::reseal::reseal_at_start(&mut conn, &keys)?;
            let media = campus::web::storage::Storage::open(&config)?;
            campus::seed::demo(&mut conn, &keys, &media).map_err(|e| anyhow::anyhow!("{e}"))?;
            if products + orders > 0 {
                campus::seed::bulk(&mut conn, &keys, &media, products, orders).map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("added {products} product(s) and {orders} order(s)");
            }
            if posts > 0 {
                let started = std::time::Instant::now();
                campus::forum::demo::bulk(&mut conn, posts, comments).map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("added {posts} forum post(s) and {comments} comment(s) in {:.1?}", started.elapsed());
            }
            println!(
                "demo accounts ready: student, teacher, merchant, admin (password {})",
                campus::seed::DEMO_PASSWORD
            );
            Ok(())
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let app = campus::app::prepare(&config)?;
    let listener = TcpListener::bind(&config.bind)?;
    let addr = listener.local_addr()?;
    if config.dev_login && !config.dev_login_allowed() {
        tracing::warn!("CAMPUS_DEV_LOGIN ignored: the server is not bound to loopback, or sits behind a proxy");
    }
    actix_web::rt::System::new().block_on(async move {
        let (readiness, drain) = (app.web.readiness.clone(), config.drain);
        let server = campus::app::start(app, listener).await?;
        actix_web::rt::spawn(campus::app::drain_on_signal(server.handle(), readiness, drain));
        tracing::info!(%addr, "campus listening on http://{addr}/");
        server.await?;
        tracing::info!("campus stopped");
        Ok(())
    })
}

/// `campus import <kind> <file> [--dry-run]`: progress on stderr, the report on stdout.
fn import(config: &Config, kind: &str, file: &std::path::Path, dry_run: bool) -> anyhow::Result<()> {
    use campus::academic::import::{self, Kind};
    use secrecy::ExposeSecret;
    let kind = Kind::parse(kind).ok_or_else(|| {
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        anyhow::anyhow!("unknown kind {kind:?}: one of {}", kinds.join(", "))
    })?;
    let data = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut conn = db::connect_one(&config.database_url)?;
    db::migrate(&mut conn)?;
    let key = config.secret_key.expose_secret().as_bytes().to_vec();
    let plan = import::plan(&mut conn, kind, Some(key.as_slice()), &name, &data).map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows = plan.rows;
    let mut stderr = std::io::stderr();
    let report = import::execute(&mut conn, plan, dry_run, &mut |_, done, total| {
        let width = 30;
        let filled = (done * width).checked_div(total).unwrap_or(width).min(width);
        let _ = write!(stderr, "\r[{}{}] {done}/{total}", "#".repeat(filled), "-".repeat(width - filled));
        let _ = stderr.flush();
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!();
    let verb = if dry_run { "预览（未保存）" } else { "导入完成" };
    println!(
        "{verb}：{}，共 {rows} 行；新建 {}，更新 {}，未变 {}，有问题 {} 行",
        kind.label(),
        report.created,
        report.updated,
        report.unchanged,
        report.errors.len()
    );
    for (line, column, why) in &report.errors {
        let column = if column.is_empty() { String::new() } else { format!("「{column}」") };
        println!("  第 {line} 行{column}：{why}");
    }
    Ok(())
}

/// `campus sync <dir> [--dry-run]`: one report line per kind found, then its bad rows.
fn sync(config: &Config, dir: std::path::PathBuf, dry_run: bool) -> anyhow::Result<()> {
    use campus::academic::import::sync::{self, Folder};
    use secrecy::ExposeSecret;
    if !dir.is_dir() {
        anyhow::bail!("{}: not a directory", dir.display());
    }
    let mut conn = db::connect_one(&config.database_url)?;
    db::migrate(&mut conn)?;
    let key = config.secret_key.expose_secret().as_bytes().to_vec();
    let source = Folder(dir);
    let mut stderr = std::io::stderr();
    let steps = sync::sync(&mut conn, &source, &key, dry_run, &mut |kind, done, total| {
        let _ = write!(stderr, "\r{} {done}/{total}", kind.label());
        let _ = stderr.flush();
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!();
    if steps.is_empty() {
        anyhow::bail!(
            "{}: no academic file found (students.csv, grades.xlsx, …)",
            campus::academic::import::sync::Source::describe(&source)
        );
    }
    let verb = if dry_run { "预览（未保存）" } else { "同步完成" };
    let mut refused = false;
    for step in steps {
        match step.outcome {
            Ok((rows, report)) => {
                println!(
                    "{verb}：{}（{}），共 {rows} 行；新建 {}，更新 {}，未变 {}，有问题 {} 行",
                    step.kind.label(),
                    step.file,
                    report.created,
                    report.updated,
                    report.unchanged,
                    report.errors.len()
                );
                for (line, column, why) in &report.errors {
                    let column = if column.is_empty() { String::new() } else { format!("「{column}」") };
                    println!("  第 {line} 行{column}：{why}");
                }
            }
            Err(why) => {
                refused = true;
                println!("未导入：{}（{}）：{why}", step.kind.label(), step.file);
            }
        }
    }
    if refused {
        anyhow::bail!("some files were refused; see above");
    }
    Ok(())
}

fn prompt(label: &str) -> anyhow::Result<String> {
    print!("{label}: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn create_admin(
    config: &Config,
    username: Option<String>,
    password: Option<String>,
    nickname: &str,
) -> anyhow::Result<()> {
    let username = match username {
        Some(u) => u,
        None => prompt("admin username")?,
    };
    let password = match password {
        Some(p) => p,
        None => prompt("password (8+ characters, letters and digits)")?,
    };
    let hash = campus::auth::service::hash_new_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = db::connect_one(&config.database_url)?;
    db::migrate(&mut conn)?;
    let now = db::now();
    let id = campus::auth::service::create_account(
        &mut conn,
        &campus::auth::service::AccountSpec {
            username: &username,
            password_hash: &hash,
            roles: &[Role::Admin],
            user: NewUser::named(nickname, now),
        },
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The CLI makes the owner's account: it may do everything, assigning admin roles included.
    campus::auth::staff::grant_super(&mut conn, id).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("admin account {username} ready (user id {id}, 超级管理员)");
    Ok(())
}

/// `campus rotate-data-key`: a new current key (in `data/data.key`, or as configured), then
/// every sealed value re-sealed under it, in batches.
fn rotate_data_key(config: &Config) -> anyhow::Result<()> {
    let mut conn = db::connect_one(&config.database_url)?;
    db::migrate(&mut conn)?;
    if config.data_key.is_none() {
        let path = db::sealed::key_file(&config.data_dir);
        let id = db::sealed::add_key_to_file(&path)?;
        println!("new data key {id} written first in {}", path.display());
    }
    let keys = campus::app::load_keys(config)?;
    let done = db::reseal::reseal_at_start(&mut conn, &keys)?;
    for (column, n) in &done.columns {
        println!("{column}: {n} value(s) re-sealed");
    }
    let old: Vec<String> = keys.ids().into_iter().skip(1).map(|id| id.to_string()).collect();
    println!(
        "every value is sealed under key {}{}",
        keys.current_id(),
        if old.is_empty() {
            String::new()
        } else {
            format!("; key(s) {} may be removed once every instance has restarted", old.join(", "))
        }
    );
    Ok(())
}
