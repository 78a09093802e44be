//! A fake WeChat Pay API v3 server built from the protocol documents: it checks our request
//! signatures with the merchant public key and signs its answers and notifications with a
//! platform key generated here. No key is committed. It can also misbehave on purpose: refunds
//! down (500), answers signed long ago, and it counts certificate downloads.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use campus::pay::wechat::{Verification, WxPayConfig};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::sign::{Signer, Verifier};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use serde_json::{Value, json};

pub const MCHID: &str = "1900000001";
const APIV3_KEY: &str = "0123456789abcdef0123456789ABCDEF";
const PUBKEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
const CERT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

pub fn sign(key: &PKey<Private>, message: &str) -> String {
    let mut s = Signer::new(MessageDigest::sha256(), key).unwrap();
    s.update(message.as_bytes()).unwrap();
    B64.encode(s.sign_to_vec().unwrap())
}

fn encrypt(plain: &str, associated: &str, nonce: &str) -> String {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, APIV3_KEY.as_bytes()).unwrap());
    let mut data = plain.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::try_assume_unique_for_key(nonce.as_bytes()).unwrap(),
        Aad::from(associated.as_bytes()),
        &mut data,
    )
    .unwrap();
    B64.encode(data)
}

#[derive(Default)]
pub struct Ledger {
    /// out_trade_no → (amount, openid, trade_state)
    pub orders: HashMap<String, (i64, String, String)>,
    pub refunds: Vec<Value>,
    pub closed: Vec<String>,
    pub bad_signatures: usize,
    /// While set, refund calls answer 500 SYSTEM_ERROR (an outage).
    pub refunds_down: bool,
    /// Platform certificate downloads served.
    pub cert_downloads: usize,
    /// Answers are signed with a timestamp this many seconds old.
    pub answer_age: i64,
}

pub struct FakeWxPay {
    pub base: String,
    pub merchant: PKey<Private>,
    pub platform: PKey<Private>,
    pub ledger: Arc<Mutex<Ledger>>,
    /// The serial the fake signs with: the public key id, or the certificate serial.
    pub serial: String,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    merchant_public: PKey<openssl::pkey::Public>,
    platform: PKey<Private>,
    serial: String,
    cert_pem: String,
    ledger: Arc<Mutex<Ledger>>,
}

impl Shared {
    fn reply(&self, status: u16, body: &str) -> HttpResponse {
        let age = self.ledger.lock().unwrap().answer_age;
        let ts = (chrono::Utc::now().timestamp() - age).to_string();
        let nonce = "fakeNonceAbc123";
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
            .insert_header(("Wechatpay-Timestamp", ts.clone()))
            .insert_header(("Wechatpay-Nonce", nonce))
            .insert_header(("Wechatpay-Serial", self.serial.clone()))
            .insert_header(("Wechatpay-Signature", sign(&self.platform, &format!("{ts}\n{nonce}\n{body}\n"))))
            .content_type("application/json")
            .body(body.to_string())
    }

    /// Checks `Authorization: WECHATPAY2-SHA256-RSA2048 ...` against the merchant public key.
    fn authorized(&self, req: &HttpRequest, body: &str) -> bool {
        let Some(auth) = req.headers().get("authorization").and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let Some(params) = auth.strip_prefix("WECHATPAY2-SHA256-RSA2048 ") else {
            return false;
        };
        let fields: HashMap<&str, &str> = params
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
            .collect();
        if fields.get("mchid") != Some(&MCHID) || fields.get("serial_no") != Some(&"MERCHANT_SERIAL_1") {
            return false;
        }
        let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("");
        let message = format!("{}\n{path}\n{}\n{}\n{body}\n", req.method(), fields["timestamp"], fields["nonce_str"]);
        let Ok(sig) = B64.decode(fields.get("signature").copied().unwrap_or("")) else {
            return false;
        };
        let mut v = Verifier::new(MessageDigest::sha256(), &self.merchant_public).unwrap();
        v.update(message.as_bytes()).unwrap();
        v.verify(&sig).unwrap_or(false)
    }

