// Shell logic under miniprogram-simulate with the wx APIs mocked: login, pay, subscribe,
// location and share paths, success and failure.
const path = require('path');
const simulate = require('miniprogram-simulate');

const BASE = 'https://campus.example.edu';

/** A fake server: answers wx.request by method and path from `routes`, records the calls. */
function server(routes) {
  const calls = [];
  wx.request = jest.fn((opts) => {
    const p = opts.url.replace(BASE, '');
    calls.push({ method: opts.method, path: p, data: opts.data, header: opts.header });
    const handler = routes[opts.method + ' ' + p];
    if (!handler) return opts.fail({ errMsg: 'request:fail' });
    const [statusCode, data] = handler(opts);
    opts.success({ statusCode, data });
  });
  return calls;
}

const ok = (data) => [200, { success: true, code: 200, message: 'ok', data }];
const err = (status, message) => [status, { success: false, code: status, message, data: null }];

let storage;
beforeEach(() => {
  storage = {};
  wx.setStorageSync = jest.fn((k, v) => { storage[k] = v; });
  wx.getStorageSync = jest.fn((k) => storage[k] || '');
  wx.removeStorageSync = jest.fn((k) => { delete storage[k]; });
  wx.login = jest.fn(({ success }) => success({ code: 'code-123' }));
  wx.navigateBack = jest.fn();
});

