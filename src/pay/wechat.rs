//! WeChat Pay API v3 (JSAPI / mini-program): request signing, answer and notification
//! verification, AEAD_AES_256_GCM decryption, prepay, pay-sign, query, close, refund.
//!
//! Crypto is `ring` (RSA PKCS#1 v1.5 SHA-256, AES-256-GCM); OpenSSL only parses key and
//! certificate files. Blocking (ureq): call through `web::block`.
//! Verification supports both of WeChat Pay's modes: a configured WeChat Pay public key (by its
//! id), or platform certificates downloaded from `/v3/certificates` and cached by serial.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use crate::config::{Verification, WxPayConfig};

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("WeChat Pay is not configured: {0}")]
    Config(String),
    #[error("WeChat Pay request failed: {0}")]
    Transport(String),
    #[error("WeChat Pay answered {status}: {code} {message}")]
    Api { status: u16, code: String, message: String },
    #[error("signature check failed: {0}")]
    Signature(String),
    #[error("cannot decrypt: {0}")]
    Decrypt(String),
}

pub struct WechatPay {
    config: WxPayConfig,
    key: RsaKeyPair,
    agent: ureq::Agent,
    rng: SystemRandom,
    /// Verification keys (PKCS#1 DER) by serial / public key id.
    keys: Mutex<HashMap<String, Vec<u8>>>,
    /// When the platform certificates may be downloaded again (none: now). Held while
    /// downloading, so concurrent callers wait for one download instead of starting their own.
    next_refresh: Mutex<Option<Instant>>,
}

/// The platform certificates are downloaded at most this often: a notification with an unknown
/// serial (a forged one, say) must not make every request a call to WeChat Pay.
const REFRESH_EVERY: Duration = Duration::from_secs(5 * 60);
/// After a failed download, sooner: until it works nothing from WeChat Pay can be verified.
const REFRESH_AFTER_FAILURE: Duration = Duration::from_secs(30);

/// How old (or how far ahead) a signed message from WeChat Pay may be.
const MAX_AGE_SECS: i64 = 5 * 60;

/// The decrypted `resource` of a payment notification, and the answer of a query.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Transaction {
    pub appid: String,
    pub mchid: String,
    pub out_trade_no: String,
    pub transaction_id: Option<String>,
    pub trade_state: String,
    pub amount: Option<TransactionAmount>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TransactionAmount {
    pub total: i64,
    #[serde(default)]
    pub currency: String,
}

/// The decrypted `resource` of a refund notification.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RefundNotice {
    pub mchid: String,
    pub out_trade_no: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub refund_status: String,
    #[serde(default)]
    pub transaction_id: Option<String>,
    pub amount: Option<RefundNoticeAmount>,
}

/// The amounts of a refund notification, in fen: this refund and the order it refunds.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RefundNoticeAmount {
    pub total: i64,
    pub refund: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefundAnswer {
    pub refund_id: String,
    pub status: String,
}

/// What `wx.requestPayment` needs.
#[derive(Debug, Clone, Serialize)]
pub struct PayParams {
    #[serde(rename = "appId")]
    pub app_id: String,
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    #[serde(rename = "nonceStr")]
    pub nonce_str: String,
    pub package: String,
    #[serde(rename = "signType")]
    pub sign_type: String,
    #[serde(rename = "paySign")]
    pub pay_sign: String,
}

/// A notification as it arrives: the signature headers and the body.
pub struct SignedMessage<'a> {
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
    pub serial: &'a str,
    pub body: &'a str,
}

#[derive(Deserialize)]
struct Envelope {
    event_type: Option<String>,
    resource: Option<Resource>,
}

#[derive(Deserialize)]
struct Resource {
    algorithm: String,
    ciphertext: String,
    #[serde(default)]
    associated_data: String,
    nonce: String,
}

/// The DER inside a PEM block.
pub fn pem_der(pem: &str) -> Result<Vec<u8>, PayError> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).map(str::trim).collect();
    B64.decode(body).map_err(|e| PayError::Config(format!("bad PEM: {e}")))
}