    fn transaction(&self, out_trade_no: &str) -> Option<Value> {
        let ledger = self.ledger.lock().unwrap();
        let (amount, openid, state) = ledger.orders.get(out_trade_no)?;
        Some(json!({
            "appid": "wx-test-appid", "mchid": MCHID, "out_trade_no": out_trade_no,
            "transaction_id": format!("4200000{out_trade_no}"), "trade_type": "JSAPI", "trade_state": state,
            "trade_state_desc": "", "bank_type": "OTHERS", "success_time": "2026-11-25T10:00:00+08:00",
            "payer": { "openid": openid }, "amount": { "total": amount, "payer_total": amount, "currency": "CNY", "payer_currency": "CNY" }
        }))
    }
}

async fn handle(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let body = String::from_utf8_lossy(&body).to_string();
    if !shared.authorized(&req, &body) {
        shared.ledger.lock().unwrap().bad_signatures += 1;
        return HttpResponse::Unauthorized().json(json!({"code": "SIGN_ERROR", "message": "签名错误"}));
    }
    let path = req.path().to_string();
    let v: Value = serde_json::from_str(&body).unwrap_or_default();
    if path == "/v3/pay/transactions/jsapi" {
        let no = v["out_trade_no"].as_str().unwrap_or_default().to_string();
        if v["appid"] != "wx-test-appid"
            || v["mchid"] != MCHID
            || !v["notify_url"].as_str().unwrap_or("").ends_with("/api/v1/pay/notify/wechat")
        {
            return shared.reply(400, &json!({"code": "PARAM_ERROR", "message": "参数错误"}).to_string());
        }
        let amount = v["amount"]["total"].as_i64().unwrap_or(0);
        let openid = v["payer"]["openid"].as_str().unwrap_or_default().to_string();
        shared.ledger.lock().unwrap().orders.insert(no.clone(), (amount, openid, "NOTPAY".into()));
        return shared.reply(200, &json!({"prepay_id": format!("wx25{no}")}).to_string());
    }
    if let Some(rest) = path.strip_prefix("/v3/pay/transactions/out-trade-no/") {
        if let Some(no) = rest.strip_suffix("/close") {
            shared.ledger.lock().unwrap().closed.push(no.to_string());
            return shared.reply(204, "");
        }
        return match shared.transaction(rest) {
            Some(t) => shared.reply(200, &t.to_string()),
            None => shared.reply(404, &json!({"code": "ORDER_NOT_EXIST", "message": "订单不存在"}).to_string()),
        };
    }
    if path == "/v3/refund/domestic/refunds" {
        let down = {
            let mut ledger = shared.ledger.lock().unwrap();
            ledger.refunds.push(v.clone());
            ledger.refunds_down
        };
        if down {
            return HttpResponse::InternalServerError()
                .json(json!({"code": "SYSTEM_ERROR", "message": "系统繁忙，请稍后重试"}));
        }
        return shared.reply(
            200,
            &json!({"refund_id": format!("5030{}", v["out_refund_no"].as_str().unwrap_or("")), "status": "PROCESSING",
            "out_refund_no": v["out_refund_no"], "amount": v["amount"]})
            .to_string(),
        );
    }
    if path == "/v3/certificates" {
        shared.ledger.lock().unwrap().cert_downloads += 1;
        let nonce = "certNonce123";
        let data = json!({"data": [{
            "serial_no": CERT_SERIAL, "effective_time": "2026-01-01T00:00:00+08:00", "expire_time": "2031-01-01T00:00:00+08:00",
            "encrypt_certificate": {"algorithm": "AEAD_AES_256_GCM", "nonce": nonce, "associated_data": "certificate",
                "ciphertext": encrypt(&shared.cert_pem, "certificate", nonce)}
        }]});
        return shared.reply(200, &data.to_string());
    }
    HttpResponse::NotFound().finish()
}

fn self_signed(key: &PKey<Private>) -> String {
    let mut name = openssl::x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "Tenpay.com Root CA").unwrap();
    let name = name.build();
    let mut b = openssl::x509::X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(key).unwrap();
    b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(365).unwrap()).unwrap();
    b.sign(key, MessageDigest::sha256()).unwrap();
    String::from_utf8(b.build().to_pem().unwrap()).unwrap()
}

