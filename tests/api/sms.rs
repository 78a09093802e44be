//! SMS through Tencent Cloud SMS (API 3.0 `SendSms`) against a fake Tencent server built from
//! Tencent's documents: it checks the TC3-HMAC-SHA256 signature of every request with the secret
//! (recomputing it from the request it received), answers like Tencent (`Response.Error` for a
//! request it refuses, `SendStatusSet[].Code` per number) and records what it sent.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use campus::config::{SmsConfig, TencentSmsConfig};
use campus::notify::sms::SmsProvider;
use ring::hmac;
use sha2::{Digest, Sha256};

use crate::helpers::{DEMO_PASSWORD, app};

pub const SECRET_ID: &str = "AKIDtestcampus0001";
pub const SECRET_KEY: &str = "tc3-test-secret-key-0001";
pub const SDK_APP_ID: &str = "1400123456";
/// A number the fake refuses per number, as Tencent does when a number hit its daily limit.
pub const LIMITED_NUMBER: &str = "13000000000";

/// One `SendSms` the fake accepted.
#[derive(Clone, Debug)]
pub struct SentSms {
    pub phone: String,
    pub params: Vec<String>,
    pub region: String,
    pub sign_name: String,
    pub template_id: String,
}

#[derive(Default)]
pub struct SmsLedger {
    pub sent: Vec<SentSms>,
    /// Error codes of the requests refused.
    pub refused: Vec<String>,
}

pub struct FakeTencentSms {
    pub base: String,
    pub ledger: Arc<Mutex<SmsLedger>>,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn hmac256(key: &[u8], msg: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg.as_bytes()).as_ref().to_vec()
}

/// The signature Tencent computes for a request ("签名方法 v3", steps 1 to 3), from the headers
/// named in `SignedHeaders`, as received.
fn expected_signature(req: &actix_web::HttpRequest, body: &[u8], signed: &str, date: &str, timestamp: &str) -> String {
    let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_string();
    let mut canonical_headers = String::new();
    for name in signed.split(';') {
        let mut value = header(name);
        if name == "x-tc-action" {
            value = value.to_lowercase();
        }
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed}\n{}",
        req.method().as_str(),
        req.path(),
        req.query_string(),
        hex::encode(Sha256::digest(body))
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac256(format!("TC3{SECRET_KEY}").as_bytes(), date);
    let k_service = hmac256(&k_date, "sms");
    let k_signing = hmac256(&k_service, "tc3_request");
    hex::encode(hmac256(&k_signing, &string_to_sign))
}

fn error(code: &str, message: &str) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(serde_json::json!({
        "Response": { "Error": { "Code": code, "Message": message }, "RequestId": "fake-request-id" }
    }))
}

/// Checks the request as Tencent does; `Err` is the error code Tencent answers with.
fn check(req: &actix_web::HttpRequest, body: &[u8]) -> Result<serde_json::Value, (&'static str, String)> {
    let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if header("X-TC-Action") != "SendSms" {
        return Err(("InvalidAction", format!("action {}", header("X-TC-Action"))));
    }
    if header("X-TC-Version") != "2021-01-11" {
        return Err(("InvalidParameter", "version".into()));
    }
    if req.method() != actix_web::http::Method::POST || req.path() != "/" {
        return Err(("InvalidParameter", "POST / only".into()));
    }
    if !header("Content-Type").starts_with("application/json") {
        return Err(("InvalidParameter", "content type".into()));
    }
    let timestamp = header("X-TC-Timestamp");
    let ts: i64 = timestamp.parse().map_err(|_| ("MissingParameter", "X-TC-Timestamp".to_string()))?;
    if (chrono::Utc::now().timestamp() - ts).abs() > 300 {
        return Err(("AuthFailure.SignatureExpire", "timestamp too far".into()));
    }
    let auth = header("Authorization");
    let rest =
        auth.strip_prefix("TC3-HMAC-SHA256 ").ok_or(("AuthFailure.InvalidAuthorization", "algorithm".to_string()))?;
    let mut credential = "";
    let mut signed = "";
    let mut signature = "";
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = v,
            Some(("SignedHeaders", v)) => signed = v,
            Some(("Signature", v)) => signature = v,
            _ => {}
        }
    }
    let scope: Vec<&str> = credential.split('/').collect();
    let [id, date, "sms", "tc3_request"] = scope.as_slice() else {
        return Err(("AuthFailure.InvalidAuthorization", format!("credential {credential}")));
    };
    if *id != SECRET_ID {
        return Err(("AuthFailure.SecretIdNotFound", "unknown SecretId".into()));
    }
    let day = chrono::DateTime::from_timestamp(ts, 0).unwrap().format("%Y-%m-%d").to_string();
    if *date != day {
        return Err(("AuthFailure.SignatureFailure", "credential date is not the timestamp's day".into()));
    }
    if !signed.split(';').any(|h| h == "content-type") || !signed.split(';').any(|h| h == "host") {
        return Err(("AuthFailure.SignatureFailure", "content-type and host must be signed".into()));
    }
    if expected_signature(req, body, signed, date, &timestamp) != signature {
        return Err(("AuthFailure.SignatureFailure", "The provided credentials could not be validated.".into()));
    }
    serde_json::from_slice(body).map_err(|_| ("InvalidParameter", "body is not JSON".to_string()))
}