/// An RSA public key (SPKI PEM) as the PKCS#1 DER that ring verifies with.
fn public_key_pkcs1(pem: &str) -> Result<Vec<u8>, PayError> {
    let key = openssl::pkey::PKey::public_key_from_pem(pem.as_bytes())
        .map_err(|e| PayError::Config(format!("bad public key: {e}")))?;
    key.rsa().and_then(|r| r.public_key_to_der_pkcs1()).map_err(|e| PayError::Config(format!("not an RSA key: {e}")))
}

fn nonce() -> String {
    crate::web::random_token(24).replace(['-', '_'], "x")
}

impl WechatPay {
    pub fn new(config: WxPayConfig) -> Result<WechatPay, PayError> {
        let der = pem_der(config.private_key_pem.expose_secret())?;
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| PayError::Config(format!("merchant private key: {e}")))?;
        if config.apiv3_key.expose_secret().len() != 32 {
            return Err(PayError::Config("the APIv3 key must be 32 bytes".into()));
        }
        let mut keys = HashMap::new();
        if let Verification::PublicKey { id, pem } = &config.verification {
            keys.insert(id.clone(), public_key_pkcs1(pem)?);
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(WechatPay {
            config,
            key,
            agent,
            rng: SystemRandom::new(),
            keys: Mutex::new(keys),
            next_refresh: Mutex::new(None),
        })
    }

    pub fn appid(&self) -> &str {
        &self.config.appid
    }

    pub fn mchid(&self) -> &str {
        &self.config.mchid
    }

