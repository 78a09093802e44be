//! Tencent Cloud SMS, API 3.0 `SendSms` (version 2021-01-11), signed with TC3-HMAC-SHA256 as
//! Tencent's "签名方法 v3" document describes:
//!
//! 1. canonical request: `POST\n/\n\n` + canonical headers (`content-type`, `host`,
//!    `x-tc-action`, lower-case names, the action's value lower-cased too) + `\n` + signed header
//!    names + `\n` + hex SHA-256 of the JSON body;
//! 2. string to sign: `TC3-HMAC-SHA256\n<timestamp>\n<date>/sms/tc3_request\n` + hex SHA-256 of
//!    the canonical request (`date` is the UTC day of the timestamp);
//! 3. key: `SecretDate = HMAC("TC3" + SecretKey, date)`, `SecretService = HMAC(SecretDate, "sms")`,
//!    `SecretSigning = HMAC(SecretService, "tc3_request")`; signature = hex HMAC of step 2;
//! 4. `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=..., Signature=...`
//!    beside `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp` and `X-TC-Region`.
//!
//! Tencent answers HTTP 200 for most failures: a request-level failure is `Response.Error`
//! (bad signature, wrong app id...), a per-number failure is a `SendStatusSet[].Code` other
//! than `Ok` (daily limit of the number, unknown template...).

use ring::hmac;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use super::{SmsError, SmsProvider};
use crate::config::TencentSmsConfig;

const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";
const ALGORITHM: &str = "TC3-HMAC-SHA256";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const SIGNED_HEADERS: &str = "content-type;host;x-tc-action";

pub struct TencentSms {
    agent: ureq::Agent,
    config: TencentSmsConfig,
}

fn hmac_sha256(key: &[u8], message: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message.as_bytes()).as_ref().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The `Authorization` header of a TC3-HMAC-SHA256 request of `action` to `service` at `host`,
/// made at `timestamp` (Unix seconds) with the JSON `payload`.
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    action: &str,
    timestamp: i64,
    payload: &str,
) -> String {
    let canonical_headers =
        format!("content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{}\n", action.to_lowercase());
    let canonical_request =
        format!("POST\n/\n\n{canonical_headers}\n{SIGNED_HEADERS}\n{}", sha256_hex(payload.as_bytes()));
    let date = chrono::DateTime::from_timestamp(timestamp, 0).unwrap_or_default().format("%Y-%m-%d").to_string();
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!("{ALGORITHM}\n{timestamp}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()));
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), &date);
    let secret_service = hmac_sha256(&secret_date, service);
    let secret_signing = hmac_sha256(&secret_service, "tc3_request");
    let signature = hex::encode(hmac_sha256(&secret_signing, &string_to_sign));
    format!("{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, Signature={signature}")
}

/// The host part of a base URL (`https://sms.tencentcloudapi.com` → `sms.tencentcloudapi.com`).
fn host_of(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

impl TencentSms {
    pub fn new(config: TencentSmsConfig) -> TencentSms {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        TencentSms { agent, config }
    }

    fn error(code: impl Into<String>, message: impl Into<String>) -> SmsError {
        SmsError { provider: "tencent", code: code.into(), message: message.into() }
    }
}

impl SmsProvider for TencentSms {
    fn send_code(&self, phone: &str, code: &str, minutes: u32) -> Result<(), SmsError> {
        let c = &self.config;
        let to = format!("+86{phone}");
        let payload = serde_json::json!({
            "PhoneNumberSet": [to],
            "SmsSdkAppId": c.sdk_app_id,
            "SignName": c.sign_name,
            "TemplateId": c.template_id,
            "TemplateParamSet": [code, minutes.to_string()],
        })
        .to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let host = host_of(&c.api_base);
        let auth =
            authorization(&c.secret_id, c.secret_key.expose_secret(), SERVICE, host, ACTION, timestamp, &payload);
        let url = format!("{}/", c.api_base.trim_end_matches('/'));
        let mut res = self
            .agent
            .post(&url)
            .header("Authorization", &auth)
            .header("Content-Type", CONTENT_TYPE)
            .header("X-TC-Action", ACTION)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &c.region)
            .send(payload.as_bytes())
            .map_err(|e| Self::error("transport", e.to_string()))?;
        let status = res.status().as_u16();
        let text = res.body_mut().read_to_string().map_err(|e| Self::error("transport", e.to_string()))?;
        let reply: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
            Self::error("bad_reply", format!("HTTP {status}: not JSON: {}", text.chars().take(200).collect::<String>()))
        })?;
        let response = &reply["Response"];
        if let Some(err) = response.get("Error") {
            return Err(Self::error(
                err["Code"].as_str().unwrap_or("Unknown"),
                format!(
                    "{} (RequestId {})",
                    err["Message"].as_str().unwrap_or(""),
                    response["RequestId"].as_str().unwrap_or("")
                ),
            ));
        }
        if status >= 300 {
            return Err(Self::error("http", format!("HTTP {status}")));
        }
        let statuses =
            response["SendStatusSet"].as_array().ok_or_else(|| Self::error("bad_reply", "no SendStatusSet"))?;
        let mine = statuses
            .iter()
            .find(|s| s["PhoneNumber"].as_str() == Some(to.as_str()))
            .or_else(|| statuses.first())
            .ok_or_else(|| Self::error("bad_reply", "empty SendStatusSet"))?;
        match mine["Code"].as_str() {
            Some("Ok") => Ok(()),
            other => Err(Self::error(other.unwrap_or("Unknown"), mine["Message"].as_str().unwrap_or("").to_string())),
        }
    }

    fn name(&self) -> &'static str {
        "tencent"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_is_taken_from_the_base_url() {
        assert_eq!(host_of("https://sms.tencentcloudapi.com"), "sms.tencentcloudapi.com");
        assert_eq!(host_of("http://127.0.0.1:4567/"), "127.0.0.1:4567");
    }

    #[test]
    fn the_signature_depends_on_key_body_and_day() {
        let a = authorization("AKID", "key", "sms", "sms.tencentcloudapi.com", "SendSms", 1_700_000_000, "{}");
        assert!(a.starts_with("TC3-HMAC-SHA256 Credential=AKID/2023-11-14/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature="));
        assert_ne!(a, authorization("AKID", "other", "sms", "sms.tencentcloudapi.com", "SendSms", 1_700_000_000, "{}"));
        assert_ne!(a, authorization("AKID", "key", "sms", "sms.tencentcloudapi.com", "SendSms", 1_700_000_000, "{ }"));
    }
}