// Each page module defines itself once (require caches it), so load each once and render anew.
const loaded = {};
function page(name) {
  loaded[name] = loaded[name] || simulate.load(path.join(__dirname, '../pages', name, name));
  const comp = simulate.render(loaded[name]);
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

const loginRoute = { 'POST /api/v1/wx/login': () => ok({ ticket: 'T1', token: 'API-1', token_expires_in: 7200, user_id: 7 }) };

describe('index page', () => {
  test('logs in and opens the web-view with the one-time ticket', async () => {
    const calls = server(loginRoute);
    const comp = page('index');
    await comp.instance.onLoad({});
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/v1/wx/login', data: { code: 'code-123' } });
    expect(comp.data.src).toBe(BASE + '/auth/ticket?t=T1&next=%2F');
    expect(storage.campus_token.token).toBe('API-1');
    expect(comp.dom.querySelector('wx-web-view')).toBeTruthy();
  });

  test('a shared link lands on the shared page after login', async () => {
    server(loginRoute);
    const comp = page('index');
    await comp.instance.onLoad({ path: encodeURIComponent('/mall/products/12') });
    expect(comp.data.src).toBe(BASE + '/auth/ticket?t=T1&next=%2Fmall%2Fproducts%2F12');
  });

  test('a network failure shows a retry screen, and retry recovers', async () => {
    server({});
    const comp = page('index');
    await comp.instance.onLoad({});
    expect(comp.data.failed).toBe(true);
    expect(comp.data.message).toContain('网络');
    expect(comp.dom.querySelector('wx-web-view')).toBeFalsy();
    server(loginRoute);
    await comp.instance.retry();
    expect(comp.data.failed).toBe(false);
    expect(comp.data.src).toContain('t=T1');
  });

  test('a refused code shows the server message', async () => {
    server({ 'POST /api/v1/wx/login': () => err(422, '微信登录凭证无效或已使用，请重新进入小程序') });
    const comp = page('index');
    await comp.instance.onLoad({});
    expect(comp.data.failed).toBe(true);
    expect(comp.data.message).toBe('微信登录凭证无效或已使用，请重新进入小程序');
  });

  test('wx.login failing is reported too', async () => {
    wx.login = jest.fn(({ fail }) => fail({ errMsg: 'login:fail' }));
    server(loginRoute);
    const comp = page('index');
    await comp.instance.onLoad({});
    expect(comp.data.failed).toBe(true);
    expect(comp.data.message).toBe('微信登录失败，请重试');
  });

  test('sharing shares the page the web-view shows, never the ticket', () => {
    const comp = page('index');
    expect(comp.instance.onShareAppMessage({ webViewUrl: BASE + '/mall/orders?tab=paid' }).path)
      .toBe('/pages/index/index?path=' + encodeURIComponent('/mall/orders?tab=paid'));
    expect(comp.instance.onShareAppMessage({ webViewUrl: BASE + '/auth/ticket?t=SECRET' }).path)
      .toBe('/pages/index/index?path=' + encodeURIComponent('/'));
    expect(comp.instance.onShareAppMessage({ webViewUrl: 'https://evil.example/x' }).path)
      .toBe('/pages/index/index?path=' + encodeURIComponent('/'));
  });
});

describe('pay page', () => {
  const params = { appId: 'wx1', timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx25', signType: 'RSA', paySign: 'sig' };

  test('prepays with the shell token, pays, and goes back', async () => {
    storage.campus_token = { token: 'API-1', expiresAt: Date.now() + 3600e3 };
    const calls = server({ 'POST /api/v1/pay/prepay': () => ok(params) });
    wx.requestPayment = jest.fn((o) => o.success({ errMsg: 'requestPayment:ok' }));
    const comp = page('pay');
    await comp.instance.onLoad({ order: 'NO123' });
    expect(calls[0]).toMatchObject({ path: '/api/v1/pay/prepay', data: { order_no: 'NO123' }, header: { Authorization: 'Bearer API-1' } });
    expect(wx.requestPayment).toHaveBeenCalledWith(expect.objectContaining({ package: 'prepay_id=wx25', paySign: 'sig', signType: 'RSA' }));
    expect(comp.data.status).toBe('paid');
    expect(wx.navigateBack).toHaveBeenCalled();
  });

  test('a cancelled payment goes back without an error', async () => {
    storage.campus_token = { token: 'API-1', expiresAt: Date.now() + 3600e3 };
    server({ 'POST /api/v1/pay/prepay': () => ok(params) });
    wx.requestPayment = jest.fn((o) => o.fail({ errMsg: 'requestPayment:fail cancel' }));
    const comp = page('pay');
    await comp.instance.onLoad({ order: 'NO123' });
    expect(comp.data.status).toBe('cancelled');
    expect(wx.navigateBack).toHaveBeenCalled();
  });

  test('a failed payment stays with a retry button', async () => {
    storage.campus_token = { token: 'API-1', expiresAt: Date.now() + 3600e3 };
    server({ 'POST /api/v1/pay/prepay': () => ok(params) });
    wx.requestPayment = jest.fn((o) => o.fail({ errMsg: 'requestPayment:fail system error' }));
    const comp = page('pay');
    await comp.instance.onLoad({ order: 'NO123' });
    expect(comp.data.status).toBe('failed');
    expect(wx.navigateBack).not.toHaveBeenCalled();
    wx.requestPayment = jest.fn((o) => o.success({}));
    await comp.instance.retry();
    expect(comp.data.status).toBe('paid');
  });

  test('an order the server refuses shows why', async () => {
    storage.campus_token = { token: 'API-1', expiresAt: Date.now() + 3600e3 };
    server({ 'POST /api/v1/pay/prepay': () => err(409, '订单当前为「已取消」，不能支付') });
    wx.requestPayment = jest.fn();
    const comp = page('pay');
    await comp.instance.onLoad({ order: 'NO123' });
    expect(comp.data.status).toBe('failed');
    expect(comp.data.message).toBe('订单当前为「已取消」，不能支付');
    expect(wx.requestPayment).not.toHaveBeenCalled();
  });

  test('an expired token is renewed through wx.login first', async () => {
    storage.campus_token = { token: 'OLD', expiresAt: Date.now() - 1000 };
    const calls = server({ ...loginRoute, 'POST /api/v1/pay/prepay': () => ok(params) });
    wx.requestPayment = jest.fn((o) => o.success({}));
    const comp = page('pay');
    await comp.instance.onLoad({ order: 'NO9' });
    expect(calls.map((c) => c.path)).toEqual(['/api/v1/wx/login', '/api/v1/pay/prepay']);
    expect(calls[1].header.Authorization).toBe('Bearer API-1');
  });

  test('a two-factor staff account gets no API token: the page says so, nothing is called', async () => {
    const calls = server({ 'POST /api/v1/wx/login': () => ok({ ticket: 'T2', token: null, token_expires_in: 0, user_id: 8, two_factor: true }) });
    wx.requestPayment = jest.fn();
    const comp = page('pay');
    await comp.instance.onLoad({ order: 'NO9' });
    expect(calls.map((c) => c.path)).toEqual(['/api/v1/wx/login']);
    expect(comp.data.message).toContain('两步验证');
    expect(wx.requestPayment).not.toHaveBeenCalled();
  });

  test('a token the server rejects (401) is renewed once', async () => {
    storage.campus_token = { token: 'REVOKED', expiresAt: Date.now() + 3600e3 };
    const calls = server({ ...loginRoute, 'POST /api/v1/pay/prepay': (o) => (o.header.Authorization === 'Bearer API-1' ? ok(params) : err(401, '请先登录')) });
    wx.requestPayment = jest.fn((o) => o.success({}));
    const comp = page('pay');
    await comp.instance.onLoad({ order: 'NO9' });
    expect(calls.map((c) => c.path)).toEqual(['/api/v1/pay/prepay', '/api/v1/wx/login', '/api/v1/pay/prepay']);
    expect(comp.data.status).toBe('paid');
  });
});

describe('subscribe page', () => {
  test('asks for the listed templates and reports the accepted ones', async () => {
    storage.campus_token = { token: 'API-1', expiresAt: Date.now() + 3600e3 };
    const calls = server({
      'GET /api/v1/wx/subscribe/templates': () => ok({ template_ids: ['TPL_PAID', 'TPL_SHIPPED'] }),
      'POST /api/v1/wx/subscribe': () => ok({ recorded: 1 }),
    });
    wx.requestSubscribeMessage = jest.fn((o) => o.success({ TPL_PAID: 'accept', TPL_SHIPPED: 'reject', errMsg: 'ok' }));
    const comp = page('subscribe');
    await comp.instance.onLoad();
    await comp.instance.ask();
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['TPL_PAID', 'TPL_SHIPPED'] }));
    expect(calls[1]).toMatchObject({ method: 'POST', path: '/api/v1/wx/subscribe', data: { accepted: ['TPL_PAID'] } });
    expect(comp.data.done).toBe(true);
  });

  test('a refusal of the whole dialog is reported, nothing recorded', async () => {
    storage.campus_token = { token: 'API-1', expiresAt: Date.now() + 3600e3 };
    const calls = server({ 'GET /api/v1/wx/subscribe/templates': () => ok({ template_ids: ['TPL_PAID'] }) });
    wx.requestSubscribeMessage = jest.fn((o) => o.fail({ errMsg: 'requestSubscribeMessage:fail cancel' }));
    const comp = page('subscribe');
    await comp.instance.onLoad();
    await comp.instance.ask();
    expect(calls.length).toBe(1);
    expect(comp.data.done).toBe(false);
  });
});

