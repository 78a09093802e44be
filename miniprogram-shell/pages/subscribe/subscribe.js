// Subscribe messages: ask for the templates the server lists (all, or those of the purposes the
// web page's 补充次数 button named: ?purposes=class,exam), report which were accepted. Each
// accept is one message of that template. wx.requestSubscribeMessage takes at most 3 templates
// per call and needs a tap for each call, so more than 3 are asked for in batches, one tap each.
const api = require('../../utils/api.js');

const MAX_PER_CALL = 3;

function ask(tmplIds) {
  return new Promise((resolve, reject) => {
    wx.requestSubscribeMessage({ tmplIds, success: resolve, fail: reject });
  });
}

function batches(ids) {
  const out = [];
  for (let i = 0; i < ids.length; i += MAX_PER_CALL) out.push(ids.slice(i, i + MAX_PER_CALL));
  return out;
}

Component({
  data: { batches: [], next: 0, accepted: 0, done: false, message: '上课、考试、活动提醒和订单发货会通过微信通知你' },
  methods: {
    async onLoad(options) {
      const purposes = (options && options.purposes) ? decodeURIComponent(options.purposes) : '';
      const path = '/api/v1/wx/subscribe/templates' + (purposes ? '?purposes=' + encodeURIComponent(purposes) : '');
      try {
        const data = await api.call('GET', path);
        const list = batches(data.template_ids || []);
        this.setData({ batches: list, next: 0 });
        if (!list.length) this.setData({ message: '暂时没有可以开启的微信通知' });
      } catch (err) {
        this.setData({ message: err.message });
      }
    },
    async ask() {
      const tmplIds = this.data.batches[this.data.next];
      if (!tmplIds) return;
      try {
        const result = await ask(tmplIds);
        const accepted = tmplIds.filter((id) => result[id] === 'accept');
        if (accepted.length) await api.call('POST', '/api/v1/wx/subscribe', { accepted });
        const next = this.data.next + 1;
        const total = this.data.accepted + accepted.length;
        if (next < this.data.batches.length) {
          this.setData({ next, accepted: total, message: '还有 ' + (this.data.batches.length - next) + ' 批通知，点“继续”开启' });
          return;
        }
        this.setData({ next, accepted: total, done: true, message: total ? '已开启 ' + total + ' 项通知' : '你没有开启通知' });
        wx.navigateBack();
      } catch (err) {
        this.setData({ message: err.message || '没有完成订阅' });
      }
    },
  },
});
