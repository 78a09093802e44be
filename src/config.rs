//! One typed configuration, read from the environment once in `main` and passed down.
//!
//! Every variable is optional; the defaults give a working single-machine install on SQLite.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

/// WeChat mini-program credentials and API base.
#[derive(Clone, Debug)]
pub struct WxConfig {
    pub appid: String,
    pub secret: SecretString,
    /// `https://api.weixin.qq.com` in production; a fake server in tests.
    pub api_base: String,
    pub timeout: Duration,
    /// `CAMPUS_WX_RETRIES`, default 1: extra attempts after a transport failure.
    pub retries: u32,
    /// `CAMPUS_WX_MSG_SEC_CHECK=1`: also check user texts with WeChat `msgSecCheck`.
    pub msg_sec_check: bool,
    /// Subscribe message template ids by purpose (`order_paid`, `order_shipped`, `reply`,
    /// `activity`), from `CAMPUS_WX_TEMPLATE_<PURPOSE>`.
    pub templates: Vec<(String, String)>,
}

/// Where SMS verification codes go (`CAMPUS_SMS_PROVIDER`).
#[derive(Clone, Debug)]
pub enum SmsConfig {
    /// Development default: the code is written to the log and to a file under `data/outbox/`.
    Outbox,
    /// Tencent Cloud SMS (API 3.0 `SendSms`).
    Tencent(TencentSmsConfig),
}

/// `CAMPUS_SMS_TENCENT_*`: the Tencent Cloud SMS account, application, signature and template.
#[derive(Clone, Debug)]
pub struct TencentSmsConfig {
    pub secret_id: String,
    pub secret_key: SecretString,
    /// `SmsSdkAppId`, e.g. `1400006666`.
    pub sdk_app_id: String,
    /// The approved signature (短信签名), e.g. `校园助手`.
    pub sign_name: String,
    /// The approved template; its parameters are `{1}` the code and `{2}` the minutes it lasts.
    pub template_id: String,
    /// `CAMPUS_SMS_TENCENT_REGION`, default `ap-guangzhou`.
    pub region: String,
    /// `CAMPUS_SMS_TENCENT_API_BASE`, default `https://sms.tencentcloudapi.com` (a fake in tests).
    pub api_base: String,
    pub timeout: Duration,
}

/// How answers and notifications from WeChat Pay are verified.
#[derive(Clone, Debug)]
pub enum Verification {
    /// "微信支付公钥" mode: one public key, identified by its id (`PUB_KEY_ID_...`).
    PublicKey { id: String, pem: String },
    /// Platform certificate mode: certificates fetched from `/v3/certificates`.
    PlatformCertificates,
}