describe('subscribe page, several templates', () => {
  test('asks WeChat for at most 3 templates per tap and records each batch', async () => {
    storage.campus_token = { token: 'API-1', expiresAt: Date.now() + 3600e3 };
    const ids = ['T_CLASS', 'T_EXAM', 'T_ACT', 'T_GRADE', 'T_PAID'];
    const calls = server({
      'GET /api/v1/wx/subscribe/templates': () => ok({ template_ids: ids }),
      'POST /api/v1/wx/subscribe': () => ok({ recorded: 1 }),
    });
    wx.requestSubscribeMessage = jest.fn((o) => o.success(Object.fromEntries(o.tmplIds.map((id) => [id, 'accept']))));
    const comp = page('subscribe');
    await comp.instance.onLoad({});
    await comp.instance.ask();
    expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['T_CLASS', 'T_EXAM', 'T_ACT']);
    expect(comp.data.done).toBe(false);
    expect(wx.navigateBack).not.toHaveBeenCalled();
    await comp.instance.ask();
    expect(wx.requestSubscribeMessage.mock.calls[1][0].tmplIds).toEqual(['T_GRADE', 'T_PAID']);
    for (const c of wx.requestSubscribeMessage.mock.calls) expect(c[0].tmplIds.length).toBeLessThanOrEqual(3);
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.data.accepted)).toEqual([['T_CLASS', 'T_EXAM', 'T_ACT'], ['T_GRADE', 'T_PAID']]);
    expect(comp.data.done).toBe(true);
    expect(comp.data.message).toBe('已开启 5 项通知');
  });

  test('the top-up button of one purpose asks for that purpose only', async () => {
    storage.campus_token = { token: 'API-1', expiresAt: Date.now() + 3600e3 };
    const calls = server({
      'GET /api/v1/wx/subscribe/templates?purposes=class': () => ok({ template_ids: ['T_CLASS'] }),
      'POST /api/v1/wx/subscribe': () => ok({ recorded: 1 }),
    });
    wx.requestSubscribeMessage = jest.fn((o) => o.success({ T_CLASS: 'accept' }));
    const comp = page('subscribe');
    await comp.instance.onLoad({ purposes: 'class' });
    await comp.instance.ask();
    expect(calls[0].path).toBe('/api/v1/wx/subscribe/templates?purposes=class');
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['T_CLASS'] }));
    expect(calls[1].data).toEqual({ accepted: ['T_CLASS'] });
  });
});