async fn serve(
    req: actix_web::HttpRequest,
    body: actix_web::web::Bytes,
    ledger: actix_web::web::Data<Arc<Mutex<SmsLedger>>>,
) -> actix_web::HttpResponse {
    let v = match check(&req, &body) {
        Ok(v) => v,
        Err((code, message)) => {
            ledger.lock().unwrap().refused.push(code.to_string());
            return error(code, &message);
        }
    };
    if v["SmsSdkAppId"] != SDK_APP_ID {
        ledger.lock().unwrap().refused.push("InvalidParameterValue.SdkAppIdNotExist".into());
        return error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist");
    }
    let region = req.headers().get("X-TC-Region").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let params: Vec<String> =
        v["TemplateParamSet"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    let mut statuses = Vec::new();
    for number in v["PhoneNumberSet"].as_array().unwrap() {
        let number = number.as_str().unwrap().to_string();
        let (code, message) = if number == format!("+86{LIMITED_NUMBER}") {
            ("LimitExceeded.PhoneNumberDailyLimit", "the number hit its daily limit")
        } else {
            ledger.lock().unwrap().sent.push(SentSms {
                phone: number.clone(),
                params: params.clone(),
                region: region.clone(),
                sign_name: v["SignName"].as_str().unwrap().to_string(),
                template_id: v["TemplateId"].as_str().unwrap().to_string(),
            });
            ("Ok", "send success")
        };
        statuses.push(serde_json::json!({
            "SerialNo": "2028:fake", "PhoneNumber": number, "Fee": 1, "SessionContext": "",
            "Code": code, "Message": message, "IsoCode": "CN"
        }));
    }
    actix_web::HttpResponse::Ok()
        .json(serde_json::json!({ "Response": { "SendStatusSet": statuses, "RequestId": "fake-request-id" } }))
}

impl FakeTencentSms {
    pub fn start() -> FakeTencentSms {
        use actix_web::{App, HttpServer, web};
        let ledger: Arc<Mutex<SmsLedger>> = Arc::default();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = std::sync::mpsc::channel();
        let data = web::Data::new(ledger.clone());
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(serve)))
                    .workers(1)
                    .listen(listener)
                    .unwrap()
                    .run();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        FakeTencentSms { base: format!("http://127.0.0.1:{port}"), ledger, handle, thread: Some(thread) }
    }

    /// The app's settings for this fake, signing with `secret_key`.
    pub fn config(&self, secret_key: &str) -> TencentSmsConfig {
        TencentSmsConfig {
            secret_id: SECRET_ID.into(),
            secret_key: secrecy::SecretString::from(secret_key.to_string()),
            sdk_app_id: SDK_APP_ID.into(),
            sign_name: "校园助手".into(),
            template_id: "2001234".into(),
            region: "ap-guangzhou".into(),
            api_base: self.base.clone(),
            timeout: Duration::from_secs(2),
        }
    }

    pub fn sent(&self) -> Vec<SentSms> {
        self.ledger.lock().unwrap().sent.clone()
    }

    pub fn refused(&self) -> Vec<String> {
        self.ledger.lock().unwrap().refused.clone()
    }
}

