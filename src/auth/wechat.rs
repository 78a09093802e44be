//! The WeChat API client: one place for base URL, timeouts and error mapping.
//!
//! Blocking (ureq); call it through `web::block`. Only `jscode2session` is used so far.

use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::config::WxConfig;
use crate::error::AppError;

#[derive(Clone)]
pub struct WxClient {
    agent: ureq::Agent,
    config: WxConfig,
}

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
        WxClient { agent, config }
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