    /// RSA-SHA256 of `message` with the merchant key, base64.
    pub fn sign(&self, message: &str) -> Result<String, PayError> {
        let mut sig = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, message.as_bytes(), &mut sig)
            .map_err(|_| PayError::Signature("signing failed".into()))?;
        Ok(B64.encode(sig))
    }

    /// The `Authorization` header for one request.
    fn authorization(&self, method: &str, path: &str, body: &str) -> Result<String, PayError> {
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let nonce = nonce();
        let signature = self.sign(&format!("{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n"))?;
        Ok(format!(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{}\"",
            self.config.mchid, self.config.serial
        ))
    }

    /// Sends a signed request; checks the answer's signature and age; returns status and body.
    fn call(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Result<(u16, String), PayError> {
        let body_text = body.map(|b| b.to_string()).unwrap_or_default();
        let auth = self.authorization(method, path, &body_text)?;
        let url = format!("{}{}", self.config.api_base.trim_end_matches('/'), path);
        let result = match method {
            "GET" => self.agent.get(&url).header("Authorization", &auth).header("Accept", "application/json").call(),
            _ => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .send(body_text.as_bytes()),
        };
        let mut res = result.map_err(|e| PayError::Transport(e.to_string()))?;
        let status = res.status().as_u16();
        let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let (timestamp, nonce, signature, serial) = (
            header("Wechatpay-Timestamp"),
            header("Wechatpay-Nonce"),
            header("Wechatpay-Signature"),
            header("Wechatpay-Serial"),
        );
        let text = res.body_mut().read_to_string().map_err(|e| PayError::Transport(e.to_string()))?;
        if status < 300 && path != "/v3/certificates" {
            self.verify(
                &SignedMessage {
                    timestamp: &timestamp,
                    nonce: &nonce,
                    signature: &signature,
                    serial: &serial,
                    body: &text,
                },
                true,
            )?;
        }
        if status >= 300 {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            return Err(PayError::Api {
                status,
                code: v["code"].as_str().unwrap_or("").to_string(),
                message: v["message"].as_str().unwrap_or("").to_string(),
            });
        }
        Ok((status, text))
    }

    /// Checks a signed message from WeChat Pay; with `fresh`, refuses one older than 5 minutes.
    pub fn verify(&self, m: &SignedMessage, fresh: bool) -> Result<(), PayError> {
        if fresh {
            let ts: i64 = m.timestamp.parse().map_err(|_| PayError::Signature("bad timestamp".into()))?;
            if (chrono::Utc::now().timestamp() - ts).abs() > MAX_AGE_SECS {
                return Err(PayError::Signature("timestamp too old".into()));
            }
        }
        let sig = B64.decode(m.signature).map_err(|_| PayError::Signature("bad signature encoding".into()))?;
        let key = self.verification_key(m.serial)?;
        let message = format!("{}\n{}\n{}\n", m.timestamp, m.nonce, m.body);
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key)
            .verify(message.as_bytes(), &sig)
            .map_err(|_| PayError::Signature("signature does not match".into()))
    }

    fn cached_key(&self, serial: &str) -> Result<Option<Vec<u8>>, PayError> {
        Ok(self.keys.lock().map_err(|_| PayError::Config("key cache poisoned".into()))?.get(serial).cloned())
    }

    /// The key of `serial`. In platform-certificate mode an unknown serial downloads the
    /// certificates again, once at a time and at most every [`REFRESH_EVERY`]; in between an
    /// unknown serial is refused without a call.
    fn verification_key(&self, serial: &str) -> Result<Vec<u8>, PayError> {
        if let Some(k) = self.cached_key(serial)? {
            return Ok(k);
        }
        if matches!(self.config.verification, Verification::PlatformCertificates) {
            let mut next = self.next_refresh.lock().map_err(|_| PayError::Config("refresh lock poisoned".into()))?;
            // Someone else may have downloaded it while we waited for the lock.
            if let Some(k) = self.cached_key(serial)? {
                return Ok(k);
            }
            if next.is_none_or(|at| Instant::now() >= at) {
                let downloaded = self.refresh_certificates();
                let wait = if downloaded.is_ok() { REFRESH_EVERY } else { REFRESH_AFTER_FAILURE };
                *next = Some(Instant::now() + wait);
                downloaded?;
                if let Some(k) = self.cached_key(serial)? {
                    return Ok(k);
                }
            }
        }
        Err(PayError::Signature(format!("unknown serial {serial}")))
    }

    /// Downloads the platform certificates, decrypts them with the APIv3 key, keeps their keys.
    fn refresh_certificates(&self) -> Result<(), PayError> {
        let (_, text) = self.call("GET", "/v3/certificates", None)?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| PayError::Transport(e.to_string()))?;
        let mut found = HashMap::new();
        for item in v["data"].as_array().cloned().unwrap_or_default() {
            let serial = item["serial_no"].as_str().unwrap_or_default().to_string();
            let enc: Resource = serde_json::from_value(item["encrypt_certificate"].clone())
                .map_err(|e| PayError::Decrypt(e.to_string()))?;
            let pem = self.decrypt(&enc)?;
            let cert = openssl::x509::X509::from_pem(pem.as_bytes())
                .map_err(|e| PayError::Decrypt(format!("certificate: {e}")))?;
            let key = cert
                .public_key()
                .and_then(|k| k.rsa())
                .and_then(|r| r.public_key_to_der_pkcs1())
                .map_err(|e| PayError::Decrypt(format!("certificate key: {e}")))?;
            found.insert(serial, key);
        }
        self.keys.lock().map_err(|_| PayError::Config("key cache poisoned".into()))?.extend(found);
        Ok(())
    }

    fn decrypt(&self, r: &Resource) -> Result<String, PayError> {
        if r.algorithm != "AEAD_AES_256_GCM" {
            return Err(PayError::Decrypt(format!("unknown algorithm {}", r.algorithm)));
        }
        let key = LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, self.config.apiv3_key.expose_secret().as_bytes())
                .map_err(|_| PayError::Decrypt("bad key".into()))?,
        );
        let nonce = Nonce::try_assume_unique_for_key(r.nonce.as_bytes())
            .map_err(|_| PayError::Decrypt("nonce must be 12 bytes".into()))?;
        let mut data = B64.decode(&r.ciphertext).map_err(|_| PayError::Decrypt("bad base64".into()))?;
        let plain = key
            .open_in_place(nonce, Aad::from(r.associated_data.as_bytes()), &mut data)
            .map_err(|_| PayError::Decrypt("authentication failed".into()))?;
        String::from_utf8(plain.to_vec()).map_err(|_| PayError::Decrypt("not UTF-8".into()))
    }

    /// Verifies a notification and returns its decrypted resource and event type.
    pub fn open_notification(&self, m: &SignedMessage) -> Result<(String, String), PayError> {
        self.verify(m, true)?;
        let env: Envelope =
            serde_json::from_str(m.body).map_err(|e| PayError::Decrypt(format!("bad notification: {e}")))?;
        let resource = env.resource.ok_or_else(|| PayError::Decrypt("no resource".into()))?;
        Ok((env.event_type.unwrap_or_default(), self.decrypt(&resource)?))
    }

    /// Creates the prepay order and signs the parameters for `wx.requestPayment`.
    pub fn prepay(
        &self,
        out_trade_no: &str,
        description: &str,
        total_cents: i64,
        openid: &str,
    ) -> Result<PayParams, PayError> {
        let body = json!({
            "appid": self.config.appid,
            "mchid": self.config.mchid,
            "description": description,
            "out_trade_no": out_trade_no,
            "notify_url": format!("{}/api/v1/pay/notify/wechat", self.config.notify_base.trim_end_matches('/')),
            "amount": { "total": total_cents, "currency": "CNY" },
            "payer": { "openid": openid },
        });
        let (_, text) = self.call("POST", "/v3/pay/transactions/jsapi", Some(&body))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| PayError::Transport(e.to_string()))?;
        let prepay_id = v["prepay_id"].as_str().ok_or_else(|| PayError::Transport("no prepay_id".into()))?;
        let time_stamp = chrono::Utc::now().timestamp().to_string();
        let nonce_str = nonce();
        let package = format!("prepay_id={prepay_id}");
        let pay_sign = self.sign(&format!("{}\n{time_stamp}\n{nonce_str}\n{package}\n", self.config.appid))?;
        Ok(PayParams {
            app_id: self.config.appid.clone(),
            time_stamp,
            nonce_str,
            package,
            sign_type: "RSA".into(),
            pay_sign,
        })
    }

    /// Asks WeChat Pay for an order's state (when the notification is late).
    pub fn query(&self, out_trade_no: &str) -> Result<Transaction, PayError> {
        let path = format!("/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={}", self.config.mchid);
        let (_, text) = self.call("GET", &path, None)?;
        serde_json::from_str(&text).map_err(|e| PayError::Transport(format!("bad query answer: {e}")))
    }

    /// Closes an unpaid order so it can no longer be paid.
    pub fn close(&self, out_trade_no: &str) -> Result<(), PayError> {
        let path = format!("/v3/pay/transactions/out-trade-no/{out_trade_no}/close");
        self.call("POST", &path, Some(&json!({ "mchid": self.config.mchid })))?;
        Ok(())
    }

    /// Asks for a refund; the result comes now (`SUCCESS`) or by notification (`PROCESSING`).
    pub fn refund(
        &self,
        out_trade_no: &str,
        out_refund_no: &str,
        refund_cents: i64,
        total_cents: i64,
        reason: &str,
    ) -> Result<RefundAnswer, PayError> {
        let body = json!({
            "out_trade_no": out_trade_no,
            "out_refund_no": out_refund_no,
            "reason": reason,
            "notify_url": format!("{}/api/v1/pay/notify/wechat-refund", self.config.notify_base.trim_end_matches('/')),
            "amount": { "refund": refund_cents, "total": total_cents, "currency": "CNY" },
        });
        let (_, text) = self.call("POST", "/v3/refund/domestic/refunds", Some(&body))?;
        serde_json::from_str(&text).map_err(|e| PayError::Transport(format!("bad refund answer: {e}")))
    }
}