/// WeChat Pay API v3 settings: plain data that `pay::wechat::WechatPay` turns into a client.
#[derive(Clone, Debug)]
pub struct WxPayConfig {
    pub appid: String,
    pub mchid: String,
    /// Serial number of the merchant API certificate.
    pub serial: String,
    /// The merchant API private key, PKCS#8 PEM.
    pub private_key_pem: SecretString,
    pub apiv3_key: SecretString,
    pub verification: Verification,
    pub api_base: String,
    /// Public base URL of this server, for `notify_url`.
    pub notify_base: String,
    pub timeout: std::time::Duration,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// `CAMPUS_BIND`, default `127.0.0.1:8080`.
    pub bind: String,
    /// `DATABASE_URL`, default `sqlite://data/campus.db`.
    pub database_url: String,
    /// `CAMPUS_DATA_DIR`, default `data/`: uploads, outbox, secret key.
    pub data_dir: PathBuf,
    /// `CAMPUS_SECRET_KEY` (at least 64 bytes); generated into the data dir when unset.
    pub secret_key: SecretString,
    /// `CAMPUS_DATA_KEY`: the keys personal data is sealed with (`db::sealed`); when unset,
    /// `data/data.key`, created on first start.
    pub data_key: Option<SecretString>,
    /// `CAMPUS_REDIS_URL`: sessions and login limits in Redis, shared by every instance.
    pub redis_url: Option<String>,
    /// `CAMPUS_REDIS_PREFIX`, default `campus:`: the start of this site's Redis keys (limits).
    pub redis_prefix: String,
    /// `CAMPUS_SMTP_URL`, e.g. `smtps://user:pass@smtp.example.edu:465`; unset = `.eml` files.
    pub smtp_url: Option<SecretString>,
    /// `CAMPUS_MAIL_FROM`, default `校园助手 <noreply@campus.local>`.
    pub mail_from: String,
    /// `CAMPUS_DEV_LOGIN=1`: one-click demo logins (loopback only, never behind a proxy).
    pub dev_login: bool,
    /// `CAMPUS_SEED_DEMO`, default `1`: load demo data when the database has no users.
    pub seed_demo: bool,
    /// `CAMPUS_COOKIE_SECURE=1` when served over https (behind nginx): secure cookie, HSTS.
    pub cookie_secure: bool,
    /// `CAMPUS_TRUST_PROXY=1`: take the client address from `X-Forwarded-For` (behind nginx).
    pub trust_proxy: bool,
    /// `CAMPUS_METRICS_TOKEN`: the bearer token `/metrics` asks for; unset = local requests only.
    pub metrics_token: Option<SecretString>,
    /// `CAMPUS_SITE_NAME`, default `校园助手`.
    pub site_name: String,
    /// `CAMPUS_WX_APPID`, `CAMPUS_WX_SECRET`, `CAMPUS_WX_API_BASE`.
    pub wx: WxConfig,
    /// `CAMPUS_TICKET_TTL_SECS`, default 120: life of a WeChat login ticket.
    pub ticket_ttl: Duration,
    /// `CAMPUS_API_TOKEN_TTL_SECS`, default 7200: life of the shell's API token.
    pub api_token_ttl: Duration,
    /// `CAMPUS_JOB_POLL_MS`, default 1000: how often the job runner looks for work.
    pub job_poll: Duration,
    /// `CAMPUS_JOB_LEASE_SECS`, default 300: how long a claimed job stays with its instance
    /// unrenewed; a job whose instance died runs again elsewhere after this.
    pub job_lease: Duration,
    /// `CAMPUS_DRAIN_SECS`, default 5: after SIGTERM, how long the instance keeps serving with
    /// `/ready` at 503 ("draining") before it stops accepting and finishes what is in flight.
    pub drain: Duration,
    /// `CAMPUS_WORKERS`, default: number of cores.
    pub workers: usize,
    /// `CAMPUS_UPLOAD_MAX_BYTES`, default 5 MiB.
    pub upload_max_bytes: usize,
    /// `CAMPUS_MULTIPART_MAX_BYTES`, default 10 MiB: the whole of one multipart request.
    pub multipart_max_bytes: usize,
    /// `CAMPUS_MULTIPART_MAX_FIELDS`, default 64: fields and files in one multipart request.
    pub multipart_max_fields: usize,
    /// `CAMPUS_PAY_PROVIDER`: `mock` (default, the development cashier) or `wechat`.
    pub pay_provider: String,
    /// `CAMPUS_ORDER_TIMEOUT_MINS`, default 30: unpaid orders are cancelled after this.
    pub order_timeout: Duration,
    /// `CAMPUS_AUTO_COMPLETE_DAYS`, default 7: shipped orders complete themselves after this.
    pub auto_complete: Duration,
    /// WeChat Pay (`CAMPUS_WXPAY_*`), when `CAMPUS_WXPAY_MCHID` is set.
    pub wxpay: Option<WxPayConfig>,
    /// `CAMPUS_GPA_SCALE`: the score → grade point table (format and default in
    /// `academic::gpa`); checked at start-up.
    pub gpa_scale: Option<String>,
    /// `CAMPUS_PDF_FONT`: the TrueType font (`.ttf`, or `.ttc` with `CAMPUS_PDF_FONT_INDEX`,
    /// default 0) the PDF transcript embeds a subset of; unset = the first of
    /// `web::pdf::DEFAULT_FONTS` that exists (fonts-wqy-zenhei's on Debian).
    pub pdf_font: Option<PathBuf>,
    pub pdf_font_index: u32,
    /// `CAMPUS_SCHOOL_MAIL_DOMAIN` (e.g. `stu.example.edu.cn`): student verification mails a code
    /// to `学号@` this domain; unset = that way of verifying is off.
    pub school_mail_domain: Option<String>,
    /// `CAMPUS_SMS_PROVIDER`: `outbox` (default) or `tencent` (with `CAMPUS_SMS_TENCENT_*`).
    pub sms: SmsConfig,
    /// S3-compatible object storage for uploads (`CAMPUS_MEDIA_S3_*`), when
    /// `CAMPUS_MEDIA_S3_BUCKET` is set; unset = files under the data dir (`web::storage`).
    pub media_s3: Option<MediaS3>,
}

/// `CAMPUS_MEDIA_S3_BUCKET`, `_ENDPOINT` (e.g. `http://127.0.0.1:9000` for MinIO; unset = AWS),
/// `_REGION` (default `us-east-1`), `_ACCESS_KEY_ID`, `_SECRET_ACCESS_KEY` (unset = the usual AWS
/// sources such as an instance role), `_PREFIX` (a key prefix inside the bucket, default none).
#[derive(Clone, Debug)]
pub struct MediaS3 {
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
    pub prefix: String,
}