impl FakeWxPay {
    /// `cert_mode`: the app verifies with downloaded platform certificates instead of a public key.
    pub fn start(cert_mode: bool) -> FakeWxPay {
        let merchant = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let platform = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let ledger: Arc<Mutex<Ledger>> = Arc::default();
        let serial = if cert_mode { CERT_SERIAL } else { PUBKEY_ID }.to_string();
        let shared = web::Data::new(Shared {
            merchant_public: PKey::public_key_from_pem(&merchant.public_key_to_pem().unwrap()).unwrap(),
            platform: platform.clone(),
            serial: serial.clone(),
            cert_pem: self_signed(&platform),
            ledger: ledger.clone(),
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server =
                    HttpServer::new(move || App::new().app_data(shared.clone()).default_service(web::to(handle)))
                        .workers(1)
                        .listen(listener)
                        .unwrap()
                        .run();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        FakeWxPay {
            base: format!("http://127.0.0.1:{port}"),
            merchant,
            platform,
            ledger,
            serial,
            handle,
            thread: Some(thread),
        }
    }

    pub fn config(&self) -> WxPayConfig {
        let verification = if self.serial == PUBKEY_ID {
            Verification::PublicKey {
                id: PUBKEY_ID.into(),
                pem: String::from_utf8(self.platform.public_key_to_pem().unwrap()).unwrap(),
            }
        } else {
            Verification::PlatformCertificates
        };
        WxPayConfig {
            appid: "wx-test-appid".into(),
            mchid: MCHID.into(),
            serial: "MERCHANT_SERIAL_1".into(),
            private_key_pem: secrecy::SecretString::from(
                String::from_utf8(self.merchant.private_key_to_pem_pkcs8().unwrap()).unwrap(),
            ),
            apiv3_key: secrecy::SecretString::from(APIV3_KEY.to_string()),
            verification,
            api_base: self.base.clone(),
            notify_base: "https://campus.example.edu".into(),
            timeout: Duration::from_secs(5),
        }
    }

    /// A notification as WeChat Pay sends it: encrypted resource, signed headers.
    pub fn notification(
        &self,
        event_type: &str,
        resource: &Value,
        age_secs: i64,
    ) -> (String, Vec<(&'static str, String)>) {
        let nonce = "resNonce1234";
        let body = json!({
            "id": "EV-2018022511223320873", "create_time": "2026-11-25T10:00:00+08:00", "resource_type": "encrypt-resource",
            "event_type": event_type, "summary": "支付成功",
            "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM", "associated_data": "transaction",
                "nonce": nonce, "ciphertext": encrypt(&resource.to_string(), "transaction", nonce)}
        })
        .to_string();
        let ts = (chrono::Utc::now().timestamp() - age_secs).to_string();
        let sig_nonce = "notifyNonce42";
        let headers = vec![
            ("Wechatpay-Timestamp", ts.clone()),
            ("Wechatpay-Nonce", sig_nonce.to_string()),
            ("Wechatpay-Serial", self.serial.clone()),
            ("Wechatpay-Signature", sign(&self.platform, &format!("{ts}\n{sig_nonce}\n{body}\n"))),
            ("Content-Type", "application/json".to_string()),
        ];
        (body, headers)
    }

    pub fn paid(&self, order_no: &str) -> Value {
        let mut ledger = self.ledger.lock().unwrap();
        let entry = ledger.orders.get_mut(order_no).expect("prepaid order");
        entry.2 = "SUCCESS".into();
        let (amount, openid) = (entry.0, entry.1.clone());
        json!({"appid": "wx-test-appid", "mchid": MCHID, "out_trade_no": order_no, "transaction_id": format!("4200000{order_no}"),
            "trade_type": "JSAPI", "trade_state": "SUCCESS", "bank_type": "OTHERS", "success_time": "2026-11-25T10:00:00+08:00",
            "payer": {"openid": openid}, "amount": {"total": amount, "payer_total": amount, "currency": "CNY", "payer_currency": "CNY"}})
    }
}

impl Drop for FakeWxPay {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