impl Drop for FakeTencentSms {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn a_student_signs_in_by_a_code_sent_through_tencent_cloud_sms() {
    let fake = FakeTencentSms::start();
    let app = app().sms(SmsConfig::Tencent(fake.config(SECRET_KEY))).start();
    let c = app.client();
    let r = c.submit("/login/phone", "/login/phone/code", &[("phone", "138 0013 8000")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let sent = fake.sent();
    assert_eq!(sent.len(), 1, "one SMS, signature accepted: {:?}", fake.refused());
    let sms = &sent[0];
    assert_eq!(sms.phone, "+8613800138000");
    assert_eq!(sms.region, "ap-guangzhou");
    assert_eq!((sms.sign_name.as_str(), sms.template_id.as_str()), ("校园助手", "2001234"));
    assert_eq!(sms.params[1], "10", "the template says how many minutes the code lasts");
    let code = sms.params[0].clone();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    let r = c.submit("/login/phone", "/login/phone", &[("phone", "13800138000"), ("code", &code)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(c.get("/me").status, 200);
}

#[test]
fn a_wrong_tencent_secret_is_refused_by_the_server_and_said_clearly() {
    let fake = FakeTencentSms::start();
    // The provider alone: the refusal comes back with Tencent's own error code.
    let provider = campus::notify::sms::tencent::TencentSms::new(fake.config("not-the-secret"));
    let err = provider.send_code("13800138000", "123456", 10).unwrap_err();
    assert_eq!(err.code, "AuthFailure.SignatureFailure", "{err}");
    assert!(err.to_string().contains("AuthFailure.SignatureFailure"), "{err}");
    // Through the app: a 502 with words for the student; the cause is in the log.
    let app = app().sms(SmsConfig::Tencent(fake.config("not-the-secret"))).start();
    let c = app.client();
    let r = c.submit("/login/phone", "/login/phone/code", &[("phone", "13800138000")]);
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains("短信发送失败，请稍后再试"), "{}", r.body);
    assert!(fake.sent().is_empty());
    assert_eq!(fake.refused(), vec!["AuthFailure.SignatureFailure".to_string(); 2]);
}

#[test]
fn a_number_tencent_refuses_is_a_clear_error_and_the_right_secret_works() {
    let fake = FakeTencentSms::start();
    let provider = campus::notify::sms::tencent::TencentSms::new(fake.config(SECRET_KEY));
    let err = provider.send_code(LIMITED_NUMBER, "123456", 10).unwrap_err();
    assert_eq!(err.code, "LimitExceeded.PhoneNumberDailyLimit", "{err}");
    provider.send_code("13912345678", "654321", 10).unwrap();
    let sent = fake.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].params, vec!["654321".to_string(), "10".to_string()]);
    // A wrong SecretId is refused too.
    let mut other = fake.config(SECRET_KEY);
    other.secret_id = "AKIDsomeoneelse".into();
    let err = campus::notify::sms::tencent::TencentSms::new(other).send_code("13912345678", "1", 10).unwrap_err();
    assert_eq!(err.code, "AuthFailure.SecretIdNotFound");
}

#[test]
fn the_outbox_writes_the_code_to_a_file_for_development() {
    let app = app().start();
    let c = app.login("student", DEMO_PASSWORD);
    let r = c.submit("/me/phone", "/me/phone/code", &[("phone", "13912345678")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let code = crate::phone::texted_code(&app, "13912345678").expect("a code in the outbox");
    assert_eq!(code.len(), 6);
    let files: Vec<_> = std::fs::read_dir(app.data_dir.join("outbox")).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(text.contains("To: 13912345678") && text.contains("10 分钟内有效"), "{text}");
}
