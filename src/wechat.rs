//! The WeChat API client: one place for base URL, timeouts, retries and error mapping.
//!
//! Blocking (ureq); call it through `web::block` or from a job. Calls: `jscode2session`
//! (login), `stable_token` (the access token, cached until shortly before it expires and
//! refreshed once when WeChat says it expired), subscribe messages, `msgSecCheck` v2.

use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::config::WxConfig;
use crate::error::AppError;

#[derive(Clone)]
pub struct WxClient {
    agent: ureq::Agent,
    config: WxConfig,
    token: std::sync::Arc<std::sync::Mutex<Option<(String, std::time::Instant)>>>,
}

/// What `msgSecCheck` thinks of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecVerdict {
    Pass,
    Review,
    Risky,
}

/// A failed WeChat API call: `errcode` from WeChat, or a transport problem (code -2).
#[derive(Debug, thiserror::Error)]
#[error("WeChat API error {code}: {message}")]
pub struct WxError {
    pub code: i64,
    pub message: String,
}

/// errcodes meaning "the access token is no longer good".
const EXPIRED_TOKEN: [i64; 3] = [40001, 40014, 42001];

#[derive(Debug, Clone)]
pub struct WxSession {
    pub openid: String,
    pub unionid: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Code2SessionReply {
    openid: Option<String>,
    unionid: Option<String>,
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

impl WxClient {
    pub fn new(config: WxConfig) -> WxClient {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        WxClient { agent, config, token: std::sync::Arc::default() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.api_base.trim_end_matches('/'))
    }

    /// POSTs JSON, retrying a transport failure `retries` times; returns WeChat's JSON answer.
    fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<serde_json::Value, WxError> {
        let mut last = String::new();
        for _ in 0..=self.config.retries {
            match self.agent.post(url).send_json(body) {
                Ok(mut res) if res.status().is_success() => {
                    return res
                        .body_mut()
                        .read_json()
                        .map_err(|e| WxError { code: -2, message: format!("bad reply: {e}") });
                }
                Ok(res) => last = format!("HTTP {}", res.status()),
                Err(e) => last = e.to_string(),
            }
        }
        let secret = self.config.secret.expose_secret();
        Err(WxError { code: -2, message: last.replace(secret, "***") })
    }

    /// The access token from `/cgi-bin/stable_token`, cached until five minutes before expiry.
    pub fn access_token(&self, force_refresh: bool) -> Result<String, WxError> {
        if !force_refresh
            && let Some((token, until)) = self.token.lock().ok().and_then(|t| t.clone())
            && until > std::time::Instant::now()
        {
            return Ok(token);
        }
        let reply = self.post_json(
            &self.url("/cgi-bin/stable_token"),
            &serde_json::json!({
                "grant_type": "client_credential",
                "appid": self.config.appid,
                "secret": self.config.secret.expose_secret(),
                "force_refresh": force_refresh,
            }),
        )?;
        let token = reply["access_token"].as_str().filter(|t| !t.is_empty()).ok_or_else(|| WxError {
            code: reply["errcode"].as_i64().unwrap_or(-1),
            message: reply["errmsg"].as_str().unwrap_or("no access_token").to_string(),
        })?;
        let life = reply["expires_in"].as_u64().unwrap_or(7200).saturating_sub(300).max(60);
        if let Ok(mut slot) = self.token.lock() {
            *slot = Some((token.to_string(), std::time::Instant::now() + std::time::Duration::from_secs(life)));
        }
        Ok(token.to_string())
    }

    /// Calls an access-token API; an expired token is refreshed once and the call repeated.
    fn with_token(&self, path: &str, body: &serde_json::Value) -> Result<serde_json::Value, WxError> {
        let mut force = false;
        loop {
            let token = self.access_token(force)?;
            let reply = self.post_json(&format!("{}?access_token={token}", self.url(path)), body)?;
            let code = reply["errcode"].as_i64().unwrap_or(0);
            if code == 0 {
                return Ok(reply);
            }
            if EXPIRED_TOKEN.contains(&code) && !force {
                force = true;
                continue;
            }
            return Err(WxError { code, message: reply["errmsg"].as_str().unwrap_or("").to_string() });
        }
    }

    /// Sends a subscribe message (`data` as WeChat wants it: `{"thing1": {"value": "..."}}`).
    pub fn send_subscribe(
        &self,
        openid: &str,
        template_id: &str,
        page: &str,
        data: &serde_json::Value,
    ) -> Result<(), WxError> {
        self.with_token(
            "/cgi-bin/message/subscribe/send",
            &serde_json::json!({ "touser": openid, "template_id": template_id, "page": page, "data": data, "lang": "zh_CN" }),
        )
        .map(|_| ())
    }

    /// `msgSecCheck` v2 on a user's text; `scene` 1 profile, 2 comment, 3 forum, 4 social log.
    pub fn msg_sec_check(&self, openid: &str, scene: u8, content: &str) -> Result<SecVerdict, WxError> {
        let reply = self.with_token(
            "/wxa/msg_sec_check",
            &serde_json::json!({ "content": content, "version": 2, "scene": scene, "openid": openid }),
        )?;
        Ok(match reply["result"]["suggest"].as_str() {
            Some("risky") => SecVerdict::Risky,
            Some("review") => SecVerdict::Review,
            _ => SecVerdict::Pass,
        })
    }

    /// Exchanges a `wx.login` code for the user's openid.
    pub fn code2session(&self, code: &str) -> Result<WxSession, AppError> {
        let url = format!("{}/sns/jscode2session", self.config.api_base.trim_end_matches('/'));
        let secret = self.config.secret.expose_secret();
        let unavailable = |detail: String| {
            // Library errors may quote the request URL, which carries the secret and the code.
            let detail = detail.replace(secret, "***").replace(code, "***");
            tracing::warn!(detail = %detail, "jscode2session failed");
            AppError::Upstream("微信登录服务暂时不可用，请稍后再试".into())
        };
        let mut response = self
            .agent
            .get(&url)
            .query("appid", &self.config.appid)
            .query("secret", secret)
            .query("js_code", code)
            .query("grant_type", "authorization_code")
            .call()
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        let reply: Code2SessionReply =
            response.body_mut().read_json().map_err(|e| unavailable(format!("bad reply: {e}")))?;
        match (reply.errcode, reply.openid) {
            (0, Some(openid)) if !openid.is_empty() => Ok(WxSession { openid, unionid: reply.unionid }),
            // 40029 invalid code, 40163 code already used, 40226 risky user.
            (40029 | 40163 | 40226, _) => Err(AppError::invalid("微信登录凭证无效或已使用，请重新进入小程序")),
            (code, _) => Err(unavailable(format!("errcode {code}: {}", reply.errmsg))),
        }
    }
}