impl Config {
    /// Reads `CAMPUS_*` and `DATABASE_URL`; creates the data dir and the secret key if needed.
    pub fn from_env() -> anyhow::Result<Config> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let flag = |k: &str, default: bool| match var(k) {
            Some(v) => matches!(v.as_str(), "1" | "true" | "yes" | "on"),
            None => default,
        };
        let secs = |k: &str, default: u64| -> anyhow::Result<Duration> {
            Ok(Duration::from_secs(match var(k) {
                Some(v) => v.parse().map_err(|_| anyhow::anyhow!("{k} must be a number of seconds"))?,
                None => default,
            }))
        };
        let bytes = |k: &str, default: usize| -> anyhow::Result<usize> {
            match var(k) {
                Some(v) => v.parse().map_err(|_| anyhow::anyhow!("{k} must be a number")),
                None => Ok(default),
            }
        };
        let data_dir = PathBuf::from(var("CAMPUS_DATA_DIR").unwrap_or_else(|| "data".into()));
        std::fs::create_dir_all(&data_dir)?;
        let secret_key = match var("CAMPUS_SECRET_KEY") {
            Some(k) => SecretString::from(k),
            None => load_or_create_secret(&data_dir)?,
        };
        if secret_key.expose_secret().len() < 64 {
            anyhow::bail!("CAMPUS_SECRET_KEY must be at least 64 characters");
        }
        let default_db = format!("sqlite://{}", data_dir.join("campus.db").display());
        Ok(Config {
            bind: var("CAMPUS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url: var("DATABASE_URL").unwrap_or(default_db),
            data_dir,
            secret_key,
            data_key: var("CAMPUS_DATA_KEY").map(SecretString::from),
            redis_url: var("CAMPUS_REDIS_URL"),
            redis_prefix: var("CAMPUS_REDIS_PREFIX").unwrap_or_else(|| "campus:".into()),
            smtp_url: var("CAMPUS_SMTP_URL").map(SecretString::from),
            mail_from: var("CAMPUS_MAIL_FROM").unwrap_or_else(|| "校园助手 <noreply@campus.local>".into()),
            dev_login: flag("CAMPUS_DEV_LOGIN", false),
            seed_demo: flag("CAMPUS_SEED_DEMO", true),
            cookie_secure: flag("CAMPUS_COOKIE_SECURE", false),
            trust_proxy: flag("CAMPUS_TRUST_PROXY", false),
            metrics_token: var("CAMPUS_METRICS_TOKEN").map(SecretString::from),
            site_name: var("CAMPUS_SITE_NAME").unwrap_or_else(|| "校园助手".into()),
            wx: WxConfig {
                appid: var("CAMPUS_WX_APPID").unwrap_or_default(),
                secret: SecretString::from(var("CAMPUS_WX_SECRET").unwrap_or_default()),
                api_base: var("CAMPUS_WX_API_BASE").unwrap_or_else(|| "https://api.weixin.qq.com".into()),
                timeout: secs("CAMPUS_WX_TIMEOUT_SECS", 5)?,
                retries: match var("CAMPUS_WX_RETRIES") {
                    Some(v) => v.parse().map_err(|_| anyhow::anyhow!("CAMPUS_WX_RETRIES must be a number"))?,
                    None => 1,
                },
                msg_sec_check: flag("CAMPUS_WX_MSG_SEC_CHECK", false),
                templates: ["order_paid", "order_shipped", "reply", "activity", "grade", "class", "exam"]
                    .iter()
                    .filter_map(|p| {
                        var(&format!("CAMPUS_WX_TEMPLATE_{}", p.to_uppercase())).map(|id| (p.to_string(), id))
                    })
                    .collect(),
            },
            ticket_ttl: secs("CAMPUS_TICKET_TTL_SECS", 120)?,
            api_token_ttl: secs("CAMPUS_API_TOKEN_TTL_SECS", 7200)?,
            job_poll: Duration::from_millis(match var("CAMPUS_JOB_POLL_MS") {
                Some(v) => v.parse().map_err(|_| anyhow::anyhow!("CAMPUS_JOB_POLL_MS must be a number"))?,
                None => 1000,
            }),
            job_lease: secs("CAMPUS_JOB_LEASE_SECS", 300)?,
            drain: secs("CAMPUS_DRAIN_SECS", 5)?,
            workers: match var("CAMPUS_WORKERS") {
                Some(v) => v.parse().map_err(|_| anyhow::anyhow!("CAMPUS_WORKERS must be a number"))?,
                None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            },
            upload_max_bytes: bytes("CAMPUS_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)?,
            multipart_max_bytes: bytes("CAMPUS_MULTIPART_MAX_BYTES", 10 * 1024 * 1024)?,
            multipart_max_fields: bytes("CAMPUS_MULTIPART_MAX_FIELDS", 64)?,
            pay_provider: match var("CAMPUS_PAY_PROVIDER").as_deref() {
                None | Some("mock") => "mock".into(),
                Some("wechat") => "wechat".into(),
                Some(other) => {
                    anyhow::bail!("CAMPUS_PAY_PROVIDER must be mock or wechat, not {other}")
                }
            },
            order_timeout: Duration::from_secs(
                60 * match var("CAMPUS_ORDER_TIMEOUT_MINS") {
                    Some(v) => {
                        v.parse::<u64>().map_err(|_| anyhow::anyhow!("CAMPUS_ORDER_TIMEOUT_MINS must be a number"))?
                    }
                    None => 30,
                },
            ),
            auto_complete: Duration::from_secs(
                86_400
                    * match var("CAMPUS_AUTO_COMPLETE_DAYS") {
                        Some(v) => v
                            .parse::<u64>()
                            .map_err(|_| anyhow::anyhow!("CAMPUS_AUTO_COMPLETE_DAYS must be a number"))?,
                        None => 7,
                    },
            ),
            wxpay: wxpay_from_env(&var)?,
            gpa_scale: var("CAMPUS_GPA_SCALE"),
            pdf_font: var("CAMPUS_PDF_FONT").map(PathBuf::from),
            pdf_font_index: match var("CAMPUS_PDF_FONT_INDEX") {
                Some(v) => v.parse().map_err(|_| anyhow::anyhow!("CAMPUS_PDF_FONT_INDEX must be a number"))?,
                None => 0,
            },
            school_mail_domain: var("CAMPUS_SCHOOL_MAIL_DOMAIN")
                .map(|d| d.trim().trim_start_matches('@').to_lowercase())
                .filter(|d| !d.is_empty()),
            sms: sms_from_env(&var)?,
            media_s3: var("CAMPUS_MEDIA_S3_BUCKET").map(|bucket| MediaS3 {
                bucket,
                endpoint: var("CAMPUS_MEDIA_S3_ENDPOINT"),
                region: var("CAMPUS_MEDIA_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                access_key_id: var("CAMPUS_MEDIA_S3_ACCESS_KEY_ID"),
                secret_access_key: var("CAMPUS_MEDIA_S3_SECRET_ACCESS_KEY").map(SecretString::from),
                prefix: var("CAMPUS_MEDIA_S3_PREFIX").unwrap_or_default(),
            }),
        })
    }

    /// A configuration for tests and tools: everything in `data_dir`, nothing from the environment.
    pub fn for_data_dir(data_dir: &Path, database_url: &str) -> Config {
        let mut key = [0u8; 64];
        rand::rng().fill_bytes(&mut key);
        Config {
            bind: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            data_dir: data_dir.to_path_buf(),
            secret_key: SecretString::from(hex::encode(key)),
            data_key: None,
            redis_url: None,
            redis_prefix: "campus:".into(),
            smtp_url: None,
            mail_from: "校园助手 <noreply@campus.local>".into(),
            dev_login: false,
            seed_demo: false,
            cookie_secure: false,
            trust_proxy: false,
            metrics_token: None,
            site_name: "校园助手".into(),
            wx: WxConfig {
                appid: "wx-test-appid".into(),
                secret: SecretString::from("wx-test-secret".to_string()),
                api_base: "http://127.0.0.1:9".into(),
                timeout: Duration::from_secs(2),
                retries: 1,
                msg_sec_check: false,
                templates: Vec::new(),
            },
            ticket_ttl: Duration::from_secs(120),
            api_token_ttl: Duration::from_secs(7200),
            job_poll: Duration::from_millis(100),
            job_lease: Duration::from_secs(300),
            drain: Duration::ZERO,
            workers: 2,
            upload_max_bytes: 5 * 1024 * 1024,
            multipart_max_bytes: 10 * 1024 * 1024,
            multipart_max_fields: 64,
            pay_provider: "mock".into(),
            order_timeout: Duration::from_secs(30 * 60),
            auto_complete: Duration::from_secs(7 * 86_400),
            wxpay: None,
            gpa_scale: None,
            pdf_font: None,
            pdf_font_index: 0,
            school_mail_domain: None,
            sms: SmsConfig::Outbox,
            media_s3: None,
        }
    }

    /// Dev login is honoured only when asked for, the server listens on loopback alone and does
    /// not sit behind a proxy (which would make a loopback address public).
    pub fn dev_login_allowed(&self) -> bool {
        self.dev_login && !self.trust_proxy && bind_is_loopback(&self.bind)
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }
}

/// `CAMPUS_WXPAY_MCHID`, `_SERIAL`, `_PRIVATE_KEY` (PEM file), `_APIV3_KEY`, `_PUBLIC_KEY` (PEM
/// file) with `_PUBLIC_KEY_ID` for public-key verification (else platform certificates),
/// `_API_BASE`, `_NOTIFY_BASE` (this server's public https base URL).
fn wxpay_from_env(var: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Option<WxPayConfig>> {
    let Some(mchid) = var("CAMPUS_WXPAY_MCHID") else {
        return Ok(None);
    };
    let need = |k: &str| var(k).ok_or_else(|| anyhow::anyhow!("{k} is required with CAMPUS_WXPAY_MCHID"));
    let read = |k: &str| -> anyhow::Result<String> {
        let path = need(k)?;
        std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{k}: cannot read {path}: {e}"))
    };
    let verification = match (var("CAMPUS_WXPAY_PUBLIC_KEY_ID"), var("CAMPUS_WXPAY_PUBLIC_KEY")) {
        (Some(id), Some(_)) => Verification::PublicKey { id, pem: read("CAMPUS_WXPAY_PUBLIC_KEY")? },
        _ => Verification::PlatformCertificates,
    };
    Ok(Some(WxPayConfig {
        appid: var("CAMPUS_WX_APPID").unwrap_or_default(),
        mchid,
        serial: need("CAMPUS_WXPAY_SERIAL")?,
        private_key_pem: SecretString::from(read("CAMPUS_WXPAY_PRIVATE_KEY")?),
        apiv3_key: SecretString::from(need("CAMPUS_WXPAY_APIV3_KEY")?),
        verification,
        api_base: var("CAMPUS_WXPAY_API_BASE").unwrap_or_else(|| "https://api.mch.weixin.qq.com".into()),
        notify_base: need("CAMPUS_WXPAY_NOTIFY_BASE")?,
        timeout: Duration::from_secs(10),
    }))
}

/// `CAMPUS_SMS_PROVIDER` and, for `tencent`, `CAMPUS_SMS_TENCENT_SECRET_ID`, `_SECRET_KEY`,
/// `_SDK_APP_ID`, `_SIGN_NAME`, `_TEMPLATE_ID` (all required), `_REGION`, `_API_BASE`.
fn sms_from_env(var: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<SmsConfig> {
    match var("CAMPUS_SMS_PROVIDER").as_deref() {
        None | Some("outbox") => Ok(SmsConfig::Outbox),
        Some("tencent") => {
            let need =
                |k: &str| var(k).ok_or_else(|| anyhow::anyhow!("{k} is required with CAMPUS_SMS_PROVIDER=tencent"));
            Ok(SmsConfig::Tencent(TencentSmsConfig {
                secret_id: need("CAMPUS_SMS_TENCENT_SECRET_ID")?,
                secret_key: SecretString::from(need("CAMPUS_SMS_TENCENT_SECRET_KEY")?),
                sdk_app_id: need("CAMPUS_SMS_TENCENT_SDK_APP_ID")?,
                sign_name: need("CAMPUS_SMS_TENCENT_SIGN_NAME")?,
                template_id: need("CAMPUS_SMS_TENCENT_TEMPLATE_ID")?,
                region: var("CAMPUS_SMS_TENCENT_REGION").unwrap_or_else(|| "ap-guangzhou".into()),
                api_base: var("CAMPUS_SMS_TENCENT_API_BASE")
                    .unwrap_or_else(|| "https://sms.tencentcloudapi.com".into()),
                timeout: Duration::from_secs(10),
            }))
        }
        Some(other) => anyhow::bail!("CAMPUS_SMS_PROVIDER must be outbox or tencent, not {other}"),
    }
}

pub fn bind_is_loopback(bind: &str) -> bool {
    match bind.parse::<SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => bind.starts_with("localhost:"),
    }
}

fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<SecretString> {
    let path = data_dir.join("secret.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(SecretString::from(existing.trim().to_string()));
    }
    let mut key = [0u8; 64];
    rand::rng().fill_bytes(&mut key);
    let encoded = hex::encode(key);
    std::fs::write(&path, &encoded)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(SecretString::from(encoded))
}
