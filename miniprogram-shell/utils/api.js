// Talking to the campus server from the shell: wx.login handoff, the short-lived API token,
// and JSON calls that unwrap the server's envelope {success, code, message, data}.
const config = require('../config.js');

const TOKEN_KEY = 'campus_token';

function request(method, path, data, token) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: config.baseUrl + path,
      method,
      data,
      header: token ? { Authorization: 'Bearer ' + token } : {},
      success(res) {
        const body = res.data || {};
        if (res.statusCode >= 200 && res.statusCode < 300 && body.success) {
          resolve(body.data);
        } else {
          const err = new Error(body.message || '服务器开小差了，请稍后再试');
          err.status = res.statusCode;
          reject(err);
        }
      },
      fail(e) {
        const err = new Error('网络不给力，请检查网络后重试');
        err.network = true;
        err.cause = e;
        reject(err);
      },
    });
  });
}

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new Error('微信登录失败，请重试'))),
      fail: () => reject(new Error('微信登录失败，请重试')),
    });
  });
}

/** wx.login → POST /api/v1/wx/login; keeps the API token; returns the one-time ticket. */
async function login() {
  const code = await wxLogin();
  const data = await request('POST', '/api/v1/wx/login', { code });
  wx.setStorageSync(TOKEN_KEY, { token: data.token, expiresAt: Date.now() + data.token_expires_in * 1000 });
  return data.ticket;
}

/** The API token, signing in again when it is missing or about to expire. */
async function token() {
  const saved = wx.getStorageSync(TOKEN_KEY);
  if (saved && saved.token && saved.expiresAt - Date.now() > 60 * 1000) {
    return saved.token;
  }
  await login();
  const fresh = wx.getStorageSync(TOKEN_KEY).token;
  if (!fresh) {
    // A staff account with two-factor sign-in gets no API token without its code.
    throw new Error('该账号已开启两步验证，小程序内的这项功能暂不可用，请在网页中操作');
  }
  return fresh;
}

/** A call with the API token; one retry with a fresh token when the server says 401. */
async function call(method, path, data) {
  try {
    return await request(method, path, data, await token());
  } catch (err) {
    if (err.status !== 401) throw err;
    wx.removeStorageSync(TOKEN_KEY);
    return request(method, path, data, await token());
  }
}

/** The web-view URL that redeems a ticket and lands on `next` (a path on our server). */
function ticketUrl(ticket, next) {
  return config.baseUrl + '/auth/ticket?t=' + encodeURIComponent(ticket) + '&next=' + encodeURIComponent(next || '/');
}

/** The path part of a web-view URL on our server, or '/' for anything else. */
function pathOf(url) {
  if (!url || url.indexOf(config.baseUrl) !== 0) return '/';
  const rest = url.slice(config.baseUrl.length) || '/';
  if (rest.indexOf('/auth/ticket') === 0) return '/';
  return rest.charAt(0) === '/' ? rest : '/';
}

module.exports = { request, login, token, call, ticketUrl, pathOf, TOKEN_KEY };