describe('location page', () => {
  test('opens the map at the given point', () => {
    wx.openLocation = jest.fn();
    const comp = page('location');
    comp.instance.onLoad({ lat: '31.2304', lng: '121.4737', name: encodeURIComponent('图书馆'), address: encodeURIComponent('东区') });
    expect(wx.openLocation).toHaveBeenCalledWith(expect.objectContaining({ latitude: 31.2304, longitude: 121.4737, name: '图书馆', address: '东区' }));
  });

  test('refuses a point that is not a place', () => {
    wx.openLocation = jest.fn();
    const comp = page('location');
    comp.instance.onLoad({ lat: 'abc', lng: '500' });
    expect(wx.openLocation).not.toHaveBeenCalled();
    expect(comp.data.message).toBe('位置信息无效');
  });
});

describe('dark mode', () => {
  const fs = require('fs');
  const read = (f) => fs.readFileSync(path.join(__dirname, '..', f), 'utf8');
  const app = JSON.parse(read('app.json'));
  const theme = JSON.parse(read(app.themeLocation));
  // WCAG relative luminance and contrast of two #rrggbb colours.
  const lum = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };

  test('the navigation bar and the background follow the phone, light and dark', () => {
    expect(app.darkmode).toBe(true);
    const vars = Object.values(app.window).filter((v) => typeof v === 'string' && v.startsWith('@'));
    expect(vars).toEqual(expect.arrayContaining(['@navBgColor', '@navTxtStyle', '@bgColor']));
    for (const mode of ['light', 'dark']) {
      for (const v of vars) expect(theme[mode][v.slice(1)]).toBeTruthy();
    }
    expect(theme.light.navTxtStyle).toBe('black');
    expect(theme.dark.navTxtStyle).toBe('white');
    // The title is readable on its bar in both modes.
    expect(contrast('#000000', theme.light.navBgColor)).toBeGreaterThanOrEqual(4.5);
    expect(contrast('#ffffff', theme.dark.navBgColor)).toBeGreaterThanOrEqual(4.5);
    expect(lum(theme.dark.navBgColor)).toBeLessThan(0.05);
    expect(lum(theme.dark.bgColor)).toBeLessThan(0.05);
  });

  test('no page sets a fixed bar colour that would stay light in dark mode', () => {
    for (const name of app.pages) {
      const conf = JSON.parse(read(name + '.json'));
      for (const key of ['navigationBarBackgroundColor', 'navigationBarTextStyle', 'backgroundColor']) {
        if (key in conf) expect(conf[key]).toMatch(/^@/);
      }
    }
  });

  test('the native pages have dark colours of their own', () => {
    const wxss = read('app.wxss');
    const dark = wxss.slice(wxss.indexOf('@media (prefers-color-scheme: dark)'));
    expect(dark).toMatch(/page\s*\{[^}]*background:\s*#111111/);
    expect(dark).toMatch(/\.desc\s*\{[^}]*color:/);
  });
});
